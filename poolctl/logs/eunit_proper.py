"""EUnit's failure blocks (`poolctl.logs.eunit_block`) where PropEr printed into them: a property
checked by `proper:quickcheck` in an EUnit test prints its progress (`.` a test, `!` the one
that failed) on the test's line, then what failed and its shrinking, before EUnit's result:

    ppool_tests: checkouts_within_size_test....*failed*      (plain: PropEr's lines above it)
      ppool_tests: checkouts_within_size_test...!            ([verbose]: its result comes after)
    Failed: After 2 test(s).
    5

    Shrinking .(1 time(s))
    3
    ..*failed*
    in function ppool_tests:checkouts_within_size_test/0 (ppool_tests.erl, line 26)
    **error:{badmatch,false}

The test is named without PropEr's dots; under [verbose] its `*failed*` (after PropEr's dots)
begins its block,
named by the test's line above; PropEr's lines (from `Failed: After N test(s).`: the
counterexample, then the one shrunk to) join the failure's message, as EUnit's own says no more
than `{badmatch,false}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs.ansi import strip_ansi
from poolctl.logs.eunit_block import CONTEXT_RE, HEADER_RE, SOURCE, EunitBlock
from poolctl.logs.records import Lines
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

# under [verbose], a test's line whose result comes below what it printed (`...!`, PropEr's)
_TEST_RE = re.compile(r"^  (?P<module>[a-z][\w@]*)(?::\d+)?: (?P<test>\S.*?)\.\.\.(?!.*\*$)")
RESULT_RE = re.compile(r"^\.*\*(?P<how>failed|timed out)\*$")  # (PropEr's dots before it)
_PROPER_RE = re.compile(r"^Failed: After \d+ tests?(?:\(s\))?\.")
# times the lines before a `*failed*` alone are looked at again, further up, for its test's line
# (each look: 15 lines more)
LOOK_BACK = 20


def block_at(
    parser: TextParser, number: int, line: str, keep: Callable[[Failure, Lines], object]
) -> EunitBlock | None:
    """The EUnit block `line` begins (`module: test...*failed*`, a fixture's `*** context …
    ***`, or `*failed*` alone under a test's line, however much the test printed between:
    its Logger's reports, a port's stderr), with what PropEr printed above it."""
    text = line.rstrip()
    alone = RESULT_RE.match(text)
    if alone is None and not (HEADER_RE.match(text) or CONTEXT_RE.match(text)):
        return None
    before = [strip_ansi(c.text.rstrip()) for c in parser.nearby_before(number)]
    block = EunitBlock(number, line, parser.name, SOURCE, keep)
    if alone is not None:
        tests = [m for t in before if (m := _TEST_RE.match(t))]
        earlier = parser.nearby_before(number)
        for _ in range(LOOK_BACK):  # what the test printed may be long (an OTP crash report)
            if tests or not earlier:
                break
            earlier = parser.nearby_before(earlier[0].line)
            before = [strip_ansi(c.text.rstrip()) for c in earlier] + before
            tests = [m for t in before if (m := _TEST_RE.match(t))]
        if not tests:
            return None
        test = tests[-1]
        block.header = f"  {test['module']}: {test['test']}...*{alone['how']}*"
        before = before[before.index(test.string) + 1 :]
    starts = [i for i, t in enumerate(before) if _PROPER_RE.match(t)]
    if starts:
        said = before[starts[-1] :]
        if not any(HEADER_RE.match(t) for t in said):  # (another test's, not this one's)
            block.said_above = "\n".join(t.strip() for t in said if t.strip())
    return block
