"""CTest's failed tests (`ctest --output-on-failure`), read into `Failure`s so that they classify
as any runner's failure does (its verdict, `13% tests passed, 7 tests failed out of 8`, counts
them: `poolctl.logs.other_verdicts`):

    Test project /src/build
          Start  1: checkout_timeout
     1/13 Test  #1: checkout_timeout .................***Failed    0.01 sec
    pool_tests.c:12: FAIL checkout_timeout: timed out waiting for a worker after 200ms (…)

          Start  2: worker_silent
     …

A test is its `Start` line, its result line (`***Failed`, `***Timeout`, `***Exception:
SegFault`, `***Not Run`) and what it printed around them (below its result under
`--output-on-failure`; above it when CTest could not run it), up to the next test's `Start`, or
the run's counts. A failed test whose output another runner's blocks were read from (a
GoogleTest program's: `poolctl.logs.gtest_block`) is theirs; another is a failure of its own,
its message the last lines it printed (`NEARBY` of them: read back from the next test's `Start`
line), placed at the first `FILE:LINE:` they begin with. The runs of the programs it ran (each
GoogleTest program's ` 1 FAILED TEST`) are its tests': the verdict counts them (`fold`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from poolctl.logs.records import Lines, ParsedLog
from poolctl.logs.scan import MAX_FIELD, clip, line_failure
from poolctl.model import Failure, Source

RUNNER = "CTest"
SOURCE: Source = "ctest"
VERDICT_RUNNER = "ctest"  # its verdict's runner (`other_verdicts`)
PROJECT = "Test project "
_START_RE = re.compile(r"^ +Start +(?P<number>\d+): (?P<name>\S+)$")
_RESULT_RE = re.compile(
    r"^ *\d+/\d+ Test +#\d+: (?P<name>\S+) \.*\s*"
    r"(?:\*\*\*(?P<failed>(?:Failed|Timeout|Exception: [\w ]+?|Not Run(?! \(Disabled\)))\b.*?)"
    r"|Passed.*|\*\*\*(?:Skipped|Not Run \(Disabled\)).*)"
    r" +[\d.]+ sec$"
)
_OUTPUT_ENDS = "Total Test time"
TRIGGERS = (
    r"^Test project \S",
    r"^ +Start +\d+: \S",
    r"^ *\d+/\d+ Test +#\d+: \S",
    r"^Total Test time \(real\)",
)
_VERDICT_RE = re.compile(r"^\d+% tests passed, ")
_PLACE_RE = re.compile(r"^(?P<file>[^\s:]+\.\w+):(?P<line>\d+):")


@dataclass
class CtestRun:
    """A `ctest` run being read: where it began, the test whose output is read, and whether it
    failed."""

    projects: list[int] = field(default_factory=list)  # each `Test project` line
    started: int = 0  # the current test's `Start` line
    failures_at: int = 0  # how many failures the log had when it started
    result: tuple[int, str, str] | None = None  # its line, name and status, when it failed


def read_line(
    run: CtestRun,
    number: int,
    text: str,
    out: ParsedLog,
    before: Callable[[], Lines],
    done: Callable[[Failure, Lines], object],
    input_file: str,
) -> bool:
    """Note what `text` (a line, stripped on the right) tells of a ctest run, if it is one of
    its lines; `before` gives the lines shortly before it (for the output of a failed test that
    ends here). Whether it was."""
    if text.startswith(PROJECT):
        _test_ends(run, number, out, before, done, input_file)
        run.projects.append(number)
        return True
    if _START_RE.match(text):
        _test_ends(run, number, out, before, done, input_file)
        run.started, run.failures_at = number, len(out.failures)
        return True
    if (result := _RESULT_RE.match(text)) is not None:
        if result["failed"] and run.started:
            run.result = (number, result["name"], result["failed"])
        return True
    if text.startswith(_OUTPUT_ENDS):
        _test_ends(run, number, out, before, done, input_file)
        run.started = 0
        return True
    return False


def _test_ends(
    run: CtestRun,
    number: int,
    out: ParsedLog,
    before: Callable[[], Lines],
    done: Callable[[Failure, Lines], object],
    input_file: str,
) -> None:
    """The current test's output ends before line `number`: a failed test no other runner's
    failure was read from is a failure of its own."""
    result, run.result = run.result, None
    if result is None or len(out.failures) > run.failures_at:
        return
    at, name, status = result
    printed: Lines = []  # what it printed, after its `Start` line, up to the run's counts
    for n, t in before():
        if _VERDICT_RE.match(t):
            break
        if n > run.started and n != at and t.strip():
            printed.append((n, t))
    place = next((m for _, t in printed if (m := _PLACE_RE.match(t))), None)
    # what ctest says of it, unless it only failed (its exit code), then what it printed
    said = "\n".join(
        [f"***{status}"] * (status != "Failed" or not printed) + [t for _, t in printed]
    )
    failure = line_failure(
        SOURCE, input_file, (at, name), name=name, group="",
        location=f"{place['file']}:{place['line']}" if place else "", message=said,
        details={"runner": RUNNER, "status": status, "text": clip(said, MAX_FIELD)},
    )  # fmt: skip
    done(failure, sorted([(at, name), *printed]))


def fold(out: ParsedLog, file: str, run: CtestRun) -> None:
    """Each ctest verdict of `file` counts the tests of its run, from its `Test project` line:
    the runs of the programs it ran, printed inside it (a GoogleTest program's ` 1 FAILED
    TEST`), are its tests' and no runs of their own."""
    for verdict in [s for s in out.summaries if s.file == file and s.source == VERDICT_RUNNER]:
        begun = max((p for p in run.projects if p < verdict.line), default=0)
        if not begun:
            continue
        out.summaries[:] = [
            s
            for s in out.summaries
            if s.file != file or s is verdict or not begun < s.line < verdict.line
        ]
        at = next(i for i, s in enumerate(out.summaries) if s is verdict)
        out.summaries[at] = dataclasses.replace(verdict, start=begun)
