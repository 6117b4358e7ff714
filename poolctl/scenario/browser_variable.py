"""The environment variable a browser-driving server's own code takes its browser's path from:
@executeautomation/playwright-mcp-server 1.0.12 launches Chromium with `executablePath` set to
`process.env.CHROME_EXECUTABLE_PATH` (dist/toolHandler.js) and has no option for it, so the
`--executable-path` that @playwright/mcp takes would be ignored. Its package's JavaScript is
read (not its dependencies'), the line quoted as `file:line`."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from poolctl.diagnose.node_imports import manifest_above
from poolctl.worker_types import WorkerSpec

# `executablePath = process.env.NAME` or `executablePath: process.env["NAME"]`
_FROM_ENV = re.compile(
    r"""\bexecutablePath\s*[:=]\s*process\.env(?:\.|\[['"])(?P<name>[A-Z][A-Z0-9_]*)"""
)
_MAX_FILES = 400  # a server's own dist; a bundle of thousands is not read through
_MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class BrowserVariable:
    """The variable, and where the server's code reads it (`dist/toolHandler.js:199`)."""

    name: str
    where: str


def browser_variable(spec: WorkerSpec) -> BrowserVariable | None:
    """The variable the server's package reads as its browser's executablePath, or None."""
    program = _program(spec)
    found = manifest_above(program) if program is not None else None
    if found is None:
        return None
    root = found[0].parent
    for path in _own_scripts(root):
        try:
            if path.stat().st_size > _MAX_BYTES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        m = _FROM_ENV.search(text)
        if m is not None:
            line = text.count("\n", 0, m.start()) + 1
            return BrowserVariable(m["name"], f"{path.relative_to(root)}:{line}")
    return None


def _own_scripts(root: Path) -> list[Path]:
    """The package's JavaScript files, its dependencies' (`node_modules`) left out."""
    found: list[Path] = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d != "node_modules")
        found.extend(Path(folder, n) for n in sorted(names) if n.endswith((".js", ".mjs", ".cjs")))
        if len(found) >= _MAX_FILES:
            break
    return found[:_MAX_FILES]


def _program(spec: WorkerSpec) -> Path | None:
    """The server's script: its command, found on the worker's PATH and its links followed
    (`node x.js`: the script after node)."""
    argv = list(spec.argv)
    if argv and Path(argv[0]).name in ("node", "nodejs") and len(argv) > 1:
        argv = argv[1:]
    if not argv:
        return None
    path = spec.environment().get("PATH", os.defpath)
    hit = argv[0] if "/" in argv[0] else shutil.which(argv[0], path=path)
    if hit is None:
        return None
    if spec.cwd and not os.path.isabs(hit):
        hit = os.path.join(spec.cwd, hit)
    real = Path(os.path.realpath(hit))
    return real if real.is_file() else None
