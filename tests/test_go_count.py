"""`go test -count=2` runs each test twice in one binary: each try is a failure of its own, read
from its own lines, never one message glued from both tries (real captures of
src/go_runs_suite's pool package: capture_go_count.sh). Before, go's `-v` and `-json` readings
gave the second try of a test both tries' lines ('1 + 1 = 2, want 3\\n1 + 1 = 2, want 3'), and
gotestsum's JUnit report gave each try of TestSizes/large both tries' folded parents."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

COUNT = Path(__file__).parent / "fixtures" / "mixed" / "go_count"
# each failed test's place and message, the same in both tries
TESTS = {
    "TestCheckoutTimesOut": (
        "pool_test.go:11",
        "checkout queued on pool_a: 0 of 1 workers ready, 3 waiting\n"
        "timed out waiting for a worker after 200ms (pool pool_a: 0 ready, 1 busy, 3 waiting)",
    ),
    "TestArithmetic": ("pool_test.go:17", "1 + 1 = 2, want 3"),
    "TestSizes/large": ("pool_test.go:25", "size 64: got 63 workers, want 64"),
}


@pytest.mark.parametrize("log", ["v.txt", "json.txt", "gotestsum.txt", "gotestsum_junit.xml"])
def test_each_try_is_read_from_its_own_lines(log: str) -> None:
    parsed = read_logs([str(COUNT / log)])
    read = [(f.name, f.location, f.message) for f in parsed.failures]
    assert read == [(name, *said) for name, said in TESTS.items()] * 2
    assert len({(f.line_start, f.line_end) for f in parsed.failures}) == 6


def test_each_try_of_a_subtest_keeps_its_own_parent() -> None:
    """gotestsum's report writes the parent TestSizes (failed through its subtest, folded into
    it) after each try's TestSizes/large: each subtest's `parent` is its own try's, once."""
    parsed = read_logs([str(COUNT / "gotestsum_junit.xml")])
    parents = [f.details["parent"] for f in parsed.failures if f.name == "TestSizes/large"]
    assert parents == ["=== RUN   TestSizes\n--- FAIL: TestSizes (0.00s)"] * 2
    runs = [(s.failures, s.read) for s in parsed.summaries if s.failures]
    assert runs == [(8, 8)]  # (its count all accounted for, none unread)
