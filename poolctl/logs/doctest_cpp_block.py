"""The C++ doctest framework's console failures (its default reporter's), read into `Failure`s
so that they classify as any runner's failure does; its count, `[doctest] test cases: 8 | 1
passed | 7 failed | 0 skipped`, counts them (`poolctl.logs.verdict_lines`), `[doctest] Status:
SUCCESS!` a clean run:

    ===============================================================================
    pool_doctest.cc:34:
    TEST SUITE: checkout
    TEST CASE:  the pool counts its workers

    pool_doctest.cc:36: ERROR: CHECK( pool.size() == 3u ) is NOT correct!
      values: CHECK( 2 == 3 )

A block is read from its `TEST CASE:` line (the rule, where the test case is defined and its
suite are the lines above it) to the next rule of 79 `=` (test-unit's rule too: its block's
header is no `TEST CASE:`). Named by the test case, grouped by its suite (its file where it is
in none), placed at its first failure's line; an exception the test did not catch (`test case
THREW exception: …`, doctest names no class) is of no kind, a failed CHECK or REQUIRE of kind
AssertionError; its message what doctest says of its first failure (the values, what was
logged). An exception thrown in a SUBCASE is said in a block of its own after a placeholder
block of the same test case, which is no failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

RUNNER = "C++ doctest"
SOURCE: Source = "doctest_cpp"
HEADER = "TEST CASE:  "
TRIGGERS = (r"^TEST CASE:  \S",)
RULE = "=" * 79
_DEFINED_RE = re.compile(r"^(?P<file>\S+):(?P<line>\d+):$")
_SUITE = "TEST SUITE: "
_FAILED_RE = re.compile(r"^(?P<file>\S+):(?P<line>\d+): (?:FATAL )?ERROR: (?P<said>.*)$")
_THREW = "test case THREW exception: "
# an exception thrown in a SUBCASE is said twice: first this placeholder, then, once the test
# case has exited, in a block of its own that names it (the failure)
_DEFERRED = "exception thrown in subcase - will translate later"
_COUNT = r"^\[doctest\] test cases: +\d+ \| +\d+ passed \| +"
VERDICT_RE = re.compile(rf"{_COUNT}(?P<failed>\d+) failed \|")
VERDICT_TRIGGER = rf"{_COUNT}[1-9]\d* failed"
CLEAN_RE = re.compile(r"^\[doctest\] Status: SUCCESS!$")
EXPECTATION = "AssertionError"


def heads_block(before: list[str]) -> bool:
    """Whether a `TEST CASE:` line whose non-blank lines above are `before` heads doctest's
    block: its suite's line, where it is defined, the rule."""
    above = before[-1] if before and before[-1].startswith(_SUITE) else None
    rest = before[:-1] if above is not None else before
    return len(rest) >= 2 and _DEFINED_RE.match(rest[-1]) is not None and rest[-2] == RULE


class DoctestBlock(RunnerBlock):
    """One failed test case's lines (a consumer of a text parser's scan), to the next rule; its
    suite and where it is defined are the lines above it (`block_at` notes them)."""

    suite = ""
    defined = ""

    def ends_before(self, text: str) -> bool:
        return text == RULE or text.startswith("[doctest] ")

    def close(self) -> Lines:
        name = self.lines[0][1].removeprefix(HEADER).strip()
        texts = [t for _, t in self.lines[1:]]
        at = next((i for i, t in enumerate(texts) if _FAILED_RE.match(t)), None)
        if at is None:
            return []
        failed = _FAILED_RE.match(texts[at])
        assert failed is not None
        said = [failed["said"]]
        for text in texts[at + 1 :]:
            if not text.startswith("  "):
                break
            said.append(text.strip())
        kind = EXPECTATION
        if said[0].startswith(_THREW):
            kind, said[0] = "", said[0].removeprefix(_THREW)
            if said[0].startswith(_DEFERRED):
                return []
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=name,
            group=self.suite or self.defined.partition(":")[0],
            location=f"{failed['file']}:{failed['line']}",
            kind=kind,
            message="\n".join(said),
            details={"runner": RUNNER, "text": clip("\n".join(texts).strip(), MAX_FIELD)},
            frames=[],
        )
        self.done(failure, self.lines)
        return []


def block_at(
    number: int,
    line: str,
    input_file: str,
    before: list[str],
    done: Callable[[Failure, Lines], object],
) -> DoctestBlock | None:
    """The block a `TEST CASE:` line begins, if the lines above it (`before`) are doctest's."""
    if not heads_block(before):
        return None
    block = DoctestBlock(number, line, input_file, SOURCE, done)
    if before[-1].startswith(_SUITE):
        block.suite = before[-1].removeprefix(_SUITE).strip()
    block.defined = (before[-2] if block.suite else before[-1]).rstrip(":")
    return block
