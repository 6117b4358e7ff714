"""What `node --test` counts, and what its reporters list (real captures:
tests/fixtures/src/capture_node_cases.sh, node 20): failed tests (`fail 7`) and, apart, cancelled
ones (`cancelled 4`: a timeout, tests whose suite's `before` hook failed, a subtest its parent
did not await); a test failed by its subtests alone is counted, a describe suite never."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

CASES = Path(__file__).parent / "fixtures" / "mixed" / "node_cases"
# the tests listed with an error of their own (or a cancellation's reason), and the suite whose
# hook failed (listed too; node does not count it), each named by its path
LISTED = [
    "grandparent > parent > leaf",
    "parent throws too > child",
    "parent throws too",
    "hooked suite > uses the pool",
    "hooked suite > uses it again",
    "hooked suite",
    "after hook fails",
    "times out",
    "unawaited subtest > late",
]


@pytest.mark.parametrize("log", ["spec.log", "tap.log"])
def test_cancelled_tests_are_counted_and_read(log: str) -> None:
    """`fail 7` and `cancelled 4` are one run of 11 (before: 7, the cancelled ones not counted;
    the spec reporter's `✖ uses the pool`, cancelled, prints no time and was not read). Read:
    the 8 tests listed, and `grandparent`, `parent` and `unawaited subtest`, failed by their
    subtests alone, as their subtests are; the suite's own failure is read beyond the count."""
    parsed = read_logs([str(CASES / log)])
    assert [f.name for f in parsed.failures] == LISTED
    [node] = parsed.summaries
    assert (node.source, node.failures, node.read) == ("node --test", 11, 11)
    assert not [note for note in parsed.skipped if "its own failure blocks are not read" in note]


def test_a_test_with_its_own_error_after_its_subtests_is_no_parent() -> None:
    """Inline, a test that failed after its subtest did prints a blank line before its error
    (`✖ parent throws too (…)`, ``, `  Error: …`), as the suite whose hook failed does: neither
    was taken for a test failed by its subtests alone (before: 5 such, now the 3 that are)."""
    parsed = read_logs([str(CASES / "spec.log")])
    parents = [n for n, parent in parsed.spec_inline[str(CASES / "spec.log")] if parent]
    lines = (CASES / "spec.log").read_text().splitlines()
    assert [lines[n - 1].strip().split(" (")[0] for n in parents] == [
        "✖ parent",
        "✖ grandparent",
        "✖ unawaited subtest",
    ]


def test_the_dot_reporter_lists_every_failed_test_and_suite() -> None:
    """Its 12 `X`: every test node counts as failed or cancelled, and the suite; the entries of
    the tests cancelled by their suite's hook print no time (before the fix of the dot reader,
    they ended its section: 5 of 12 read)."""
    parsed = read_logs([str(CASES / "dot.log")])
    assert [f.name for f in parsed.failures] == [
        "leaf",
        "child",
        "parent throws too",
        "uses the pool",
        "uses it again",
        "hooked suite",
        "after hook fails",
        "times out",
        "late",
    ]
    [node] = parsed.summaries
    assert (node.failures, node.read) == (12, 12)


@pytest.mark.parametrize("log", ["spec_timeout.log", "tap_timeout.log"])
def test_a_run_failed_by_a_timeout_alone_is_a_failed_run(log: str) -> None:
    """`fail 0`, `cancelled 1`, node exits 1: the spec log alone was "format not recognised"."""
    parsed = read_logs([str(CASES / log)])
    assert [(f.name, f.message) for f in parsed.failures] == [
        ("checkout waits", "test timed out after 50ms")
    ]
    [node] = parsed.summaries
    assert (node.source, node.failures, node.read) == ("node --test", 1, 1)


def test_after_a_clean_pytest_run_a_timeout_is_a_node_run_s() -> None:
    """Before, the timed-out test was read with no run counting it."""
    parsed = read_logs([str(CASES / "pytest_then_spec_timeout.log")])
    clean, node = parsed.summaries
    assert (clean.failures, node.source, node.failures, node.read) == (0, "node --test", 1, 1)


def test_an_inline_line_then_a_blank_line_at_the_input_s_end_is_recorded(tmp_path: Path) -> None:
    """The inline reader looks past a blank line for the error under a `✖` line: a log cut
    there (after `✖ parent throws too (…)` and its blank line) still records that line, as one
    with nothing under it, as it was before the reader looked past blank lines."""
    cut = tmp_path / "cut.log"
    cut.write_text("".join((CASES / "spec.log").read_text().splitlines(keepends=True)[:33]))
    parsed = read_logs([str(cut)])
    assert parsed.spec_inline[str(cut)][-1] == (32, True)
