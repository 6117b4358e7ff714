"""A Python server that dies importing from one of its dependencies a name the installed release
of it does not have: built for another release than pip installed beside it (its requirement
lets a newer one in). cmake-language-server 0.1.11 asks `pygls>=1.1.1` and imports
`LanguageServer` from `pygls.server`, gone in pygls 2; awslabs' MCP servers import
`mcp.server.fastmcp`, gone in mcp 2, whose error says `pin 'mcp<2' to keep running v1 code`.
So too one that uses an attribute its dependency's class or module has no more: mcp-server-sqlite
2025.4.25 (`mcp[cli]>=1.6.0`) calls `@server.list_resources()` on the `Server` it imports from
`mcp.server.lowlevel`, and mcp 2.3.0's has no such method (`AttributeError: 'Server' object has no
attribute 'list_resources'`). The traceback names the server's importing file and the module (for
a class, the file's own import of it); the distributions' metadata beside them (`*.dist-info`)
give the releases and the requirement. A server that imports a package no distribution beside it
provides, and that its metadata does not ask for, relied on another package to bring it:
mcp-server-sentry 2025.1.14 asks only `mcp>=1.0.0` and imports httpx, which mcp 2.3.0 brings no
more (`ModuleNotFoundError: No module named 'httpx'`). A class a C extension defines is named
with its module: requirements-language-server 0.0.21 calls `parser.set_language(…)` on the
`Parser` it imports from tree_sitter, which tree-sitter 0.26.1 has no more (`AttributeError:
'tree_sitter.Parser' object has no attribute 'set_language'`)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from poolctl.model import Evidence

_CANNOT_IMPORT = re.compile(
    r"^ImportError: cannot import name '(?P<name>\w+)' from '(?P<module>[\w.]+)'"
)
_NO_MODULE = re.compile(r"^ModuleNotFoundError: No module named '(?P<module>[\w.]+)'")
_NO_ATTRIBUTE = re.compile(
    r"^AttributeError: (?:'(?P<cls>[\w.]+)' object|module '(?P<module>[\w.]+)') "
    r"has no attribute '(?P<attr>\w+)'"
)
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
    uses: str = "imports"  # how the server reaches what is lacking

    def why(self) -> str:
        asks = f" ({self.asked_in} asks `{self.asks}`)" if self.asks else ""
        return (
            f"{self.server}{asks} {self.uses} {self.lacks}, which the installed {self.dependency} "
            f"{self.installed} {self.verb}: it was built for another release of "
            f"{self.dependency}"
        )

    def fix(self) -> str:
        said = f" (its error says how: `{self.advice}`)" if self.advice else ""
        return (
            f"Install beside it a release of {self.dependency} that has what it {self.uses}, not "
            f"the {self.installed} installed{said}, or a release of the server made for "
            f"{self.dependency} {self.installed}: the pool's settings are not the cause."
        )

    @property
    def done(self) -> str:
        return "imported" if self.uses == "imports" else "used"

    def evidence(self) -> Evidence:
        asks = f"; {self.server} asks `{self.asks}`" if self.asks else ""
        return Evidence(
            f"{self.dependency} {self.installed} installed{asks}; {self.done} at {self.where}",
            self.origin,
            "the releases installed beside the server, and what it asks",
        )


def release_mismatch(stderr: str) -> Mismatch | Undeclared | None:
    """The mismatch behind a traceback that ends on a failed import from a dependency, or on an
    attribute missing from one of its classes or modules, when the server's and the dependency's
    distributions are found beside the server's file."""
    lines = stderr.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        m = _CANNOT_IMPORT.match(lines[i]) or _NO_MODULE.match(lines[i])
        if m is not None:
            break
        if (a := _NO_ATTRIBUTE.match(lines[i])) is not None:
            return _attribute_mismatch(lines[:i], a)
    else:
        return None
    if "is not a package" in lines[i]:  # the name is a plain module: no release of a package
        return None  # (a module of that name hid the package: poolctl/diagnose/shadowed.py)
    module = m["module"]
    top = module.split(".")[0]
    lacks = f"`{m['name']}` from {module}" if "name" in m.re.groupindex else f"the module {module}"
    importer = _importer(lines[:i], top)
    if importer is None:
        return None
    file, line = importer
    pin = _PIN.search(lines[i])
    found = _between(file, line, module, lacks, pin.group(0).strip() if pin else "", "imports")
    if found is None and module == top and m.re is _NO_MODULE:
        return _undeclared(file, line, top)
    return found


@dataclass(frozen=True)
class Undeclared:
    """A package the server imports that nothing installed beside it provides."""

    server: str  # `mcp-server-sentry 2025.1.14`
    module: str  # `httpx`
    asks: str  # its requirement naming the module's package, "" when it states none
    requires: tuple[str, ...]  # every requirement of its metadata
    where: str  # the server's file and line that imported it
    origin: str  # where the distributions were read (`…/site-packages/*.dist-info`)
    pip: str  # the environment's own pip (`/venv/bin/python -m pip`), or "pip"

    def why(self) -> str:
        said = f"`{'`, `'.join(self.requires)}`" if self.requires else "nothing"
        if self.asks:
            return (
                f"{self.server} imports {self.module}, which its metadata asks for "
                f"(`{self.asks}`) and no distribution beside it provides: its install is broken"
            )
        return (
            f"{self.server} imports {self.module}, which no distribution beside it provides and "
            f"its metadata does not ask for (it asks {said}): a dependency it does not declare"
        )

    def fix(self) -> str:
        if self.asks:
            return (
                f"Install {self.server.split()[0]} again in that environment (`{self.pip} "
                f"install --force-reinstall {self.server.split()[0]}`), which installs what its "
                "metadata asks: the pool's settings are not the cause."
            )
        return (
            f"Install {self.module}'s package beside it (`{self.pip} install {self.module}`, if "
            f"that is its name): installing {self.server.split()[0]} does not bring it, as its "
            "metadata does not ask for it; the pool's settings are not the cause."
        )

    def evidence(self) -> Evidence:
        said = ", ".join(self.requires) or "nothing"
        return Evidence(
            f"{self.server} asks {said}; no distribution beside it provides {self.module}; "
            f"imported at {self.where}",
            self.origin,
            "the distributions installed beside the server, and what it asks",
        )


def _undeclared(file: str, line: str, top: str) -> Undeclared | None:
    """The package `top` that `file` imports when no distribution beside it provides it."""
    found = _distributions(Path(file))
    if found is None:
        return None
    site, dists = found
    server = _owner(dists, site, Path(file))
    if server is None or _owner_of_package(dists, top) is not None or (site / top).exists():
        return None
    requires = tuple(r.split(";")[0].strip() for r in server.requires or [])
    asks = next((r for r in requires if _names(r, _canonical(top))), "")
    python = site.parents[2] / "bin/python"  # a virtualenv's: <env>/lib/pythonX.Y/site-packages
    pip = f"{python} -m pip" if len(site.parents) > 2 and python.exists() else "pip"
    return Undeclared(
        server=f"{server.metadata['Name']} {server.version}",
        module=top,
        asks=asks,
        requires=requires,
        where=f"{file}:{line}",
        origin=f"{site}/*.dist-info",
        pip=pip,
    )


def _attribute_mismatch(frames: list[str], error: re.Match[str]) -> Mismatch | None:
    """An `AttributeError` raised in the server's own code (the last frame) on a class it imports
    from a dependency, or on a dependency's module, for an attribute that line uses."""
    found = next(
        ((k, f) for k in range(len(frames) - 2, -1, -1) if (f := _FRAME.match(frames[k]))), None
    )
    if found is None:
        return None
    last, frame = found
    attr = error["attr"]
    if f".{attr}" not in frames[last + 1]:  # the line quoted is not the one that used it
        return None
    file = frame["file"]
    if error["module"]:
        module = error["module"]
        lacks = f"`{attr}` of the module {module}"
    else:  # a C extension's class is named with its module (`'tree_sitter.Parser' object`)
        cls = error["cls"]
        module = _imported_from(Path(file), cls.rpartition(".")[2]) or cls.rpartition(".")[0]
        lacks = f"`{attr}` of `{cls}` (from {module})"
    if not module:
        return None
    return _between(file, frame["line"], module, lacks, "", "uses")


def _imported_from(file: Path, name: str) -> str | None:
    """The module `file` imports `name` from (`from mcp.server.lowlevel import Server`)."""
    try:
        tree = ast.parse(file.read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and any((a.asname or a.name) == name for a in node.names)
        ):
            return node.module
    return None


def _between(
    file: str, line: str, module: str, lacks: str, advice: str, uses: str
) -> Mismatch | None:
    """The mismatch when `file` belongs to one distribution and `module` to another, both found
    beside it."""
    top = module.split(".")[0]
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
    return Mismatch(
        server=f"{server.metadata['Name']} {server.version}",
        asks=asks,
        dependency=dep_name,
        installed=dependency.version,
        lacks=lacks,
        where=f"{file}:{line}",
        advice=advice,
        origin=f"{site}/*.dist-info",
        uses=uses,
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
