"""minitest's failure blocks (its default reporter's, after `Finished in …s`), read into
`Failure`s so that they classify as any runner's failure does (its verdict, `8 runs, 2
assertions, 1 failures, 6 errors, 0 skips`, counts them: `poolctl.logs.other_verdicts`):

      1) Error:
    PoolTest#test_starts_a_job:
    KeyError: key not found: "program_id"
        /src/lib/pool.rb:101:in `fetch'
        test/pool_test.rb:41:in `test_starts_a_job'

      4) Failure:
    PoolTest#test_counts_its_workers [test/pool_test.rb:58]:
    Expected: 3
      Actual: 2

A block is its number and what it is (`Error:`, an exception the test raised; `Failure:`, an
assertion that failed), the test's class and method (a failure's place after them), then the
exception's class and message and its backtrace indented, or the assertion's message; up to a
blank line before the next block or the verdict.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "minitest"
SOURCE: Source = "minitest"
HEADER_RE = re.compile(r"^  (?P<number>\d+)\) (?P<what>Failure|Error):$")
TRIGGERS = (r"^  \d+\) (?:Failure|Error):\s*$",)
# the test's class and method, a failure's place after them (`PoolTest#test_x [t/x.rb:58]:`)
_TEST_RE = re.compile(r"^(?P<group>[A-Z][\w:]*)#(?P<test>\S+?)(?: \[(?P<place>\S+:\d+)\])?:$")
_RAISED_RE = re.compile(r"^(?P<kind>[A-Z]\w*(?:::[A-Z]\w*)*): ?(?P<message>.*)$")
_FRAME_RE = re.compile(r"^ {4}(?P<file>\S+?):(?P<line>\d+):in [`'](?P<func>[^']*)'$")
EXPECTATION = "AssertionError"  # an assertion's: minitest prints no class for it


class MinitestBlock(RunnerBlock):
    """One failure block (a consumer of a text parser's scan); the failure goes to `done` when
    the block ends."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if HEADER_RE.match(text) or (text and not self.lines[-1][1] and text[:1].isdigit()):
            return False  # the next block, or the verdict after a blank line
        if len(self.lines) < MAX_BLOCK_LINES:
            self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        while len(self.lines) > 1 and not self.lines[-1][1]:
            self.lines.pop()
        header = HEADER_RE.match(self.lines[0][1])
        named = _TEST_RE.match(self.lines[1][1]) if len(self.lines) > 1 else None
        if header is None or named is None:
            return []
        body = [t for _, t in self.lines[2:]]
        frames = [m for t in body if (m := _FRAME_RE.match(t))]
        said = [t for t in body if t and not _FRAME_RE.match(t)]
        kind, message = EXPECTATION, "\n".join(t.strip() for t in said)
        raised = _RAISED_RE.match(said[0]) if said and header["what"] == "Error" else None
        if raised is not None:
            kind = raised["kind"].rsplit("::", 1)[-1]
            message = "\n".join([said[0], *(t.strip() for t in said[1:])])
        location = named["place"] or ""
        if not location and frames:  # the test method's own frame, else the backtrace's last
            test = named["test"]
            own = [m for m in frames if m["func"] in (test, f"block in {test}")]
            place = (own or frames)[0 if own else -1]
            location = f"{place['file']}:{place['line']}"
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=f"{named['group']}#{named['test']}",
            group=named["group"],
            location=location,
            kind=kind if message else "",
            message=message,
            details={
                "runner": RUNNER,
                "text": clip("\n".join(t for _, t in self.lines), MAX_FIELD),
            },
            frames=[t.strip() for t in body if _FRAME_RE.match(t)],
        )
        self.done(failure, self.lines)
        return []
