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
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "Robot Framework"
SOURCE: Source = "robot"
HEADER_RE = re.compile(r"^(?P<name>\S.*?) +\| FAIL \|$")
TRIGGERS = (r"^\S.*? +\| FAIL \|\s*$",)
_COUNT_RE = re.compile(r"^\d+ tests?, \d+ passed, \d+ failed")  # a suite's (its verdict)
_KIND_RE = re.compile(r"^(?:[A-Za-z_]\w*\.)*(?P<kind>[A-Z]\w*(?:Error|Exception|Timeout)): ")
_FIRST = ("Parent suite setup failed:", "Setup failed:", "Teardown failed:")


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
        said = [t for _, t in self.lines[1:] if t.strip()]
        reason = said[1:] if said[:1] and said[0] in _FIRST else said
        raised = _KIND_RE.match(reason[0]) if reason else None
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=header["name"],
            group="",
            location="",
            kind=raised["kind"] if raised else "",
            message="\n".join(said),
            details={"runner": RUNNER, "text": clip("\n".join(said), MAX_FIELD)},
            frames=[],
        )
        self.done(failure, self.lines)
        return []
