"""A server started through `npx` (as MCP hosts' configurations start them) that never ran: npm
could not get its package and said why in its own error lines (`npm error code E404` for a name
the registry does not have, `ETARGET` for a version it lacks, `ENOTFOUND` for a registry it
cannot reach). The worker's exit was npm's, not the server's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from poolctl.model import Evidence

_CODE = re.compile(r"^npm (?:error|ERR!) code (?P<code>E[A-Z0-9]+)\s*$", re.M)
# the line that says what npm could not do, after the code: the 404's "The requested resource
# '…' could not be found …", a "No matching version found for …", a "request to … failed, …"
_SAID = re.compile(
    r"^npm (?:error|ERR!) (?:404 +|notarget +)?(?P<said>(?:The requested resource|No matching "
    r"version|request to|(?:\d{3} )?[A-Z][a-z]+ [A-Z][a-z]+ - GET)\S*.*)$",
    re.M,
)
# npx without `-y`, its package not in its cache and no terminal to ask on
_CANCELED = re.compile(
    r"^npm (?:error|ERR!) (?P<said>npx canceled due to missing packages and no YES option: "
    r"\[(?P<packages>[^\]]*)\])",
    re.M,
)
_WANTED = re.compile(r"'(?P<spec>[^']+)' could not be found|found for (?P<version>\S+?)\.?$")


@dataclass(frozen=True)
class NpmFailed:
    """npm's error code and its own words for it."""

    code: str  # `E404`
    said: str  # `The requested resource '@x/y@*' could not be found or ...`
    package: str  # `@x/y@*`, when npm names it ("" otherwise)

    def why(self) -> str:
        if self.code == "canceled":
            return (
                f"npx would not install the package it runs without asking (`npm error "
                f"{self.said}`), and it has no terminal to ask on: the server never started"
            )
        return (
            f"npm could not get the package it runs (`npm error code {self.code}`: "
            f"{self.said}): the server never started"
        )

    def fix(self, argv: str) -> str:
        if self.code == "canceled":
            return (
                f"Start it with `npx -y` (`-y` installs {self.package} without asking), as MCP "
                "hosts' examples do, or install the package beforehand: a pool starts its "
                "workers with no terminal to answer npx's question."
            )
        if self.code in ("E404", "ETARGET") and self.package:
            at = self.package.rfind("@")
            name = self.package[:at] if at > 0 else self.package  # `@x/y@*` -> `@x/y`
            hidden = ", or does not show it to this user" if self.code == "E404" else ""
            return (
                f"Check the package name and version in the command: the registry has no "
                f"`{self.package}`{hidden} (`npm view {name}` says whether it is published, and "
                "its versions); npx installs the package before it starts the server."
            )
        return (
            f"Fix what npm reports (`{self.said}`): npx installs the package before it starts "
            f"the server; run `{argv}` by hand to see it."
        )

    def evidence(self, origin: str) -> Evidence:
        said = f"npm error {self.said}" if self.code == "canceled" else self.said
        code = "" if self.code == "canceled" else f"npm error code {self.code}: "
        return Evidence(f"{code}{said}", origin, "npm's own error")


def npm_failed(stderr: str) -> NpmFailed | None:
    """npm's error, when its stderr ends on one (None otherwise)."""
    codes = list(_CODE.finditer(stderr))
    if not codes:
        canceled = _CANCELED.search(stderr)
        if canceled is None:
            return None
        packages = ", ".join(p.strip().strip('"') for p in canceled["packages"].split(","))
        return NpmFailed("canceled", canceled["said"], packages)
    code = codes[-1]
    rest = stderr[code.end() :]
    said = [m["said"].strip() for m in _SAID.finditer(rest)]
    # the sentence that names what was wanted says most; else the first line after the code
    best = next((s for s in said if _WANTED.search(s)), said[0] if said else "")
    if not best:
        return None
    wanted = _WANTED.search(best)
    package = (wanted["spec"] or wanted["version"] or "") if wanted else ""
    return NpmFailed(code["code"], best[:300], package)
