"""The line of an installed Python server's own code that prints the text found on its framed
stdout: office-word-mcp-server 1.1.11 (PyPI) runs `print("Loading configuration from .env
file...")` at the top of word_document_server/main.py, before its MCP server starts, so the
first line of its stdout is that. Its user can change no setting of the pool's to move it: the
line is named, and the fix is the server's code (its authors', or the installed copy's line).

The server's package is found from its console script (`from word_document_server.main import
run_server`) and the interpreter its `#!` line names, whose site-packages holds it; a `print` call
whose string literal (an f-string's fixed parts) spells the text's line is the one."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from poolctl.model import Evidence

FIX_START = "Its own code prints it"
_SCRIPT_READ = 4096  # bytes of a console script read
_FILES_MOST = 3000  # .py files of a package searched at most
_FILE_MOST = 1_000_000  # bytes of one file
_IMPORT = re.compile(r"^from ([A-Za-z_]\w*)(?:\.[\w.]+)? import ", re.M)
_PRINT = re.compile(
    r"\bprint\(\s*(?P<prefix>[rRfFuU]{0,2})(?P<q>['\"])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)"
)


@dataclass(frozen=True)
class PrintSite:
    path: Path
    lineno: int
    code: str  # the line, stripped

    def where(self) -> str:
        return f"{self.path}:{self.lineno}"

    def why(self) -> str:
        return f"; its installed code prints it, at {self.where()}: `{self.code}`"

    def fix(self) -> str:
        return (
            f"{FIX_START} ({self.where()}: `{self.code}`), not a setting a pool can change: ask "
            "its authors to write it to stderr (`print(…, file=sys.stderr)`) or install a "
            "release that does, or add `file=sys.stderr` to that line of the installed copy "
            "(lost when it is installed again); stdout carries frames only."
        )

    def evidence(self) -> Evidence:
        return Evidence(self.code, self.where(), "the line of its installed code that prints it")


def printed_by(argv: tuple[str, ...], cwd: str | None, stdout: bytes) -> PrintSite | None:
    """The `print` of the installed package behind the console script `argv[0]` that wrote the
    first line of `stdout`, or None."""
    line = next(
        (ln.strip() for ln in stdout.decode("utf-8", "replace").splitlines() if ln.strip()), ""
    )
    if len(line) < 6 or not argv:
        return None
    for package in _packages(argv[0], cwd):
        files = [package] if package.is_file() else sorted(package.rglob("*.py"))[:_FILES_MOST]
        for path in files:
            found = _print_in(path, line)
            if found is not None:
                return found
    return None


def _packages(program: str, cwd: str | None) -> list[Path]:
    """The top-level packages (or modules) a console script imports, in the site-packages of
    the interpreter its `#!` line names."""
    found = shutil.which(program, path=None) if "/" not in program else program
    script = Path(cwd or ".", found) if found else None
    try:
        head = script.open("rb").read(_SCRIPT_READ).decode("utf-8", "replace") if script else ""
    except OSError:
        return []
    first = head.split("\n", 1)[0]
    if not first.startswith("#!") or "python" not in first:
        return []
    interpreter = Path(first[2:].strip().split()[0])
    prefix = interpreter.parent.parent
    packages = []
    for name in dict.fromkeys(_IMPORT.findall(head)):
        for site in sorted(prefix.glob("lib/python3*/site-packages")):
            for candidate in (site / name, site / f"{name}.py"):
                if candidate.exists():
                    packages.append(candidate)
    return packages


def _print_in(path: Path, line: str) -> PrintSite | None:
    try:
        if path.stat().st_size > _FILE_MOST:
            return None
        source = path.read_text("utf-8", "replace")
    except OSError:
        return None
    if "print(" not in source:
        return None
    for lineno, code in enumerate(source.splitlines(), start=1):
        for call in _PRINT.finditer(code):
            if _spells(call["text"], "f" in call["prefix"].lower(), line):
                return PrintSite(path, lineno, code.strip())
    return None


def _spells(literal: str, formatted: bool, line: str) -> bool:
    """Whether the string `literal` (an f-string's when `formatted`) prints `line`."""
    if not formatted:
        return literal.strip() == line
    parts = re.split(r"\{[^{}]*\}", literal)
    if not any(p.strip() for p in parts):
        return False
    return re.fullmatch(".*".join(re.escape(p) for p in parts), line) is not None
