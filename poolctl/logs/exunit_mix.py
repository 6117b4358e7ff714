"""`mix test` stopped by Mix itself before any test: `** (Mix) …`, then its reasons, indented.

The one a pool suite meets most: its application does not start, because a child of its
supervision tree (the pool, a worker's port) fails in `init`:

    ** (Mix) Could not start application pool: Pool.Application.start(:normal, []) returned
    an error: shutdown: failed to start child: Pool.PythonPool
        ** (EXIT) an exception was raised:
            ** (ErlangError) Erlang error: :enoent:
    …

No test runs, no closing line is printed, and mix exits 1. Read as a crash report only, such a
log was a clean run; it is one failure of the run, of the innermost exception's kind.

Mix also stops a run before any test on arguments it refuses: `Paths given to "mix test" did not
match any directory/file: test/x_test.exs`, `** (Mix) The MIX_TEST_PARTITION environment
variable must be set …` under `--partitions`: one failure of the run each (such a log alone was
"format not recognised", exit 2).

Mix also fails a run whose tests all passed, after ExUnit's closing line: `--warnings-as-errors`
with a warning (`ERROR! Test suite aborted after successful execution due to warnings…`), `--only`
selecting no test, `--cover` under its threshold (mix exits 3). Each is one failure of the run
too (it was a clean log, exit 0, for a red CI job). Under `--raise`, a run with failures ends
with `** (Mix) "mix test" failed`: those failures again, not one more.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from poolctl.logs.records import Lines
from poolctl.logs.scan import MAX_TRACEBACK_LINES, clip
from poolctl.model import Failure

PREFIX = "** (Mix) "
# Mix's verdicts on a run whose tests passed, and the name of the failure each one is
AFTER_RUN = {
    "ERROR! Test suite aborted after successful execution due to warnings": (
        "mix test --warnings-as-errors"
    ),
    'The --only option was given to "mix test" but no test was executed': "mix test --only",
    "Coverage test failed, threshold not met": "mix test --cover",
}
AFTER_RUN_TRIGGER = (
    r"^(?:ERROR! Test suite aborted after successful|The --only option was given"
    r"|Coverage test failed, threshold)"
)
_AFTER_RUN_STARTS = tuple(AFTER_RUN)
# Mix's word that the paths given match no test file (no `** (Mix)` before it; mix exits 1)
NO_PATH = 'Paths given to "mix test" did not match any directory/file: '
NO_PATH_TRIGGER = r'^Paths given to "mix test" did not match '
# `mix test --raise` after a run with failures: Mix's verdict on the failures ExUnit counted
FAILED_RUN = PREFIX + '"mix test" failed'


def verdict_on_counted_failures(line: str, counted: int) -> bool:
    """Whether `line` is Mix's `** (Mix) "mix test" failed` right after a closing line that
    counted `counted` (> 0) failures: those failures said again, no failure of its own."""
    return counted > 0 and line.rstrip() == FAILED_RUN


def verdict_after_run(line: str) -> str:
    """The failure's name when `line` is one of Mix's verdicts on a run whose tests passed
    (`AFTER_RUN`), else "" (most lines: one check)."""
    if not line.startswith(_AFTER_RUN_STARTS):
        return ""
    return next(name for start, name in AFTER_RUN.items() if line.startswith(start))


_APP_RE = re.compile(r"^Could not start application (?P<app>\w+)")
_RAISED_RE = re.compile(r"\*\* \((?P<kind>[A-Z][\w.]*)\) (?P<message>.*)$")


class MixError:
    """The `** (Mix)` line and the indented lines after it (a consumer of the ExUnit scan);
    the failure goes to `done` when the block ends."""

    def __init__(
        self,
        number: int,
        line: str,
        input_file: str,
        done: Callable[[Failure, Lines], None],
        after_run: str = "",
    ) -> None:
        """`after_run`: the failure's name when it is a verdict on a run that ran (`AFTER_RUN`)."""
        self.lines: Lines = [(number, line.rstrip())]
        self.input_file = input_file
        self.done = done
        self.after_run = after_run

    def feed(self, number: int, line: str) -> bool:
        if line.strip() and line[0] not in " \t":
            return False
        if len(self.lines) < MAX_TRACEBACK_LINES:
            self.lines.append((number, line.rstrip()))
        return True

    def close(self) -> Lines:
        while self.lines[-1][1] == "":  # blank lines after the block are not its own
            self.lines.pop()
        first = self.lines[0][1].strip().removeprefix(PREFIX)
        raised = [r for _, text in self.lines[1:] if (r := _RAISED_RE.search(text.strip()))]
        inner = [r for r in raised if r["kind"] != "EXIT"]
        kind = inner[-1]["kind"].rsplit(".", 1)[-1] if inner else "Mix"
        message = clip(first, 2_000)
        if inner:
            message += f" ({inner[-1]['kind']}: {clip(inner[-1]['message'], 400)})"
        elif self.after_run:  # `Coverage:    0.00%`, `Threshold:  90.00%`
            message += "".join(f" {' '.join(t.split())}" for _, t in self.lines[1:] if t.strip())
        app = _APP_RE.match(first)
        failure = Failure(
            source="exunit",
            name=self.after_run or (f"starting application {app['app']}" if app else "mix"),
            group="",
            location="",
            kind=kind,
            message=message,
            details={"phase": "mix"},
            stacktrace=tuple(clip(t.strip(), 1_000) for _, t in self.lines[1:] if t.strip()),
            input_file=self.input_file,
            line_start=self.lines[0][0],
            line_end=self.lines[-1][0],
        )
        self.done(failure, self.lines)
        return []
