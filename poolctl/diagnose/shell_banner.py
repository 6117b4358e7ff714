"""The shell line that wrote the text on a worker's framed stdout, when the worker is a shell
wrapping its server: `sh -c 'echo Starting…; exec server'`, or a script whose `#!` names a
shell. Its `echo` or `printf` goes to the same stdout as the server's frames after `exec`; the
server itself may write nothing but frames (emmet-ls, pylsp and mcp-server-sequential-thinking
started so all answer behind the banner). Or the line that merges a command's stderr into that
stdout (`server 2>&1`), seen in the script when the process it started is gone from /proc (it
exited, and the shell runs on)."""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from poolctl.languages import command_language
from poolctl.model import Evidence

_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash"})
# an echo or printf command, up to the end of its command (`;`, `&&`, `||`, `|`, a line's end)
_ECHO = re.compile(r"(?:^|[;&|]\s*|\bthen\s+|\bdo\s+)((?:echo|printf)\b[^;&|\n]*)", re.M)
_TO_STDERR = re.compile(r"(?:1?>&2|>\s*/dev/stderr)")
# a command whose stderr goes where its stdout goes (`2>&1`, bash's `|&` into the next
# command), up to the end of that command
_MERGE = re.compile(
    r"(?:^|[;&|(]\s*|\bthen\s+|\bdo\s+|\bexec\s+)([^;&|\n]*?(?:2>&1|\|&)[^;\n]*)", re.M
)
# its stdout sent elsewhere (`>/dev/null 2>&1`, `> log 2>&1`): its stderr goes there too, or
# is read no more by the pipe the worker's stdout is
_STDOUT_ELSEWHERE = re.compile(r"(?:^|[^\d&>])1?>>?\s*(?!&)\S")
_VARIABLE = re.compile(r"\$\{?\w+\}?|\$\([^)]*\)|%s")  # a variable, a command, printf's %s
_SCRIPT_HEAD = 256 * 1024  # read no more of a script than this
ECHO_FIX_START = "Send the text to stderr in"  # how a wrapper's echo's fix begins


@dataclass(frozen=True)
class ShellEcho:
    line: str  # `echo "Starting $NAME"`
    origin: str  # the script's path, or "the worker's command (sh -c)"
    where: str  # "its `sh -c` command", "its script start.sh"

    def evidence(self) -> Evidence:
        return Evidence(self.line, self.origin, "the shell line that writes the text to stdout")

    def fix(self) -> str:
        return (
            f"{ECHO_FIX_START} {self.where}: `{self.line} >&2`. A wrapper's echo "
            "writes to the same stdout as its server's frames."
        )


def shell_echo(argv: tuple[str, ...], cwd: str | None, text: bytes) -> ShellEcho | None:
    """The `echo`/`printf` of the worker's shell (`argv`, started in `cwd`) that wrote the
    first line of `text`, when it is a shell's; None otherwise."""
    if command_language(argv, cwd) is not None:  # an interpreter's own launcher (`elixir`)
        return None
    found = _script(argv, cwd)
    first = text.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace").strip()
    if found is None or not first:
        return None
    script, origin, where = found
    for match in _ECHO.finditer(script):
        line = match.group(1).strip()
        if not _TO_STDERR.search(line) and _writes(line, first):
            return ShellEcho(line, origin, where)
    return None


@dataclass(frozen=True)
class ShellMerge:
    line: str  # `server --stdio 2>&1`
    origin: str  # the script's path, or "the worker's command"
    where: str  # "its `sh -c` command", "its script start.sh"

    def evidence(self) -> Evidence:
        return Evidence(
            f"{self.where} merges a command's stderr into the stdout pipe: `{self.line}`",
            self.origin,
            "what that command writes to stderr comes on the framed stdout",
        )

    def fix(self) -> str:
        change = "take the `2>&1` out of" if "2>&1" in self.line else "write `|` for `|&` in"
        return (
            f"Keep stderr apart from the framed stdout: {change} `{self.line}` in {self.where} "
            "(its stderr then goes to the worker's stderr, which a pool reads or logs apart), or "
            "have that command log to a file."
        )


def shell_merge(argv: tuple[str, ...], cwd: str | None) -> ShellMerge | None:
    """The line of the worker's shell (`argv`, started in `cwd`) that merges a command's stderr
    into its stdout; None when the worker is no shell, or no line does."""
    if command_language(argv, cwd) is not None:
        return None
    found = _script(argv, cwd)
    if found is None:
        return None
    script, origin, where = found
    for match in _MERGE.finditer(script):
        line = match.group(1).strip()
        if line and not line.startswith("#") and not _STDOUT_ELSEWHERE.search(line):
            return ShellMerge(line, origin, where)
    return None


def _script(argv: tuple[str, ...], cwd: str | None) -> tuple[str, str, str] | None:
    """The shell text the worker runs, where it was read, and how to name it."""
    if not argv:
        return None
    if Path(argv[0]).name in _SHELLS:
        if "-c" in argv[1:-1]:
            return argv[argv.index("-c") + 1], "the worker's command", f"its `{argv[0]} -c` command"
        if len(argv) > 1 and not argv[1].startswith("-"):
            return _read(argv[1], cwd, shebang=False)
        return None
    return _read(argv[0], cwd, shebang=True)


def _read(name: str, cwd: str | None, shebang: bool) -> tuple[str, str, str] | None:
    path = Path(cwd or ".") / name if "/" in name else Path(shutil.which(name) or name)
    try:
        with path.open("rb") as f:
            data = f.read(_SCRIPT_HEAD).decode("utf-8", "replace")
    except OSError:
        return None
    head = data.split("\n", 1)[0]
    if shebang and not (head.startswith("#!") and _names_shell(head[2:])):
        return None
    return data, str(path.absolute()), f"its script {path.name}"


def _names_shell(interpreter: str) -> bool:
    """`/bin/sh`, `/usr/bin/env bash`: a shell runs the script."""
    words = interpreter.split()
    names = [Path(w).name for w in words[:2]]
    return bool(names) and (names[0] in _SHELLS or (names[0] == "env" and names[-1] in _SHELLS))


def _writes(command: str, first: str) -> bool:
    """Whether `echo …`/`printf …` writes `first` as its first line (a variable stands for any
    text: `echo "Starting $NAME"` writes 'Starting emmet-ls')."""
    try:
        words = shlex.split(command, posix=True)
    except ValueError:
        return False
    args = [w for w in words[1:] if not (words[0] == "echo" and w in ("-n", "-e", "-E"))]
    said = " ".join(args).replace("\\n", "\n").split("\n", 1)[0].strip()
    if not _VARIABLE.sub("", said).strip(" \t\"'"):  # a variable alone may be any line at all
        return False
    pattern = ".*".join(re.escape(part) for part in _VARIABLE.split(said))
    return re.fullmatch(pattern, first) is not None
