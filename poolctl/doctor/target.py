"""What `doctor` knows about the worker command before running it, and the small helpers every
check shares: the program behind `argv[0]`, whether it runs Python (named directly or through a
shebang), the interpreter's options and what it runs; short bounded subprocess runs.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from poolctl.children import Children
from poolctl.errors import PoolctlError
from poolctl.executable import (
    cannot_reach,
    not_a_program,
    not_on_path,
    read_head,
    why_not_runnable,
)
from poolctl.languages import BINARY_HEAD
from poolctl.model import Check, CheckStatus, Evidence
from poolctl.worker_types import WorkerSpec

PYTHON_NAME = re.compile(r"^(?:python|pypy)(\d+(?:\.\d+)?)?$")  # python, python3, python3.11
# Interpreter options that take a value (`-W error`, `-X importtime`), and those that end them.
OPTIONS_WITH_VALUE = frozenset({"-W", "-X", "--check-hash-based-pycs"})
RunKind = Literal["script", "module", "code", "stdin", "interactive"]


@dataclass(frozen=True)
class PythonCommand:
    """A worker command that runs Python: the interpreter, its options, and what it runs."""

    interpreter: str  # as the command names it: argv[0], or the shebang's program
    interpreter_path: str | None  # found on the worker's PATH (None: not found)
    options: tuple[str, ...]  # interpreter options before what it runs: -u, -X importtime…
    kind: RunKind
    target: str  # the script path, module name or code
    shebang: str = ""  # the shebang line, when the interpreter comes from one

    def expected_version(self) -> str | None:
        """`3.12` for `python3.12`, `3` for `python3`, None for `python`."""
        match = PYTHON_NAME.match(os.path.basename(self.interpreter))
        return match.group(1) if match else None

    def unbuffered_flag(self) -> bool:
        """`-u` among the interpreter options (alone or combined, as `-uB`)."""
        return any(
            o.startswith("-") and not o.startswith("--") and "u" in o[1:] and o[1] not in "WXcm"
            for o in self.options
        )


@dataclass(frozen=True)
class Target:
    """The worker command, resolved the way `exec` will resolve it."""

    spec: WorkerSpec
    env: dict[str, str]
    program: str  # argv[0] as given
    program_path: str | None  # the file that will run (None: not found)
    problem: str  # why it cannot start ("" when it can)
    python: PythonCommand | None
    head: bytes = b""  # the program file's first bytes (a shebang shows here)
    # the run's children: every check's processes are among them (stopped on an interruption)
    children: Children = field(default_factory=Children, compare=False, repr=False)

    @property
    def runnable(self) -> bool:
        return not self.problem

    @property
    def cwd(self) -> str | None:
        return self.spec.cwd

    @property
    def argv_text(self) -> str:
        return shlex.join(self.spec.argv)


def which(program: str, env: dict[str, str], cwd: str | None) -> str | None:
    """Where `program` is, as `exec` finds it: a path relative to `cwd`, or on the env's PATH."""
    if "/" in program:
        path = Path(program) if Path(program).is_absolute() else Path(cwd or ".") / program
        return str(path) if not cannot_reach(path) and path.exists() else None
    return shutil.which(program, path=env.get("PATH", os.defpath))


def shebang_of(head: bytes) -> list[str] | None:
    """The shebang's words (`/usr/bin/env -S python3 -u` → [python3, -u]), None if none."""
    if not head.startswith(b"#!"):
        return None
    line = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    words = line.split()
    if words and os.path.basename(words[0]) == "env":
        words = [w for w in words[1:] if w != "-S"]
    return words


def parse_python_args(args: list[str]) -> tuple[tuple[str, ...], RunKind, str]:
    """Split what follows the interpreter into its options and what it runs."""
    options: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-c", "-m"):
            kind: RunKind = "code" if arg == "-c" else "module"
            return tuple(options), kind, args[i + 1] if i + 1 < len(args) else ""
        if arg.startswith(("-c", "-m")) and not arg.startswith("--"):
            return tuple(options), "code" if arg[1] == "c" else "module", arg[2:]
        if arg == "-":
            return tuple(options), "stdin", ""
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-"):
            break
        options.append(arg)
        if arg in OPTIONS_WITH_VALUE and i + 1 < len(args):
            options.append(args[i + 1])
            i += 1
        i += 1
    if i < len(args):
        return tuple(options), "script", args[i]
    return tuple(options), "interactive", ""


def is_python_name(path: str) -> bool:
    return PYTHON_NAME.match(os.path.basename(path)) is not None


def describe(spec: WorkerSpec, children: Children | None = None) -> Target:
    """Resolve the worker command without running it; the checks that run something start it
    among `children` (the run's)."""
    env = spec.environment()
    program = spec.argv[0]
    found = which(program, env, spec.cwd)
    problem = ""
    head = b""
    if found is None:
        blocked = cannot_reach(Path(spec.cwd or ".") / program) if "/" in program else ""
        if blocked:
            problem = f"{program} cannot be reached: {blocked}"
        elif "/" not in program:
            problem = f"command not found on the worker's PATH: {program}"
            problem += not_on_path(program, spec.cwd)
        elif os.path.isabs(program):  # (no folder to name: it was looked for where it says)
            problem = f"command not found: {program}"
        else:
            problem = f"command not found (in {spec.cwd or '.'}): {program}"
    elif kind := not_a_program(found):
        problem = f"{found} is {kind}, not a program"
    elif not os.access(found, os.X_OK):
        problem = f"{found} is not executable (chmod +x, or run it through its interpreter)"
    else:
        head = read_head(found, BINARY_HEAD)
        problem = why_not_runnable(found)
    python: PythonCommand | None = None
    if is_python_name(program):
        options, kind, what = parse_python_args(list(spec.argv[1:]))
        python = PythonCommand(program, found, options, kind, what)
    elif found is not None:
        head = head or read_head(found)
        words = shebang_of(head)
        if words and is_python_name(words[0]):
            python = PythonCommand(
                words[0],
                which(words[0], env, spec.cwd),
                tuple(words[1:]),
                "script",
                found,
                shebang=head.split(b"\n", 1)[0].decode("utf-8", "replace"),
            )
    return Target(spec, env, program, found, problem, python, head, children or Children())


# --- bounded subprocess runs -----------------------------------------------------------------


@dataclass(frozen=True)
class Ran:
    """A short command's outcome; `returncode` None when it timed out or could not start."""

    argv: tuple[str, ...]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    error: str = ""  # why it did not run, or "timed out after N s"

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_briefly(
    argv: list[str] | tuple[str, ...],
    *,
    env: dict[str, str],
    cwd: str | None,
    timeout: float,
    children: Children,
) -> Ran:
    """Run `argv` (one of the run's `children`) to completion within `timeout` seconds; on
    timeout its whole group is killed."""
    start = time.monotonic()
    try:
        proc = children.spawn(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )
    except (OSError, PoolctlError) as exc:
        return Ran(tuple(argv), None, "", "", 0.0, error=f"could not run: {exc}")
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        children.forget(proc)
        return Ran(
            tuple(argv),
            None,
            out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace"),
            time.monotonic() - start,
            error=f"timed out after {timeout:g} s",
        )
    children.forget(proc)
    return Ran(
        tuple(argv),
        proc.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        time.monotonic() - start,
    )


# --- building checks -------------------------------------------------------------------------


@dataclass
class CheckList:
    """The checks one family produces, all in one section."""

    section: str
    checks: list[Check] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # measurements other checks use

    def add(
        self,
        name: str,
        status: CheckStatus,
        summary: str,
        remedy: str = "",
        evidence: list[Evidence] | tuple[Evidence, ...] = (),
    ) -> None:
        self.checks.append(Check(self.section, name, status, summary, remedy, tuple(evidence)))


def seconds_text(seconds: float) -> str:
    """`0.031 s`, `1.2 s`: enough digits to compare with a timeout."""
    return f"{seconds:.3f} s" if seconds < 0.1 else f"{seconds:.2f} s"


def first_lines(text: str, n: int = 5) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    shown = "\n".join(lines[:n])
    return shown + (f"\n… (+{len(lines) - n} lines)" if len(lines) > n else "")
