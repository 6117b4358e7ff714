"""Check 1, the interpreter: which Python the worker command resolves to, whether that is a shim
(pyenv, asdf, mise, or a wrapper script that execs another Python), the real interpreter behind
it, its version, and what the shim costs at every start.

A shim is found by its path (`/.pyenv/shims/`, `/.asdf/shims/`, `/mise/shims/`) or by its
content (a small script that execs a Python); the real interpreter is what `sys.executable`
says when the command runs in the worker's environment and directory (pyenv picks the version
per directory).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from poolctl.executable import cannot_reach, read_head
from poolctl.languages import PYTHON, launched_language, launcher_of
from poolctl.model import Evidence

from .target import CheckList, PythonCommand, Target, run_briefly, seconds_text

SECTION = "Interpreter"
SHIM_DIRS = (
    ("/.pyenv/shims/", "pyenv shim"),
    ("/.asdf/shims/", "asdf shim"),
    ("/mise/shims/", "mise shim"),
)
PROBE = (
    "import sys; print(sys.executable); print(sys.version.split()[0]); "
    "print(int(sys.prefix != sys.base_prefix))"
)
TIMING_RUNS = 3  # the minimum of several starts: the machine may be busy


def shim_kind(path: str) -> str | None:
    """`pyenv shim`, `asdf shim`, `mise shim`, `wrapper script`, or None for a real binary."""
    for segment, kind in SHIM_DIRS:
        if segment in path:
            return kind
    head = read_head(path)
    if not head.startswith(b"#!"):
        return None  # an ELF binary (or unreadable): the interpreter itself
    text = head.decode("utf-8", "replace")
    if re.search(r"\bexec\b", text) and ("python" in text or "$@" in text):
        return "wrapper script"
    return None


def _exec_line(path: str) -> str:
    """The line of a wrapper script that execs the interpreter, for the evidence."""
    text = read_head(path).decode("utf-8", "replace")
    return next((ln.strip() for ln in text.splitlines() if re.search(r"\bexec\b", ln)), "")


def _start_times(argvs: list[list[str]], target: Target, runs: int) -> list[float | None]:
    """The best start time of each command, taken in turns so that a busy spell of the
    machine weighs on each alike (a shim's cost is the difference of two of them)."""
    times: list[list[float]] = [[] for _ in argvs]
    for _ in range(runs):
        for argv, taken in zip(argvs, times, strict=True):
            ran = run_briefly(
                argv, env=target.env, cwd=target.cwd, timeout=15, children=target.children
            )
            if ran.ok:
                taken.append(ran.seconds)
    return [min(taken) if taken else None for taken in times]


def check_interpreter(target: Target) -> CheckList:
    """Which Python runs the worker, through what, at what start-up cost."""
    out = CheckList(SECTION)
    py = target.python
    if py is None and launched_language(target.spec.argv, target.cwd) is PYTHON:
        launcher = " ".join(launcher_of(target.spec.argv))
        out.add(
            "python",
            "ok",
            f"a Python worker started through `{launcher}`, which picks its interpreter: "
            "the Python-specific checks are skipped (they check an interpreter the command "
            "names)",
        )
        return out
    if py is None:
        out.add(
            "python",
            "ok",
            f"not a Python worker ({target.program_path or target.program}): "
            "the Python-specific checks are skipped",
        )
        return out
    if py.interpreter_path is None:
        origin = py.shebang or "the worker command"
        named = py.interpreter
        blocked = cannot_reach(Path(target.cwd or ".") / named) if "/" in named else ""
        missing = "is not found on the worker's PATH"
        if blocked:
            missing = f"cannot be reached: {blocked}"
        out.add(
            "python",
            "fail",
            f"{named} (named by {origin}) {missing}",
            f"install it, or name an interpreter that exists in {origin}",
        )
        return out
    check_python(py, target, out)
    return out


def check_python(py: PythonCommand, target: Target, out: CheckList) -> None:
    interp = py.interpreter_path
    assert interp is not None
    first = run_briefly(
        [interp, "-c", PROBE],
        env=target.env,
        cwd=target.cwd,
        timeout=15,
        children=target.children,
    )
    evidence = [Evidence(f"$ {interp} -c '<print sys.executable, sys.version>'", "command")]
    if not first.ok:
        why = first.error or f"exited with code {first.returncode}"
        said = first.stderr.strip().splitlines()
        evidence.append(Evidence(first.stderr.strip() or "(nothing on stderr)", "its stderr"))
        out.add(
            "python",
            "fail",
            f"{interp} does not run: {why}" + (f": {said[0]}" if said else ""),
            "install the Python it asks for, or name a working interpreter in the command",
            evidence,
        )
        return
    lines = first.stdout.split()
    executable, version, venv = lines[0], lines[1], lines[2] == "1"
    real = os.path.realpath(executable)
    evidence.append(
        Evidence(
            f"sys.executable {executable}, Python {version}, virtualenv: {'yes' if venv else 'no'}",
            "its stdout",
        )
    )
    if real != executable:
        evidence.append(Evidence(f"{executable} → {real}", "realpath"))
    kind = shim_kind(interp)
    argvs = [[interp, "-c", "pass"]] + ([[executable, "-c", "pass"]] if kind else [])
    start, *real_starts = _start_times(argvs, target, TIMING_RUNS)
    in_venv = " in a virtualenv" if venv else ""
    mismatch = _version_mismatch(py.expected_version(), version)
    if kind is None:
        took = f", starts in {seconds_text(start)}" if start is not None else ""
        summary = f"{interp} is Python {version}{in_venv}{took}"
        if mismatch:
            out.add("python", "warn", summary + f"; {mismatch}", _version_remedy(py), evidence)
        else:
            out.add("python", "ok", summary, evidence=evidence)
        return
    real_start = real_starts[0]
    line = _exec_line(interp)
    if line:
        evidence.append(Evidence(line, interp, "the line that execs the real interpreter"))
    cost = ""
    if start is not None and real_start is not None:
        cost = f": +{seconds_text(max(0.0, start - real_start))} at every start"
        evidence.append(
            Evidence(
                f"start through the shim {seconds_text(start)}, "
                f"the real interpreter {seconds_text(real_start)} (best of {TIMING_RUNS})",
                "timing",
            )
        )
    summary = f"{interp} is a {kind} for {executable} (Python {version}{in_venv}){cost}"
    if mismatch:
        summary += f"; {mismatch}"
    chooser = (
        " (a pyenv shim picks the version from PYENV_VERSION or .python-version, per directory)"
        if kind == "pyenv shim"
        else ""
    )
    out.add(
        "python",
        "warn",
        summary,
        f"name the real interpreter in the worker command: {executable}{chooser}",
        evidence,
    )


def _version_mismatch(expected: str | None, actual: str) -> str:
    if expected is None or actual == expected or actual.startswith(expected + "."):
        return ""
    return f"named for Python {expected}, but runs {actual}"


def _version_remedy(py: PythonCommand) -> str:
    return (
        f"point {py.interpreter} at Python {py.expected_version()}, "
        "or name the interpreter you mean by its full path"
    )
