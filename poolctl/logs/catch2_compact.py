"""Catch2's compact reporter (`-r compact`): a line for each failed assertion, read into
`Failure`s that classify as any runner's failure does; its closing line, `Failed 7 test cases,
failed 7 assertions.`, counts them by their assertions (`poolctl.logs.verdict_lines`), `Passed
1 test case with 1 assertion.` a clean run:

    pool_catch2.cc:17: failed: unexpected exception with message: 'checkout timed out after 200ms…'
    pool_catch2.cc:59: failed: pool.size() == 3u for: 2 == 3

A line and the lines its expansion spans under it (`!=`, the other side), to the next such
line, a blank line or the closing line. The compact reporter names no test case: a failure is
named by its place, grouped by its file; an exception the test did not catch is of no kind
(Catch2 names no class), its message the one quoted, an assertion of kind AssertionError (its
default reporter's blocks: `poolctl.logs.catch2_block`).
"""

from __future__ import annotations

import re

from poolctl.logs import catch2_block
from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, block_failure
from poolctl.model import Source

RUNNER = catch2_block.RUNNER
SOURCE: Source = catch2_block.SOURCE

LINE_RE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+): failed: (?P<said>.*)$")
TRIGGERS = (r"^[^\s:]+:\d+: failed: ",)
VERDICT_RE = re.compile(r"^Failed \d+ test cases?, failed (?P<failed>\d+) assertions?\.$")
VERDICT_TRIGGER = r"^Failed [1-9]\d* test cases?, failed "
CLEAN_RE = re.compile(r"^Passed (?:all )?\d+ test cases? with \d+ assertions?\.$")
_THROWN_RE = re.compile(r"^unexpected exception with message: '(?P<message>.*)'$", re.S)
_CLOSING = ("Failed ", "Passed ")


class CompactLine(RunnerBlock):
    """One failed assertion's line and its expansion's lines under it (a consumer of a text
    parser's scan)."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if not text or LINE_RE.match(text) or text.startswith(_CLOSING):
            return False
        if len(self.lines) >= MAX_BLOCK_LINES:
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        found = LINE_RE.match(self.lines[0][1])
        if found is None:
            return []
        said = "\n".join([found["said"], *(t for _, t in self.lines[1:])])
        thrown = _THROWN_RE.match(said)
        place = f"{found['file']}:{found['line']}"
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=place,
            group=found["file"],
            location=place,
            kind="" if thrown else catch2_block.EXPECTATION,
            message=thrown["message"] if thrown else said,
            details={"runner": RUNNER, "reporter": "compact"},
            frames=[],
        )
        self.done(failure, self.lines)
        return []
