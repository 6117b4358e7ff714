"""Haskell tasty's failed tests (its console reporter's), read into `Failure`s so that they
classify as any runner's failure does; its verdict, `7 out of 8 tests failed (4.15s)`, counts
them. Each test is a line under its groups', indented by two spaces a level, its result after
its name; a failed one's output is indented below it:

    pool
      worker
        answers ping when silent:                FAIL
          Exception: No response received from worker within 3s
          Use -p '/answers ping when silent/' to rerun this test only.
        adds:                                    FAIL (0.02s)
          TastyMain.hs:33:
          expected: 3
           but got: 2
          Use -p '/adds/' to rerun this test only.

HUnit's assertion says where it failed (`FILE:LINE:`) over its message, of kind AssertionError
(HUnit names no class); any other output (an exception the test did not catch, `Exception: `
and its message) is of no kind: tasty names no class. The test's group is the nearest line
above it less indented.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

RUNNER = "tasty"
SOURCE: Source = "tasty"
HEADER_RE = re.compile(r"^(?P<indent> +)(?P<name>\S.*?): +FAIL(?: \([\d.]+s\))?$")
TRIGGERS = (r"^ +\S.*: +FAIL(?: \([\d.]+s\))?\s*$",)
VERDICT_RE = re.compile(r"^(?P<failed>\d+) out of \d+ tests? failed \([\d.]+s\)$")
VERDICT_TRIGGER = r"^[1-9]\d* out of \d+ tests? failed \("
CLEAN_RE = re.compile(r"^All \d+ tests? passed \([\d.]+s\)$")
_PLACE_RE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):$")
_RERUN = "Use -p '"
EXPECTATION = "AssertionError"


def block_at(
    number: int,
    line: str,
    input_file: str,
    before: list[str],
    done: Callable[[Failure, Lines], object],
) -> TastyBlock | None:
    """The block of the failed test `line` names, if it is one; `before`, the non-blank lines
    above it, oldest first, name its group."""
    header = HEADER_RE.match(line.rstrip())
    if header is None:
        return None
    block = TastyBlock(number, line, input_file, SOURCE, done)
    indent = len(header["indent"])
    groups = [t.strip() for t in before if len(t) - len(t.lstrip(" ")) < indent and ":" not in t]
    block.group = groups[-1] if groups else ""
    return block


class TastyBlock(RunnerBlock):
    """One failed test's output (a consumer of a text parser's scan), to its rerun hint or the
    first line not indented under it; its failure goes to `done` when it ends."""

    group = ""

    def begin(self, line: str) -> None:
        self.indent = len(line) - len(line.lstrip(" "))

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        last = self.lines[-1][1].strip()
        if last.startswith(_RERUN) or len(self.lines) >= MAX_BLOCK_LINES:
            return False
        if len(text) - len(text.lstrip(" ")) <= self.indent:
            return False  # (a blank line too: tasty prints none inside a test's output)
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        said = [t.strip() for _, t in self.lines[1:] if not t.strip().startswith(_RERUN)]
        if header is None:
            return []
        place = _PLACE_RE.match(said[0]) if said else None
        message = "\n".join(said[1:] if place else said)
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=header["name"],
            group=self.group,
            location=f"{place['file']}:{place['line']}" if place else "",
            kind=EXPECTATION if place else "",
            message=message,
            details={
                "runner": RUNNER,
                "text": clip("\n".join(t for _, t in self.lines), MAX_FIELD),
            },
            frames=[],
        )
        self.done(failure, self.lines)
        return []
