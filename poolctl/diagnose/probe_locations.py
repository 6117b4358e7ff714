"""A language server that loads its libraries only from the folders its command line names:
@angular/language-server (`ngserver`) takes TypeScript from `--tsProbeLocations` and
@angular/language-service from `--ngProbeLocations`, both required, and never from beside its
own file. Started without them, or with folders that hold neither, it dies as it loads, before
it reads a request (its `--help` too), saying what it probed: `Error: Failed to resolve
'typescript/lib/tsserverlibrary' with minimum version '5.0' from []`. The fix names both
options and, where the package lies on this machine (the worker's folder, the server's own
install), the folder to give them, as each was found."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from poolctl.model import Evidence
from poolctl.worker_types import WorkerSpec

_FAILED = re.compile(
    r"^Error: Failed to resolve '(?P<module>[^']+)' with minimum version '(?P<min>[^']+)' "
    r"from (?P<probed>\[[^\]]*\])",
    re.M,
)
# the frame of its stack that names the server's own file: where its install lies
_FRAME = re.compile(r"^\s+at resolveWithMinVersion \((?P<file>/[^:()]+):\d+:\d+\)", re.M)
# each package it resolves, the option that names where, and the option's words in its --help
OPTIONS = {
    "typescript": "--tsProbeLocations",
    "@angular/language-service": "--ngProbeLocations",
}
_MINIMUM = {"typescript": "5.0", "@angular/language-service": "15.0"}


@dataclass(frozen=True)
class ProbeLocations:
    """What the server failed to resolve, the folders it probed, and where each package it
    needs lies here (the folder to name, its version), when found."""

    package: str
    minimum: str
    probed: tuple[str, ...]
    found: tuple[tuple[str, str, str], ...]  # (package, folder to name, version)

    def why(self) -> str:
        where = (
            "it was given no folder to look in"
            if not self.probed
            else f"none of the folders it was given holds it ({', '.join(self.probed)})"
        )
        return (
            f"it loads {self.package} {self.minimum} or later only from the folders its "
            f"`{OPTIONS[self.package]}` names, and {where}"
        )

    def fix(self) -> str:
        named = " and ".join(
            f"`{option} DIR` ({package} {_MINIMUM[package]} or later)"
            for package, option in OPTIONS.items()
        )
        fix = (
            f"Start it with {named}: each a comma-separated list of folders whose node_modules "
            "(or a parent's) holds that package, both required (`ngserver --help` lists them, "
            "but fails the same way before it prints them)."
        )
        if {package for package, _, _ in self.found} == set(OPTIONS):
            given = " ".join(f"{OPTIONS[package]} {folder}" for package, folder, _ in self.found)
            fix += f" Here: `{given}`."
        elif self.found:
            fix += " Here: " + "; ".join(
                f"{package} {version} lies in {folder}/node_modules"
                for package, folder, version in self.found
            )
            fix += "; install the other one (`npm install typescript @angular/language-service`)."
        else:
            fix += (
                " Neither was found beside it or in its folder: install them "
                "(`npm install typescript @angular/language-service`) and name that folder."
            )
        return fix

    def evidence(self) -> Evidence:
        found = "; ".join(
            f"{package} {version} in {folder}/node_modules"
            for package, folder, version in self.found
        )
        return Evidence(
            f"probed {json.dumps(list(self.probed))}" + (f"; found {found}" if found else ""),
            "its stderr; package.json of each package found",
            "the folders it looked in, and where the packages it needs lie here",
        )


def probe_locations(stderr: str, spec: WorkerSpec) -> ProbeLocations | None:
    """The package an Angular language server failed to load from its probe locations."""
    failed = _FAILED.search(stderr)
    if failed is None:
        return None
    module = failed["module"]
    package = next((p for p in OPTIONS if module == p or module.startswith(p + "/")), None)
    if package is None:
        return None
    try:
        probed = tuple(str(p) for p in json.loads(failed["probed"]))
    except ValueError:
        return None
    frame = _FRAME.search(stderr)
    starts = [spec.cwd or os.getcwd()]  # the workspace's own packages first, as editors do
    if frame is not None:
        starts.append(str(Path(frame["file"]).parent))
    found = tuple(hit for p in OPTIONS if (hit := _lies(p, starts)) is not None)
    return ProbeLocations(package, failed["min"], probed, found)


def _lies(package: str, starts: list[str]) -> tuple[str, str, str] | None:
    """The first folder from `starts` up whose node_modules holds `package` at its minimum
    version or later: (package, that folder, its version), as its package.json says."""
    for start in starts:
        for folder in (Path(start), *Path(start).parents):
            if folder.name == "node_modules":
                continue
            version = _version(folder / "node_modules" / package / "package.json")
            if version is not None and _at_least(version, _MINIMUM[package]):
                return package, str(folder), version
    return None


def _version(package_json: Path) -> str | None:
    try:
        version = json.loads(package_json.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError, AttributeError):
        return None
    return version if isinstance(version, str) else None


def _at_least(version: str, minimum: str) -> bool:
    def parts(v: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", v)[:2])

    return parts(version) >= parts(minimum)
