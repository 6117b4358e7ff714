"""shUnit2's failures (a shell script's tests, `. shunit2` at its end), read into `Failure`s so
that they classify as any runner's failure does; its verdict is unittest's shape, `FAILED
(failures=6)`, and counts each failed assertion and each test that returned non-zero:

    testSilentWorkerAnswers
    ASSERT:the worker's answer expected:<{"id": 2, "ok": "ping"}> but was:<No response …>
    shunit2:ERROR testSilentWorkerAnswers() returned non-zero return code.

Each test's name is printed on a line of its own as it starts; a block is the `ASSERT:` and
`shunit2:ERROR` lines under it, one failure of that test, of kind AssertionError when an
assertion failed, its message the assertions' words; `details["counted"]` says how many of the
verdict's failures it is (`poolctl.logs.verdicts_read`). shUnit2 prints no place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs.records import Lines, ParsedLog
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import Consumer, TextParser

RUNNER = "shUnit2"
SOURCE: Source = "shunit2"
TRIGGERS = (r"^ASSERT:", r"^shunit2:ERROR test\w*\(\) returned non-zero return code\.\s*$")
# its count of the tests run: in a log of no failed run, a run that passed (`OK` under it)
CLEAN_RE = re.compile(r"^Ran \d+ tests?\.$")
_ASSERT = "ASSERT:"
_RETURNED_RE = re.compile(r"^shunit2:ERROR (?P<test>test\w*)\(\) returned non-zero return code\.$")
_TEST_RE = re.compile(r"^test\w*$")  # a test's name, printed as it starts
EXPECTATION = "AssertionError"


class Shunit2Block(RunnerBlock):
    """A test's `ASSERT:` and `shunit2:ERROR` lines (a consumer of a text parser's scan); its
    failure goes to `done` when they end."""

    test = ""  # the test's name, printed above its block

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or not text.startswith((_ASSERT, "shunit2:ERROR ")):
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        texts = [t for _, t in self.lines]
        said = [t.removeprefix(_ASSERT) for t in texts if t.startswith(_ASSERT)]
        returned = next((m for t in texts if (m := _RETURNED_RE.match(t))), None)
        name = self.test or (returned["test"] if returned else "")
        if not name:
            return []  # no test named above it: not shUnit2's
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=name,
            group="",
            location="",
            kind=EXPECTATION if said else "",
            message="\n".join(said) or f"{name}() returned non-zero return code",
            details={
                "runner": RUNNER,
                "counted": str(len(texts)),  # (each line one of the verdict's failures)
                "text": clip("\n".join(texts), MAX_FIELD),
            },
            frames=[],
        )
        self.done(failure, self.lines)
        return []


def block_at(
    parser: TextParser, number: int, line: str, keep: Callable[[Failure, Lines], None]
) -> Consumer | None:
    """The block `line` begins if it is shUnit2's, under a test's name (the nearest line above
    that is one, or its `returned non-zero` line's)."""
    text = line.rstrip()
    returned = _RETURNED_RE.match(text)
    if not text.startswith(_ASSERT) and returned is None:
        return None
    above = [c.text.rstrip() for c in parser.nearby_before(number)]
    test = next((t for t in reversed(above) if _TEST_RE.match(t)), "")
    if not test and returned is None:
        return None
    block = Shunit2Block(number, line, parser.name, SOURCE, keep)
    block.test = test
    return block


def read_since(out: ParsedLog, file: str) -> bool:
    """Whether shUnit2's failures were read in `file` since its last run closed: the verdict of
    unittest's shape that closes them is shUnit2's."""
    last = max((s.line for s in out.summaries if s.file == file), default=0)
    return any(
        f.source == SOURCE and f.input_file == file and f.line_start > last
        for f in reversed(out.failures)
    )
