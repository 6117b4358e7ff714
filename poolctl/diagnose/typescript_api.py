"""A Node server that dies reading TypeScript's compiler API where the `typescript` installed
for it has none: TypeScript 7, the native port, publishes a package whose `require('typescript')`
gives its version alone (`exports["."]` is ./lib/version.cjs; no lib/typescript.js).
@vue/language-server 3.3.11 asks `typescript: *` as a peer; npm installs 7.0.2 beside it, and
the first document request ends it on `TypeError: Cannot read properties of undefined (reading
'protocol')`, thrown at `ts.server.protocol` (lib/server.js:40). The stack names the packages;
a package.json among them that asks for `typescript` leads to the release found from it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from poolctl.model import Evidence

from .node_imports import manifest_above

# what reading an API that is not there throws in Node
_READ_OF_NOTHING = re.compile(
    r"^TypeError: (?:Cannot read properties of undefined \(reading '[^']*'\)"
    r"|[\w$.\[\]'\"]+ is not a (?:function|constructor))$",
    re.M,
)
_FRAME = re.compile(r"^\s+at (?:.* \()?(?:file://)?(?P<file>/[^():]+):(?P<line>\d+):\d+\)?$")


@dataclass(frozen=True)
class NoCompilerApi:
    """The package that asks for `typescript`, and the release without an API it was given."""

    package: str  # `@vue/language-server 3.3.11`
    asks: str  # "`typescript *` as a peer dependency"
    installed: str  # `7.0.2`
    folder: str  # the installed typescript's folder
    exports: str  # what `require('typescript')` loads: `./lib/version.cjs`
    thrown: str
    where: str

    def why(self) -> str:
        return (
            f"{self.package} asks {self.asks}, and the typescript found from it is "
            f"{self.installed} ({self.folder}), whose `require('typescript')` loads "
            f"{self.exports} and has no compiler API (no lib/typescript.js): the error, thrown "
            f"at {self.where}, reads that API most likely (untested)"
        )

    def fix(self) -> str:
        prefix = Path(self.folder).parent.parent
        return (
            f"Install a TypeScript with the compiler API beside it, one whose package holds "
            f"lib/typescript.js (6 or older): `npm install typescript@6` in {prefix} (npm's "
            "`overrides` keep it across installs), or point the server at one where it takes a "
            "TypeScript's path; whether it then serves is untested."
        )

    def evidence(self) -> Evidence:
        return Evidence(
            f'typescript {self.installed}: `exports["."]` {self.exports}, no lib/typescript.js; '
            f"{self.package} asks {self.asks}",
            f"{self.folder}/package.json",
            "the TypeScript the server loads, and what it asks for",
        )


def no_compiler_api(stderr: str) -> NoCompilerApi | None:
    """The reading of a Node `TypeError` under which a package of the stack asks for
    `typescript` and finds a release with no compiler API; None otherwise."""
    m = _READ_OF_NOTHING.search(stderr)
    if m is None:
        return None
    where = ""
    for line in stderr[m.end() :].splitlines()[1:]:
        frame = _FRAME.match(line)
        if frame is None:
            if line.strip().startswith("at "):
                continue  # node's own code (`node:internal/…`)
            break
        where = where or f"{frame['file']}:{frame['line']}"
        found = manifest_above(Path(frame["file"]))
        if found is None:
            continue
        path, manifest = found
        asks = _asks_typescript(manifest)
        installed = _typescript_from(path.parent) if asks else None
        if installed is None:
            continue
        folder, ts = installed
        version = str(ts.get("version", ""))
        if (folder / "lib/typescript.js").exists() or not version[:1].isdigit():
            return None  # its API is there: the error is another's
        exports = ts.get("exports")
        entry = exports.get(".") if isinstance(exports, dict) else ts.get("main")
        return NoCompilerApi(
            package=f"{manifest.get('name')} {manifest.get('version')}",
            asks=asks,
            installed=version,
            folder=str(folder),
            exports=str(entry or "no entry"),
            thrown=m.group(0),
            where=where,
        )
    return None


def _asks_typescript(manifest: dict[str, object]) -> str:
    """How its package.json asks for `typescript` ("" where it does not)."""
    for key, said in (("dependencies", ""), ("peerDependencies", " as a peer dependency")):
        wants = manifest.get(key)
        if isinstance(wants, dict) and isinstance(wants.get("typescript"), str):
            return f"`typescript {wants['typescript']}`{said}"
    return ""


def _typescript_from(package: Path) -> tuple[Path, dict[str, object]] | None:
    """The `typescript` Node's require finds from `package`'s folder, and its package.json."""
    for folder in (package, *package.parents):
        candidate = folder / "node_modules" / "typescript"
        try:
            data = json.loads((candidate / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return (candidate, data) if isinstance(data, dict) else None
    return None
