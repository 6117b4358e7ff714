"""`pytest -s -v` where a test's output ends with no newline: pytest writes its outcome right
after it (`check_glued.py::test_partial_line worker 3 said: half a lineFAILED`, or on a later
line of its output). The logs are real runs (tests/fixtures/src/capture_glued_outcomes.sh,
pytest 9.2.0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

GLUED = Path(__file__).parent / "fixtures" / "pytest" / "glued"

# the failures and the lines that show them (the test's start, its outcome)
FAILED = [
    ("test_partial_line", 9, 9),
    ("test_after_lines", 10, 11),  # its start, then `waiting for worker 4's replyFAILED`
    ("test_needs_pool", 16, 16),  # a fixture's setup error: `… (2 workers)ERROR`
    ("test_sized[2]", 18, 18),
    ("test_spaced", 19, 19),  # `retrying FAILED`: printed with a space, then the outcome
]


@pytest.mark.parametrize("log", ["s_verbose_no_summary.txt", "s_verbose_progress_no_summary.txt"])
def test_an_outcome_glued_to_a_test_s_output_is_its_failure(log: str) -> None:
    """`--no-summary --tb=no`: the progress lines are all that name the failures (before: 0 of
    5 read). `previous run: FAILEDPASSED` is a pass, and `previous run: FAILED` followed by
    `PASSED` alone is the test's own text."""
    parsed = read_logs([str(GLUED / log)])
    assert [(f.name, f.line_start, f.line_end) for f in parsed.failures] == FAILED
    assert [f.details["outcome"] for f in parsed.failures] == ["failed"] * 2 + ["error"] + [
        "failed"
    ] * 2
    [run] = parsed.summaries
    assert (run.failures, run.read) == (5, 5)


def test_a_killed_s_verbose_run_reads_its_glued_failures_and_the_test_it_stopped_in() -> None:
    """Killed in `check_hang.py`'s test, whose last line is its node id and what it printed
    (`check_hang.py::test_waits_forever waiting for the pool`). Before: 0 failures, exit 0."""
    parsed = read_logs([str(GLUED / "s_verbose_killed.txt")])
    assert [(f.name, f.line_start, f.line_end) for f in parsed.failures] == [
        *FAILED,
        ("test_waits_forever", 20, 20),
    ]
    assert parsed.failures[-1].kind == "RunEnded"
    [run] = parsed.summaries
    assert run.failures == run.read == 6


def test_a_full_s_verbose_run_reads_each_failure_once() -> None:
    """With its FAILURES section and short summary: each failure from its block, not again
    from its glued outcome."""
    parsed = read_logs([str(GLUED / "s_verbose.txt")])
    assert sorted(f.name for f in parsed.failures) == sorted(name for name, *_ in FAILED)
    assert all(f.details.get("named_by") != "progress line" for f in parsed.failures)
    [run] = parsed.summaries
    assert (run.failures, run.read) == (5, 5)


def test_a_killed_s_run_stopped_in_a_test() -> None:
    """`-s` without `-v`: each file's letters are glued to what its tests printed (`half a
    lineFworker 4 started`), and cannot be told from it: not counted. But its last line, a
    file's name and what its test printed (`check_hang.py waiting for the pool`, no `[ NN%]`
    under `-s`), shows it stopped in a test: one failure not read, exit 1 (before: 0 failures,
    and a clean exit)."""
    parsed = read_logs([str(GLUED / "s_killed.txt")])
    assert parsed.failures == []
    [run] = parsed.summaries
    assert (run.failures, run.read, run.source) == (1, 0, "progress marks")
    assert run.text.endswith("and stop in a test that printed no result)")


def test_a_live_log_line_ending_in_an_outcome_word_leaves_the_test_s_outcome_its_own() -> None:
    """Under live logging a log line may end in an outcome word (`WARNING pool:… retry 1 of
    checkout FAILED`, `ERROR pool:… worker 2 status: ERROR`): read as an outcome glued to the
    test's output, it took the test's start, and the test's own `FAILED  [ 33%]` after its log
    named no test (0 of 2, a regression of the glued reading, caught before it was merged)."""
    parsed = read_logs([str(GLUED / "logs_live_no_summary.txt")])
    assert [(f.name, f.line_start, f.line_end) for f in parsed.failures] == [
        ("test_checkout_retried", 9, 13),
        ("test_status_logged", 14, 17),
    ]
    [run] = parsed.summaries
    assert (run.failures, run.read) == (2, 2)
