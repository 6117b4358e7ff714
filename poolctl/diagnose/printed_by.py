"""The line of an installed Python or Node server's own code that prints the text found on its
framed stdout: office-word-mcp-server 1.1.11 (PyPI) runs `print("Loading configuration from .env
file...")` at the top of word_document_server/main.py, before its MCP server starts, so the
first line of its stdout is that. Its user can change no setting of the pool's to move it: the
line is named, and the fix is the server's code (its authors', or the installed copy's line).

The server's package is found from its console script (`from word_document_server.main import
run_server`) and the interpreter its `#!` line names, whose site-packages holds it; a `print` call
whose string literal (an f-string's fixed parts) spells the text's line is the one. A Node server's
package is the one its script belongs to (@gongrzhe/server-gmail-autoauth-mcp 1.1.11's
`console.log('OAuth keys found in current directory, copied to global config.')`)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from poolctl.model import Evidence

FIX_START = "Its own code prints it"
_SCRIPT_READ = 4096  # bytes of a console script read
_FILES_MOST = 3000  # .py files of a package searched at most
_FILE_MOST = 1_000_000  # bytes of one file
_IMPORT = re.compile(r"^from ([A-Za-z_]\w*)(?:\.[\w.]+)? import ", re.M)
# Node's: console.log or console.info with a string literal first ('…', "…", or a template)
_CONSOLE = re.compile(
    r"\bconsole\.(?:log|info)\(\s*(?P<q>['\"`])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)(?P<more>\s*,)?"
)
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
        to_stderr, edit = (
            ("`console.error(…)`", "make it `console.error`")
            if self.path.suffix != ".py"
            else ("`print(…, file=sys.stderr)`", "add `file=sys.stderr`")
        )
        return (
            f"{FIX_START} ({self.where()}: `{self.code}`), not a setting a pool can change: ask "
            f"its authors to write it to stderr ({to_stderr}) or install a release that does, "
            f"or {edit} in that line of the installed copy (lost when it is installed again); "
            "stdout carries frames only."
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
    for package in [*_packages(argv[0], cwd), *_node_package(argv[0], cwd)]:
        if (package / "package.json").is_file():  # a Node package's own code, not its deps'
            files = list(islice(_own_scripts(package), _FILES_MOST))
        elif package.is_file():
            files = [package]
        else:
            files = sorted(package.rglob("*.py"))
        files = files[:_FILES_MOST]
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


def _node_package(program: str, cwd: str | None) -> list[Path]:
    """The folder of the npm package whose script `program` is (node_modules/.bin's link
    followed, then up to the nearest package.json): its .js files are searched."""
    found = shutil.which(program) if "/" not in program else program
    if not found:
        return []
    script = Path(cwd or ".", found).resolve()
    try:
        first = script.open("rb").readline(200).decode("utf-8", "replace")
    except OSError:
        return []
    if script.suffix not in (".js", ".mjs", ".cjs") and "node" not in first:
        return []
    for folder in script.parents:
        if folder.name == "node_modules":
            break
        if (folder / "package.json").is_file():  # an installed package: under node_modules
            return [folder] if "node_modules" in folder.parts else []
    return []


def _own_scripts(package: Path) -> Iterator[Path]:
    """The .js, .mjs and .cjs files of `package`, its node_modules left out."""
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if d != "node_modules")
        for name in sorted(names):
            if name.endswith((".js", ".mjs", ".cjs")):
                yield Path(folder, name)


def _print_in(path: Path, line: str) -> PrintSite | None:
    try:
        if path.stat().st_size > _FILE_MOST:
            return None
        source = path.read_text("utf-8", "replace")
    except OSError:
        return None
    node = path.suffix != ".py"
    if ("console." if node else "print(") not in source:
        return None
    for lineno, code in enumerate(source.splitlines(), start=1):
        for call in (_CONSOLE if node else _PRINT).finditer(code):
            formatted = call["q"] == "`" if node else "f" in call["prefix"].lower()
            more = node and call["more"] is not None  # more arguments, printed after it
            if _spells(call["text"], formatted, line, more):
                return PrintSite(path, lineno, code.strip())
    return None


def _spells(literal: str, formatted: bool, line: str, more: bool = False) -> bool:
    """Whether the string `literal` (an f-string's or a template's when `formatted`) prints
    `line`, or begins it when `more` arguments follow it."""
    parts = re.split(r"\$?\{[^{}]*\}", literal) if formatted else [literal.strip()]
    if not any(p.strip() for p in parts):
        return False
    spelled = ".*".join(re.escape(p) for p in parts) + (" .*" if more else "")
    return re.fullmatch(spelled, line) is not None
