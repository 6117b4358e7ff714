"""A Node server that dies calling into a dependency's release it was not built for: a `TypeError:
x is not a function` thrown in a dependency's code, on what a package higher in the stack handed
it. diagnostic-languageserver 1.14.2 brings vscode-languageserver 6.1.1, whose package.json asks
`vscode-languageserver-protocol ^3.15.3`; npm installs 3.18.5 (its range lets it in), which
brings vscode-jsonrpc 10.0.0, and the reader 6.1.1 hands it has no `onClose` (`TypeError:
messageReader.onClose is not a function`, thrown in vscode-jsonrpc). With 3.15.3 installed
beside it, it answers. The stack names the packages; each one's package.json says its release
and the range it asks of the next: the first range whose base release is not the installed
one's major and minor is the one npm stretched."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from poolctl.model import Evidence

from .node_imports import manifest_above

_NOT_CALLABLE = re.compile(
    r"^TypeError: (?P<expr>[\w$.\[\]'\"]+) is not a (?:function|constructor)$", re.M
)
# `    at fn (/…/connection.js:348:19)`, `    at /…/main.js:28:42`, ES modules' `file:///…`
_FRAME = re.compile(r"^\s+at (?:.* \()?(?:file://)?(?P<file>/[^():]+):(?P<line>\d+):\d+\)?$")
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class StretchedRange:
    """The package that called into a release of its dependency it was not built for."""

    server: str  # `diagnostic-languageserver 1.14.2`, the outermost package in the stack
    caller: str  # `vscode-languageserver 6.1.1`
    dependency: str  # `vscode-languageserver-protocol`
    asks: str  # `^3.15.3`
    base: str  # `3.15.3`, the release its range starts from
    installed: str  # `3.18.5`
    thrown: str  # `TypeError: messageReader.onClose is not a function`
    where: str  # the frame it was thrown in
    prefix: str  # the folder whose node_modules holds the dependency
    origin: str  # the package.json files read

    def why(self) -> str:
        brings = f", which {self.server} brings," if self.server != self.caller else ""
        return (
            f"{self.caller}{brings} asks `{self.dependency} {self.asks}` in its package.json and "
            f"runs with {self.dependency} {self.installed}, a release its range lets in but it "
            f"was not built for ({self.base}): the call fails inside it"
        )

    def fix(self) -> str:
        return (
            f"Install beside it the release its range starts from: `npm install "
            f"{self.dependency}@{self.base}` in {self.prefix} (npm's `overrides` keep it there "
            f"across installs), or a release of {self.server.split()[0]} made for "
            f"{self.dependency} {self.installed}: the pool's settings are not the cause."
        )

    def evidence(self) -> Evidence:
        return Evidence(
            f"{self.dependency} {self.installed} installed; {self.caller} asks "
            f"`{self.dependency} {self.asks}`; `{self.thrown}` thrown at {self.where}",
            self.origin,
            "the releases in the stack, and what each asks of the next",
        )


def stretched_range(stderr: str) -> StretchedRange | None:
    """The package whose dependency range let in the release a `TypeError: x is not a function`
    was thrown in, read from the stack under the error."""
    m = _NOT_CALLABLE.search(stderr)
    if m is None:
        return None
    packages: list[tuple[Path, dict[str, object], str]] = []  # outward from the throw
    for line in stderr[m.end() :].splitlines()[1:]:
        frame = _FRAME.match(line)
        if frame is None:
            if line.strip().startswith("at "):
                continue  # node's own code (`node:internal/…`)
            break  # the stack ended
        found = manifest_above(Path(frame["file"]))
        if found is not None and (not packages or packages[-1][0] != found[0]):
            packages.append((found[0], found[1], f"{frame['file']}:{frame['line']}"))
    for (path, callee, _), (caller_path, caller, _) in pairwise(packages):
        name, installed = str(callee.get("name")), str(callee.get("version", ""))
        asks = _asked(caller, name)
        base = _VERSION.search(asks) if asks else None
        have = _VERSION.match(installed)
        if base is None or have is None or base.group(1, 2) == have.group(1, 2):
            continue
        outer = packages[-1][1]
        return StretchedRange(
            server=f"{outer.get('name')} {outer.get('version')}",
            caller=f"{caller.get('name')} {caller.get('version')}",
            dependency=name,
            asks=asks,
            base=".".join(g or "0" for g in base.groups()),
            installed=installed,
            thrown=m.group(0),
            where=packages[0][2],
            prefix=str(_prefix(path)),
            origin=f"{path}, {caller_path}",
        )
    return None


def _asked(manifest: dict[str, object], name: str) -> str:
    for key in ("dependencies", "peerDependencies"):
        wants = manifest.get(key)
        if isinstance(wants, dict) and isinstance(wants.get(name), str):
            return str(wants[name])
    return ""


def _prefix(manifest: Path) -> Path:
    """The folder whose node_modules holds the package (`/x/node_modules/@s/p/package.json`)."""
    for folder in manifest.parents:
        if folder.name == "node_modules":
            return folder.parent
    return manifest.parent
