"""busted's failures (Lua), read from its terminal output handlers (utfTerminal, its default, and
plainTerminal) into `Failure`s so that they classify as any runner's failure does. busted prints
its counts first, `1 success / 1 failure / 3 errors / 1 pending : 1.8 seconds`, then a block for
each pending, failed and errored test:

    Error -> spec/pool_spec.lua @ 6
    worker pool checks out a second worker within 200ms
    ./pool.lua:28: checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting

    stack traceback:                       (with --verbose)
        ./pool.lua:28: in function 'checkout'
        spec/pool_spec.lua:9: in function <spec/pool_spec.lua:6>

A block's header says what it is (`Failure`, an assertion; `Error`, an error raised; `Pending`
no failure) and where the test is declared; its next line is the test's full name (its
describe blocks' and its own), then the message, where the error was raised before it (`FILE:
LINE: `, kept), to a blank line (or, under --verbose, the traceback after it, its frames behind
a tab). Its place is its frame in the spec's file, else the message's where it is the spec's,
else the test's line. The counts count them as Mocha's do
(`poolctl.logs.other_verdicts.spec_section`).
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "busted"
SOURCE: Source = "busted"
_HEADER = r"^(?P<what>Failure|Error|Pending) (?:->|→) (?P<file>\S+) @ (?P<line>\d+)"
HEADER_RE = re.compile(rf"{_HEADER}$")
TRIGGERS = (r"^(?:Failure|Error) (?:->|→) \S+ @ \d+\s*$",)
VERDICT_RE = re.compile(
    r"^\d+ success(?:es)? / (?P<failed>\d+) failures? / (?P<errors>\d+) errors? / \d+ pending"
    r" : [\d.]+ seconds?$"
)
VERDICT_TRIGGER = (  # (a failure or an error counted)
    r"^\d+ success(?:es)? / (?:[1-9]\d* failures? / \d+|\d+ failures? / [1-9]\d*) errors? / "
)
CLEAN_RE = re.compile(r"^\d+ success(?:es)? / 0 failures / 0 errors / \d+ pending : ")
_WHERE_RE = re.compile(r"^(?P<file>\S+?):(?P<line>\d+): ")  # where the error was raised
_FRAME_RE = re.compile(r"^\t(?P<file>\S+?):(?P<line>\d+): in ")
TRACEBACK = "stack traceback:"
EXPECTATION = "AssertionError"  # luassert's: busted names no class for it


class BustedBlock(RunnerBlock):
    """One failed or errored test's block (a consumer of a text parser's scan), to a blank line,
    or past it its traceback, and the next block's header."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        after_blank = not self.lines[-1][1]
        if HEADER_RE.match(text) or len(self.lines) >= MAX_BLOCK_LINES:
            return False
        if text and after_blank and text != TRACEBACK and not text.startswith("\t"):
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        while self.lines and not self.lines[-1][1]:
            self.lines.pop()
        header = HEADER_RE.match(self.lines[0][1])
        if header is None or header["what"] == "Pending" or len(self.lines) < 2:
            return []
        body = [t for _, t in self.lines[2:]]
        said = body[: body.index("")] if "" in body else body
        message = "\n".join(said)
        file = header["file"]
        frames = [t.strip() for t in body if _FRAME_RE.match(t)]
        place = spec_place(file, header["line"], message, body)
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=self.lines[1][1],
            group=file,
            location=place,
            kind=EXPECTATION if header["what"] == "Failure" else "",
            message=message,
            details={"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, self.lines)
        return []


def spec_place(file: str, line: str, message: str, body: list[str]) -> str:
    """Where a test of the spec `file`, declared at `line`, failed: its traceback's frame in the
    spec (`body`'s lines behind a tab), else where `message` says it was raised when that is the
    spec, else the test's own line (busted's terminal and TAP handlers say the same)."""
    own = [m for t in body if (m := _FRAME_RE.match(t)) and m["file"] == file]
    where = _WHERE_RE.match(message)
    if own:
        return f"{file}:{own[0]['line']}"
    if where is not None and where["file"] == file:
        return f"{file}:{where['line']}"
    return f"{file}:{line}"
