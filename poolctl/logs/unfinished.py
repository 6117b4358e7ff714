"""The test a run was in when its output stopped.

A runner killed from outside (a CI job's time limit, the OOM killer), or a VM a test halted,
prints neither the test's result nor a closing line. When the input's last line is a test's
start as the runner prints it (`mix test --trace`: `  * test name [L#12]`, its result not
redrawn over it; `pytest -v`: `t.py::test_a ` with no outcome yet), that test is where the run
ended: a failure of the run, quoted from that line.
"""

from __future__ import annotations

import dataclasses
import re

from poolctl.logs.passes import NODEID, nodeid_parts, outcome_lines
from poolctl.model import Failure

# `--trace` heads each module's tests with `Module [test/file.exs]` (read with
# `poolctl.logs.passes.EXUNIT_MODULE_RE`)
EXUNIT_MODULE_TRIGGER = r"^[A-Z][\w.]* \[[^\]\r\n]+\.exs\]"
_EXUNIT_STARTED_RE = re.compile(
    r"^\s*\* (?P<name>(?:test|doctest|property|scenario|feature|describe|story) .*?) "
    r"\[L#(?P<line>\d+)\]\s*$"
)
# the redraw once it ended: `(6.0ms)`, `(skipped)`, `(excluded)`, `(invalid)`
_ENDED_RE = re.compile(r"\((?:[\d.]+\s*m?s|skipped|excluded|invalid)\)$")
_PYTEST_STARTED_RE = re.compile(rf"^{NODEID}\s*$")  # with an outcome after it, it ended
_PYTEST_PRINTED_RE = re.compile(rf"^{NODEID}(?: |$)")  # ... under `-s -v`, what it printed
# `pytest -v`'s line of a test's result: printed when its call ended, before its teardown (the
# next test's start is printed after that teardown)
_PYTEST_RESULT_RE = outcome_lines("(?P<word>PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)")["verbose"]


def _message(runner: str) -> str:
    return (
        f"the run ended while this test ran: {runner} printed no result for it, and no "
        "closing line (the last line of the input is its start)"
    )


def followed(running: Failure) -> Failure:
    """`running`, the test whose start is the runner's last line, where lines that are no
    runner's come after it in the input (its live log, what it printed under `-s`): its message
    says so, not that its start is the input's last line."""
    message = running.message.replace(
        "(the last line of the input is its start)",
        "(its start is the runner's last line in the input; what follows it is the test's own "
        "output, as its live log)",
    )
    return dataclasses.replace(running, message=message)


def _last_redraw(line: str) -> str:
    return line.rsplit("\r", 1)[-1]


def exunit_running(
    last: tuple[int, str] | None, module: tuple[str, str] | None, input_file: str
) -> Failure | None:
    """The test `mix test --trace` started on the input's `last` line and never ended, in
    `module` (the last `Module [file.exs]` line seen: its name and file)."""
    if last is None:
        return None
    number, line = last
    started = _EXUNIT_STARTED_RE.match(_last_redraw(line))
    if started is None or _ENDED_RE.search(started["name"]):
        return None
    group, file = module if module is not None else ("", "")
    return Failure(
        source="exunit",
        name=started["name"],
        group=group,
        location=f"{file}:{started['line']}" if file else "",
        kind="RunEnded",
        message=_message("ExUnit"),
        details={"running": _last_redraw(line).strip()},
        input_file=input_file,
        line_start=number,
        line_end=number,
    )


def exunit_test_ended(line: str) -> bool:
    """Whether `line` is a test's result as `mix test --trace` redraws it over its start
    (`  * test name (0.02ms) [L#5]`)."""
    started = _EXUNIT_STARTED_RE.match(_last_redraw(line))
    return started is not None and bool(_ENDED_RE.search(started["name"]))


def pytest_running(
    last: tuple[int, str] | None, input_file: str, printed: bool = False
) -> Failure | None:
    """The test `pytest -v` started on the input's `last` line and never ended (`printed`:
    under `-s -v`, with what it printed after its node id on that line)."""
    if last is None:
        return None
    number, line = last
    line = _last_redraw(line)
    started_re = _PYTEST_PRINTED_RE if printed else _PYTEST_STARTED_RE
    started = started_re.match(line.lstrip())  # (`--setup-show` indents it again)
    if started is None:
        return None
    details = {"outcome": "failed", "nodeid": started["nodeid"], "running": line.strip()}
    return _pytest_failure(number, input_file, _message("pytest"), details)


def pytest_in_teardown(last: tuple[int, str] | None, input_file: str) -> Failure | None:
    """The test whose `pytest -v` result is the input's `last` line, the run's closing line
    never printed: it ended in that test's teardown, where its fixtures are finalised (a
    module- or session-scoped one at its last test: a pool that never stops), or in pytest's
    end of session after it."""
    if last is None:
        return None
    number, line = last
    line = _last_redraw(line)
    result = _PYTEST_RESULT_RE.match(line.strip())
    if result is None:
        return None
    message = (
        f"the run ended after this test's result ({result['word']}) and before the next "
        "test's start, with no closing line: in its teardown, where its fixtures are "
        "finalised (a module- or session-scoped one at its last test), or in pytest's end of "
        "session"
    )
    details = {
        "outcome": "error",
        "phase": "teardown",
        "nodeid": result["nodeid"],
        "running": line.strip(),
    }
    return _pytest_failure(number, input_file, message, details)


def _pytest_failure(number: int, input_file: str, message: str, details: dict[str, str]) -> Failure:
    parts = nodeid_parts(details["nodeid"])
    return Failure(
        source="pytest",
        name=".".join(parts[1:]) or details["nodeid"],
        group="::".join(parts[:-1]),
        location=parts[0],
        kind="RunEnded",
        message=message,
        details=details,
        input_file=input_file,
        line_start=number,
        line_end=number,
    )
