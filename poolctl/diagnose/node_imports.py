"""A Node server that dies on an import the installed code cannot serve. An ES module import
naming a file without its extension: Node's ES module loader takes the path as written, while
CommonJS and bundlers add `.js`. The error names the path it looked for (`Cannot find module
'…/sdk/dist/esm/server/mcp' imported from …/dist/index.js`: heroku-mcp-server 1.2.8 imports
`@modelcontextprotocol/sdk/server/mcp`, which the SDK's exports map to that path); the file
system shows the file beside it with `.js`. Or a subpath of a dependency that the installed
release does not export (sql-language-server 1.7.1, asking `vscode-languageserver-protocol
^3.15.3`, requires its `./lib/common/protocol`, which 3.18.5 does not export), or an export
its installed release does not provide (vscode-markdown-languageservice 0.5.0-alpha.13, asking
`vscode-uri ^3.0.7`, does `import uri from 'vscode-uri'`: 3.0.7 has no "exports" and Node hands
its CommonJS module over as the default; from 3.0.8 on its "exports" map ES imports to a module
with no default export): the package.json files of both say which releases they are."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poolctl.model import Evidence

from .dependency_release import Mismatch

_NOT_FOUND = re.compile(r"Cannot find module '(?P<module>/[^']+)' imported from (?P<importer>\S+)")
_EXTENSIONS = (".js", ".mjs", ".cjs")


@dataclass(frozen=True)
class Unextended:
    """The import that named a file without its extension, and the file that is there."""

    module: str
    importer: str
    found: str

    def why(self) -> str:
        return (
            f"`{self.module}` is not there, `{self.found}` is: the import leaves out the "
            "file's extension, which Node's ES module loader does not add"
        )

    def fix(self) -> str:
        return (
            f"Its own code ({self.importer}) imports a module that Node resolves to "
            f"`{self.module}`, without `{self.ext}`, and Node runs ES modules only with the file "
            "named whole: a fault of this release of the server, not of how it is started. Use a "
            "release whose imports name the file, or report it to its authors."
        )

    @property
    def ext(self) -> str:
        return self.found[len(self.module) :]

    def evidence(self) -> Evidence:
        return Evidence(
            f"{self.found} exists; {self.module} does not",
            "the file system",
            "the module it looked for, and the file beside it",
        )


def extensionless_import(exc: str) -> Unextended | None:
    """The import behind a `Cannot find module '/path' imported from …` error, when the path is
    missing and a file of the same name with a JavaScript extension is there."""
    m = _NOT_FOUND.search(exc)
    if m is None or os.path.exists(m["module"]):
        return None
    for ext in _EXTENSIONS:
        if os.path.isfile(m["module"] + ext):
            return Unextended(m["module"], m["importer"], m["module"] + ext)
    return None


_NOT_EXPORTED = re.compile(
    r"Package subpath '(?P<sub>[^']+)' is not defined by \"exports\" in "
    r"(?P<manifest>\S+package\.json)"
)
# a stack frame of the code that asked for it: `at Object.<anonymous> (/…/dist/src/x.js:30:20)`
_FRAME = re.compile(r"^\s+at (?:.* \()?(?P<file>/[^():]+):(?P<line>\d+):\d+\)?$", re.M)


def unexported_subpath(stderr: str) -> Mismatch | None:
    """The releases behind an `ERR_PACKAGE_PATH_NOT_EXPORTED`: the dependency's (its
    package.json, named by the error) and the server's (the package.json above the first stack
    frame outside node's own code and that dependency), with what the server asks of it."""
    m = _NOT_EXPORTED.search(stderr)
    if m is None:
        return None
    dependency = _manifest(Path(m["manifest"]))
    if dependency is None:
        return None
    folder = str(Path(m["manifest"]).parent)
    caller = next(
        (f for f in _FRAME.finditer(stderr, m.end()) if not f["file"].startswith(folder)), None
    )
    found = manifest_above(Path(caller["file"])) if caller else None
    if found is None:
        return None
    manifest, server = found
    name = str(dependency.get("name", ""))
    wants = {**server.get("dependencies", {}), **server.get("peerDependencies", {})}.get(name)
    return Mismatch(
        server=f"{server.get('name')} {server.get('version')}",
        asks=f"{name} {wants}" if wants else "",
        dependency=name,
        installed=str(dependency.get("version", "?")),
        lacks=f"`{m['sub']}` of {name}",
        where=f"{caller['file']}:{caller['line']}" if caller else "",
        advice="",
        origin=f"{m['manifest']}, {manifest}",
        verb="does not export",
        asked_in="its package.json",
    )


def _manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("name") else None


def manifest_above(file: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest package.json above `file` that names a package, and its contents."""
    for folder in list(file.parents)[:8]:
        data = _manifest(folder / "package.json")
        if data is not None:
            return folder / "package.json", data
    return None


_NO_EXPORT = re.compile(
    r"^SyntaxError: The requested module '(?P<module>[^'./][^']*)' does not provide an export "
    r"named '(?P<name>[^']+)'",
    re.M,
)
# where Node's ES module loader quotes the failing import: `file:///…/out/util/vscodeUri.js:5`
_IMPORTER = re.compile(r"^file://(?P<file>/\S+?):(?P<line>\d+)$", re.M)


def missing_export(stderr: str) -> Mismatch | None:
    """The releases behind `SyntaxError: The requested module 'dep' does not provide an export
    named 'x'`: the importing file's package (the package.json above the file Node quotes before
    the error) and the dependency's, installed in a `node_modules` above that file."""
    m = _NO_EXPORT.search(stderr)
    at = _IMPORTER.search(stderr, 0, m.start()) if m is not None else None
    if m is None or at is None:
        return None
    file = Path(at["file"])
    found = manifest_above(file)
    parts = m["module"].split("/")
    name = "/".join(parts[:2] if parts[0].startswith("@") else parts[:1])
    installed = next(
        (
            (folder / "node_modules" / name / "package.json", data)
            for folder in list(file.parents)[:12]
            if (data := _manifest(folder / "node_modules" / name / "package.json")) is not None
        ),
        None,
    )
    if found is None or installed is None:
        return None
    manifest, server = found
    wants = {**server.get("dependencies", {}), **server.get("peerDependencies", {})}.get(name)
    return Mismatch(
        server=f"{server.get('name')} {server.get('version')}",
        asks=f"{name} {wants}" if wants else "",
        dependency=name,
        installed=str(installed[1].get("version", "?")),
        lacks=f"the export `{m['name']}` of {m['module']}",
        where=f"{file}:{at['line']}",
        advice="",
        origin=f"{installed[0]}, {manifest}",
        verb="does not provide",
        asked_in="its package.json",
    )
