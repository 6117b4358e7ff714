"""`mix test` runs that stopped before their closing line, as their log shows it.

- Told to stop from outside (`timeout`, a CI job's time limit, a cancelled job), the VM logs
  `[notice] SIGTERM received - shutting down` and prints no closing line: a failure of the run,
  of the test `--trace` shows it was in when it shows one (`poolctl.logs.unfinished`).
- A `test/test_helper.exs` that raises stops `mix test` before any test: `** (MatchError) …`
  at the line's start, then a stack holding `test/test_helper.exs:3: (file)` (or, in an
  umbrella, Mix's test task). A failure of the run, of the exception's kind.
- A run that began (progress dots, `--trace` lines) and printed no closing line, with neither,
  is said to end there. When its last line is progress dots, it stopped in a test that printed
  no result (a VM halted by a test): that test is counted, unread. A pasted log cut there looks
  the same, and is no clean run either. So when its last lines are a failure block after the
  run's progress marks (a paste of blocks alone has no marks before them).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from poolctl.logs.records import Lines
from poolctl.logs.run_end_lines import mix_test_ended
from poolctl.logs.unfinished import exunit_running
from poolctl.model import Failure

SIGTERM_NOTICE = "SIGTERM received - shutting down"
TRIGGER = re.escape(SIGTERM_NOTICE)  # searched over the whole log (RE2 syntax)
# a `mix test` stack: the test helper's top level, or Mix's test task (in an umbrella)
MIX_TEST_FRAME_RE = re.compile(
    r"^\s*(?:(?P<helper>\S*test_helper\.exs):(?P<line>\d+): \(file\)"
    r"|\(mix [\d.]+\) lib/mix/tasks/test\.ex:\d+: )"
)
_RAISED_RE = re.compile(r"^\*\* \((?P<kind>[A-Z][\w.]*)\) ?(?P<message>.*)$")
# what shows a run began: progress dots (`*` skipped, `?` invalid), a `--trace` test line
PROGRESS_RE = re.compile(r"^[.*?]+$|^\s*\* (?:test|doctest|property|describe) .*\[L#\d+\]")
_DOTS_RE = re.compile(r"^[.*?]+$")
_LOGGER_PREFIX_RE = re.compile(r"\d\d:\d\d:\d\d(?:\.\d+)? \[[a-z]+\]")


def dots(line: str) -> bool:
    """Whether `line` is progress dots alone (`.`, `*` skipped, `?` invalid), from its first
    column as ExUnit prints them (TAP's indented `  ...`, the end of a YAML block, is none)."""
    return bool(_DOTS_RE.match(line.rstrip()))


def began(lines: Iterable[str]) -> bool:
    """Whether any of `lines` shows tests running (before a logger line glued to it)."""
    for line in lines:
        text = line.rstrip()
        logged = _LOGGER_PREFIX_RE.search(text)
        if logged is not None:
            text = text[: logged.start()].rstrip()
        if text and PROGRESS_RE.match(text):
            return True
    return False


def sigterm_failure(
    notice: tuple[int, str],
    before: Lines,
    module: tuple[str, str] | None,
    app: str,
    input_file: str,
) -> tuple[Failure, Lines]:
    """The failure of a run the VM's SIGTERM `notice` ended, with its lines: of the test whose
    `--trace` start is the last line `before` it (logger lines aside), else of the run."""
    number, line = notice
    said = line.strip()
    printed = [(n, t) for n, t in before if t.strip() and not _LOGGER_PREFIX_RE.match(t.strip())]
    running = exunit_running(printed[-1], module, input_file) if printed else None
    if running is not None:
        message = (
            f"the run was stopped while this test ran: the VM got SIGTERM ('{said}', line "
            f"{number}), as a CI job's time limit or `timeout` sends it; ExUnit printed no "
            "result for the test, and no closing line"
        )
        details = {**running.details, "stopped": said}
        failure = dataclasses.replace(running, message=message, details=details, line_end=number)
        return failure, [(running.line_start, running.details["running"]), (number, line)]
    message = (
        f"the run was stopped: the VM got SIGTERM ('{said}'), as a CI job's time limit or "
        "`timeout` sends it, before ExUnit printed the run's closing line; the test it was "
        "in is not in the log (`mix test --trace` prints each test's start)"
    )
    stopped = {"stopped": said}
    return mix_test_ended(app, message, stopped, input_file, number, number), [(number, line)]


def helper_failure(
    lines: list[str], start: int, end: int, app: str, input_file: str
) -> Failure | None:
    """The failure of a run whose crash report `lines` (from line `start` to `end`) is
    `mix test`'s own: an exception at the line's start, raised by the test helper or Mix's
    test task; None for any other crash report."""
    raised = _RAISED_RE.match(lines[0]) if lines else None
    frames = [m for text in lines[1:] if (m := MIX_TEST_FRAME_RE.match(text))]
    if raised is None or not frames:
        return None
    helper = next((m for m in frames if m["helper"]), None)
    where = f"{helper['helper']}:{helper['line']}" if helper is not None else ""
    return Failure(
        source="exunit",
        name=f"loading {helper['helper']}" if helper is not None else "mix test",
        group=app,
        location=where,
        kind=raised["kind"].rsplit(".", 1)[-1],
        message=(
            f"{raised['message']} (raised {'in ' + where if where else 'by mix test'}, "
            "before any test ran)"
        ),
        details={"phase": "test helper"},
        stacktrace=tuple(text.strip() for text in lines[1:] if text.strip()),
        input_file=input_file,
        line_start=start,
        line_end=end,
    )
