"""A doctest's failure block under `python -m unittest` (a DocTestSuite's: `FAIL: f (mod)`,
`Doctest: mod.f`) holds doctest's own report under a rule of dashes: it is read whole, not cut at
that rule, and located at the failed example with what it did, as pytest's doctest blocks are.
Real capture: more-itertools 11.2.1's own suite with three regressions
(tests/fixtures/src/capture_unittest_doctest.sh)."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs

LOG = Path(__file__).parent / "fixtures" / "unittest" / "doctest_blocks.txt"
MORE = "/tmp/capture_unittest_doctest/more_itertools-11.2.1/more_itertools/more.py"


def test_a_doctest_block_is_read_to_its_end_and_located_at_its_example() -> None:
    read = read_logs([str(LOG)])
    doctests = {f.name: f for f in read.failures if f.group == "more_itertools.more"}
    first, last = doctests["first"], doctests["last"]
    assert (first.line_start, first.line_end) == (63, 79)
    assert (last.line_start, last.line_end) == (83, 105)
    assert first.location == f"{MORE}:259"
    assert (
        first.message
        == ">>> first([], 'some default'): Expected: 'some default' Got: ['some default']"
    )
    assert last.location == f"{MORE}:286"
    assert last.message == ">>> last([], 'some default'): StopIteration"
    assert "Exception raised:" in last.details["text"]


def test_every_failure_the_verdict_counts_is_read_once() -> None:
    read = read_logs([str(LOG)])
    assert len(read.failures) == 8  # FAILED (failures=5, errors=3)
    assert len({(f.name, f.group, f.line_start) for f in read.failures}) == 8
    assert not read.skipped
