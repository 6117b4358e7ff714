"""GoogleTest's failures (its console output), read into `Failure`s so that they classify as any
runner's failure does (its verdict, ` 7 FAILED TESTS`, counts them:
`poolctl.logs.other_verdicts`):

    [ RUN      ] Pool.SecondCallerChecksOutWithin200ms
    unknown file: Failure
    C++ exception with description "checkout timed out after 200ms: …" thrown in the test body.
    [  FAILED  ] Pool.SecondCallerChecksOutWithin200ms (213 ms)
    [ RUN      ] Pool.CountsItsWorkers
    pool_gtest.cc:57: Failure
    Expected equality of these values:
      pool.size()
        Which is: 2
      3u
    [  FAILED  ] Pool.CountsItsWorkers (1 ms)

Under `--gtest_brief=1` it prints the failed tests' lines alone and no count of them: its
closing `[==========] 8 tests from 1 test suite ran.` counts the blocks read above it
(`brief_runs`).

A block begins at a test's first `FILE:LINE: Failure` (`unknown file: Failure` for an exception
it did not catch) and ends at its `[  FAILED  ] Suite.Test (N ms)` line, which names it (a
parameterized test's with `, where GetParam() = 3`); each failure's lines are the message. A
failed assertion is of kind AssertionError, as other runners' are; an exception's class
GoogleTest does not print: its kind is none, its description the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from poolctl.logs.records import Lines, ParsedLog, RunSummary
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip, line_failure
from poolctl.model import Failure, Source

RUNNER = "GoogleTest"
SOURCE: Source = "gtest"
VERDICT_RUNNER = "GoogleTest or cmocka"  # its ` 7 FAILED TESTS` verdict's (cmocka's alike)
HEADER_RE = re.compile(r"^(?:(?P<file>[^\s:]+):(?P<line>\d+)|unknown file): Failure$")
# what a GoogleTest program prints before its tests (`--gtest_brief=1` the first alone, from
# gtest_main): a `Failure` line is its only after one, a block reading on to its `FAILED` line
STARTS = ("Running main() from ", "[==========] Running ", "[ RUN      ] ")
# its closing line, a clean run's too
RAN_RE = re.compile(r"^\[==========\] \d+ tests? from \d+ test suites? ran\.")
TRIGGERS = (
    r"^(?:[^\s:]+:\d+|unknown file): Failure\s*$",
    r"^(?:Running main\(\) from |\[==========\] Running |\[ RUN      \] )",
    r"^\[  FAILED  \] [\w/]+\.[\w/]+(?:, where .*)? \(\d+ ms\)",
    r"^\[==========\] \d+ tests? from \d+ test suites? ran\.",
)
# a failed test's line, in a log of no format poolctl reads (its `--gtest_brief=1` output)
FAILED_IN_TEXT = r"^\[  FAILED  \] [\w/]+\.[\w/]+(?:, where .*)? \(\d+ ms\)$"
FAILED_RE = re.compile(
    r"^\[  FAILED  \] (?P<name>(?P<group>[\w/]+)\.[\w/]+)(?:, where .*)? \(\d+ ms\)$"
)
# a line that ends the test without naming it failed (it should not come: a failure fails it)
_OTHER_END = ("[ RUN      ]", "[       OK ]", "[----------]", "[==========]")
_THROWN_RE = re.compile(r'^C\+\+ exception with description "(?P<what>.*)" thrown in ')
EXPECTATION = "AssertionError"


class GtestBlock(RunnerBlock):
    """A test's failures, from its first `Failure` line to its `[  FAILED  ]` line (a consumer
    of a text parser's scan); the failure goes to `done` when the block ends."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if self.lines[-1][1].startswith("[  FAILED  ]") or text.startswith(_OTHER_END):
            return False  # (its `FAILED` line is the block's last)
        if len(self.lines) < MAX_BLOCK_LINES or text.startswith("[  FAILED  ]"):
            self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        named = FAILED_RE.match(self.lines[-1][1])
        if named is None:
            return []
        body = [t for _, t in self.lines[:-1]]
        places = [m for t in body if (m := HEADER_RE.match(t))]
        said = [t for t in body if not HEADER_RE.match(t)]
        thrown = _THROWN_RE.match(said[0]) if said else None
        at = next((m for m in places if m["file"]), None)
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=named["name"],
            group=named["group"],
            location=f"{at['file']}:{at['line']}" if at else "",
            kind="" if thrown or not said else EXPECTATION,
            message="\n".join(said),
            details={
                "runner": RUNNER,
                "text": clip("\n".join(t for _, t in self.lines), MAX_FIELD),
            },
            frames=[],
        )
        self.done(failure, self.lines)
        return []


def from_failed_line(
    number: int,
    text: str,
    before: Lines,
    input_file: str,
    done: Callable[[Failure, Lines], object],
) -> None:
    """A failed test's `[  FAILED  ]` line no block read up to (no line before said a GoogleTest
    program ran: `--gtest_brief=1` under a main of the project's own): its failure read from the
    lines shortly before it (`before`, oldest first), from its first `Failure` line after the
    previous test's line; with none there, by its name alone."""
    named = FAILED_RE.match(text)
    if named is None:
        return
    own = before
    for i, (_, earlier) in enumerate(before):
        if earlier.startswith("["):  # the test before's line (or a tag of GoogleTest's)
            own = before[i + 1 :]
    first = next((i for i, (_, t) in enumerate(own) if HEADER_RE.match(t)), None)
    if first is None:
        said = "GoogleTest printed no failure of it above its line"
        details = {"runner": RUNNER, "text": text}
        failure = line_failure(
            SOURCE, input_file, (number, text), name=named["name"], group=named["group"],
            location="", message=said, details=details,
        )  # fmt: skip
        done(failure, [(number, text)])
        return
    block = GtestBlock(*own[first], input_file, SOURCE, done)
    for line in [*own[first + 1 :], (number, text)]:
        block.feed(*line)
    block.close()


def brief_runs(out: ParsedLog, file: str, ends: list[tuple[int, str]]) -> None:
    """Each GoogleTest run's closing line of `file` (`ends`: line and text) that no ` N FAILED
    TESTS` verdict follows (`--gtest_brief=1` prints none) before the next run's: a run whose
    failures are its blocks read above it, since the run before."""
    verdicts = [s.line for s in out.summaries if s.file == file and s.source == VERDICT_RUNNER]
    for i, (number, text) in enumerate(ends):
        before = ends[i - 1][0] if i else 0
        after = ends[i + 1][0] if i + 1 < len(ends) else float("inf")
        if any(number < line < after for line in verdicts):
            continue  # its own verdict counts them
        read = sum(
            f.input_file == file and f.source == SOURCE and before < f.line_start < number
            for f in out.failures
        )
        if not read:
            continue  # a clean run
        run = RunSummary(
            file, number, text, None, read, start=number, read=0, source=VERDICT_RUNNER
        )
        at = next(
            (j for j, s in enumerate(out.summaries) if s.file == file and s.line > number),
            len(out.summaries),
        )
        out.summaries.insert(at, run)
