"""Robot Framework's console failures, read into `Failure`s so that they classify as any
runner's failure does (its top suite's count, `10 tests, 1 passed, 8 failed, 1 skipped`, counts
them: `poolctl.logs.other_verdicts`):

    Checkout Times Out With Callers Waiting                               | FAIL |
    CheckoutTimeout: timed out waiting for a worker after 0.2s (pool 'pool_a': 0 ready, …)
    ------------------------------------------------------------------------------

A test's block is its name and `| FAIL |`, then its message, up to the rule of dashes after it.
A suite's line of the same shape is followed by its count (`2 tests, 0 passed, 2 failed`) and
a rule of `=`: no failure of its own (its setup's failure is told on each of its tests, `Parent
suite setup failed:`). A message that begins with an exception's class (`TimeoutError: …`)
has that kind; Robot's own assertions (`2 != 3`) name none.

Under `--console dotted` it prints a letter a test, then each failed test under a rule of
dashes by its long name, its message below (`DottedBlock`):

    ------------------------------------------------------------------------------
    FAIL: Robot Try.Pool.Worker Answers Ping
    TimeoutError: no response from worker (pid 4242) to 'ping' within 0.5s

Named by the long name's last part, grouped by its suites' (split at its last dot that no digit
or space follows: `Checkout Within 0.2s` stays whole).
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

RUNNER = "Robot Framework"
SOURCE: Source = "robot"
HEADER_RE = re.compile(r"^(?P<name>\S.*?) +\| FAIL \|$")
TRIGGERS = (r"^\S.*? +\| FAIL \|\s*$",)
_COUNT_RE = re.compile(r"^\d+ tests?, \d+ passed, \d+ failed")  # a suite's (its verdict)
_KIND_RE = re.compile(r"^(?:[A-Za-z_]\w*\.)*(?P<kind>[A-Z]\w*(?:Error|Exception|Timeout)): ")
_FIRST = ("Parent suite setup failed:", "Setup failed:", "Teardown failed:")
DOTTED = "FAIL: "
DOTTED_TRIGGERS = (r"^FAIL: \S",)
RULE = "-" * 78
_LONG_NAME_RE = re.compile(r"^(?P<suite>.+)\.(?P<name>[^\d\s.][^.]*?)$")


class RobotBlock(RunnerBlock):
    """One test's block (a consumer of a text parser's scan); the failure goes to `done` when
    the block ends."""

    def begin(self, line: str) -> None:
        self.suite = False

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if text.startswith(("---", "===")) and set(text) in ({"-"}, {"="}):
            return False  # its rule
        if _COUNT_RE.match(text):
            self.suite = True  # a suite's line: its count is its verdict, read as one
            return False
        if len(self.lines) < MAX_BLOCK_LINES:
            self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        if header is None or self.suite:
            return []
        self.done(_failure(self, header["name"], ""), self.lines)
        return []


class DottedBlock(RobotBlock):
    """One failed test's entry under `--console dotted` (a consumer of a text parser's scan),
    its long name's line to the next rule."""

    def close(self) -> Lines:
        long_name = self.lines[0][1].removeprefix(DOTTED).strip()
        split = _LONG_NAME_RE.match(long_name)
        suite, name = (split["suite"], split["name"]) if split else ("", long_name)
        self.done(_failure(self, name, suite), self.lines)
        return []


def _failure(block: RobotBlock, name: str, suite: str) -> Failure:
    """The failure of a test's block: its message the lines under its first."""
    said = [t for _, t in block.lines[1:] if t.strip()]
    reason = said[1:] if said[:1] and said[0] in _FIRST else said
    raised = _KIND_RE.match(reason[0]) if reason else None
    return block_failure(
        block.source,
        block.input_file,
        block.lines,
        name=name,
        group=suite,
        location="",
        kind=raised["kind"] if raised else "",
        message="\n".join(said),
        details={"runner": RUNNER, "text": clip("\n".join(said), MAX_FIELD)},
        frames=[],
    )
