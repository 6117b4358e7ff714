"""A Python server that dies importing from one of its dependencies a name the installed release
of it does not have: built for another release than pip installed beside it (its requirement
lets a newer one in). cmake-language-server 0.1.11 asks `pygls>=1.1.1` and imports
`LanguageServer` from `pygls.server`, gone in pygls 2; awslabs' MCP servers import
`mcp.server.fastmcp`, gone in mcp 2, whose error says `pin 'mcp<2' to keep running v1 code`.
The traceback names the server's importing file and the module; the distributions' metadata
beside them (`*.dist-info`) give the releases and the requirement."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from poolctl.model import Evidence

_CANNOT_IMPORT = re.compile(
    r"^ImportError: cannot import name '(?P<name>\w+)' from '(?P<module>[\w.]+)'"
)
_NO_MODULE = re.compile(r"^ModuleNotFoundError: No module named '(?P<module>[\w.]+)'")
_FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+), in ')
_PIN = re.compile(r"\bpin (?P<pin>'[^']+'|\"[^\"]+\"|`[^`]+`)[^.;]*")
_NAME = re.compile(r"^[A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Mismatch:
    """The server's release and requirement, the dependency's installed release, and what it
    lacks."""

    server: str  # `cmake-language-server 0.1.11`
    asks: str  # its requirement on the dependency (`pygls>=1.1.1`), "" when it states none
    dependency: str  # `pygls`
    installed: str  # `2.1.1`
    lacks: str  # `LanguageServer from pygls.server`, `the module mcp.server.fastmcp`
    where: str  # the server's file and line that imported it
    advice: str  # what the error itself advises (`pin 'mcp<2' to keep running v1 code`), or ""
    origin: str  # where the releases were read (`…/site-packages/*.dist-info`)
    verb: str = "does not have"  # what the installed release does not do with it
    asked_in: str = "its metadata"  # where the server states its requirement

    def why(self) -> str:
        asks = f" ({self.asked_in} asks `{self.asks}`)" if self.asks else ""
        return (
            f"{self.server}{asks} imports {self.lacks}, which the installed {self.dependency} "
            f"{self.installed} {self.verb}: it was built for another release of "
            f"{self.dependency}"
        )

    def fix(self) -> str:
        said = f" (its error says how: `{self.advice}`)" if self.advice else ""
        return (
            f"Install beside it a release of {self.dependency} that has what it imports, not "
            f"the {self.installed} installed{said}, or a release of the server made for "
            f"{self.dependency} {self.installed}: the pool's settings are not the cause."
        )

    def evidence(self) -> Evidence:
        asks = f"; {self.server} asks `{self.asks}`" if self.asks else ""
        return Evidence(
            f"{self.dependency} {self.installed} installed{asks}; imported at {self.where}",
            self.origin,
            "the releases installed beside the server, and what it asks",
        )


def release_mismatch(stderr: str) -> Mismatch | None:
    """The mismatch behind a traceback that ends on a failed import from a dependency, when the
    server's and the dependency's distributions are found beside the importing file."""
    lines = stderr.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        m = _CANNOT_IMPORT.match(lines[i]) or _NO_MODULE.match(lines[i])
        if m is not None:
            break
    else:
        return None
    module = m["module"]
    top = module.split(".")[0]
    lacks = f"`{m['name']}` from {module}" if "name" in m.re.groupindex else f"the module {module}"
    importer = _importer(lines[:i], top)
    if importer is None:
        return None
    file, line = importer
    found = _distributions(Path(file))
    if found is None:
        return None
    site, dists = found
    server = _owner(dists, site, Path(file))
    dependency = _owner_of_package(dists, top)
    if server is None or dependency is None or server is dependency:
        return None
    dep_name = dependency.metadata["Name"]
    wanted = _canonical(dep_name)
    asks = next((r.split(";")[0].strip() for r in server.requires or [] if _names(r, wanted)), "")
    pin = _PIN.search(lines[i])
    return Mismatch(
        server=f"{server.metadata['Name']} {server.version}",
        asks=asks,
        dependency=dep_name,
        installed=dependency.version,
        lacks=lacks,
        where=f"{file}:{line}",
        advice=pin.group(0).strip() if pin else "",
        origin=f"{site}/*.dist-info",
    )


def _importer(frames: list[str], top: str) -> tuple[str, str] | None:
    """The last traceback frame outside package `top` that imports from it."""
    for k in range(len(frames) - 2, -1, -1):
        f = _FRAME.match(frames[k])
        code = frames[k + 1].strip()
        if f is None or not re.match(rf"(?:from|import)\s+{re.escape(top)}\b", code):
            continue
        if f"/{top}/" in f["file"]:
            continue
        return f["file"], f["line"]
    return None


def _distributions(file: Path) -> tuple[Path, list[metadata.Distribution]] | None:
    """The folder above `file` that holds distributions' metadata, and those distributions."""
    for folder in list(file.parents)[:5]:
        if any(folder.glob("*.dist-info")):
            return folder, list(metadata.distributions(path=[str(folder)]))
    return None


def _owner(
    dists: list[metadata.Distribution], site: Path, file: Path
) -> metadata.Distribution | None:
    try:
        relative = file.relative_to(site).as_posix()
    except ValueError:
        return None
    for d in dists:
        if any(p.as_posix() == relative for p in d.files or ()):
            return d
    return None


def _owner_of_package(dists: list[metadata.Distribution], top: str) -> metadata.Distribution | None:
    for d in dists:
        if any(p.parts[:1] == (top,) for p in d.files or ()):
            return d
    return None


def _names(requirement: str, canonical: str) -> bool:
    """Whether a Requires-Dist entry (`pygls>=1.1.1`) is on the distribution so named."""
    name = _NAME.match(requirement)
    return name is not None and _canonical(name.group(0)) == canonical


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
