"""A Node worker started as the entry file of a library: the package's `main`, with no `bin`
(@shopify/theme-language-server-node 2.22.2's dist/index.js). Run as a script it defines its
exports (`exports.startServer = startServer`) and exits with code 0, saying nothing and
reading nothing: no server starts until something calls the function it exports."""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from poolctl.model import Evidence

# `exports.startServer = startServer;` (TypeScript's CommonJS), `exports.run = function`,
# `export function startServer(`, `export async function main(`
_EXPORTED = re.compile(
    r"^\s*(?:exports\.(\w+)\s*=\s*(?:\1\b|(?:async\s+)?function\b)"
    r"|export\s+(?:async\s+)?function\s+(\w+))",
    re.M,
)
# the names of a function that starts a server
_STARTS = re.compile(r"^(?:start|run|serve|listen|main|launch)", re.I)


@dataclass(frozen=True)
class LibraryEntry:
    """The library whose entry file the worker ran, and what it exports to start it."""

    script: Path
    package: Path  # the package's folder
    name: str  # its package.json `name`
    starters: tuple[str, ...]  # exported functions whose names say they start it

    def why(self) -> str:
        exported = ", ".join(f"`{s}`" for s in self.starters)
        return (
            f"; {self.script.name} is the entry of the library {self.name} (its package.json's "
            f"`main`, with no `bin`): run as a script it only defines its exports"
            + (f" ({exported})" if exported else "")
            + " and exits, starting no server"
        )

    def fix(self) -> str:
        if not self.starters:
            return (
                f"Start it as its package says, not by running its `main` file: {self.name} is "
                "a library, and its README names the function that starts the server."
            )
        call = f"require({json.dumps(str(self.package))}).{self.starters[0]}()"
        return (
            f"Call the function it exports to start the server: `node -e {shlex.quote(call)}` "
            f"(running {self.script.name} only defines it)."
        )

    def evidence(self) -> Evidence:
        return Evidence(
            f"main: {self.script.name}; no bin",
            str(self.package / "package.json"),
            "the package's entry file is a library's, and it names no program to run",
        )


def library_entry(argv: Sequence[str], cwd: str | None) -> LibraryEntry | None:
    """The library when `argv` runs a package's `main` file with node and the package has no
    `bin` (None otherwise)."""
    if len(argv) < 2 or os.path.basename(argv[0]) not in ("node", "nodejs"):
        return None
    script_arg = next((a for a in argv[1:] if not a.startswith("-")), None)
    if script_arg is None:
        return None
    script = Path(cwd or ".", script_arg).resolve()
    found = next((d for d in script.parents if (d / "package.json").is_file()), None)
    if not script.is_file() or found is None:
        return None
    try:
        meta = json.loads((found / "package.json").read_text("utf-8"))
        text = script.read_text("utf-8", "replace")
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("bin"):
        return None
    main = (found / str(meta.get("main") or "index.js")).resolve()
    if script not in (main, main.with_suffix(main.suffix + ".js")):
        return None
    names = (a or b for a, b in _EXPORTED.findall(text))
    starters = tuple(dict.fromkeys(n for n in names if _STARTS.match(n)))
    return LibraryEntry(script, found, str(meta.get("name") or found.name), starters)
