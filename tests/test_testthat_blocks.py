"""R testthat's failures are read: each `Failure ('test-x.R:14'): name` and `Error (…)` block,
counted by its verdict `[ FAIL 6 | WARN 1 | SKIP 1 | PASS 3 ]` (a failed expectation each, two
in one test two); its Warning and Skip blocks are no failures. Its progress reporter prints the
verdict after the blocks, its check reporter before and after them (one run), `R CMD check` the
last 13 lines of it, indented. Before, such a log alone was refused as of no format (exit 2), and
after a clean pytest run in one log it read as clean (0 failures, exit 0). Real captures of
`src/testthat_pool_suite` (`tests/fixtures/src/capture_testthat.sh`: testthat 3.1.6, R 4.2.2, a
pool of real worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, run, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "testthat_runs"
READ = [
    (
        "a second caller checks out within 200ms",
        "test-checkout.R:9",
        "",
        "checkout-timeout-waiters",
    ),
    ("the pool counts its busy workers", "test-checkout.R:14", "AssertionError", "-"),
    ("the pool counts its busy workers", "test-checkout.R:15", "AssertionError", "-"),
    ("a silent worker answers ping", "test-worker.R:2", "", "port-no-response"),
    ("a worker keeps running after a request", "test-worker.R:6", "", "-"),
    ("a job starts", "test-worker.R:11", "AssertionError", "required-field-missing"),
]


@pytest.mark.parametrize("log", ["progress.txt", "check_rout.txt", "pytest_then_progress.txt"])
def test_each_failed_expectation_is_read_once(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (6, 0)
    assert sorted(
        finding_rows(report, "name", "location", "kind", "pattern", source="testthat")
    ) == sorted(READ)
    messages = {f["failure"]["location"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["test-worker.R:6"] == (
        'Error in `request(new_pool(1, "exit"), 3, "ping")`: '
        "worker exited with status 3 before answering"
    )  # (its backtrace is no message)
    parsed = read_logs([str(RUNS / log)])
    theirs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.source == "testthat"]
    assert theirs == [("testthat", 6, 6)]  # (the check reporter's verdict twice: one run)


def test_r_cmd_check_reads_the_lines_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    """`R CMD check` shows the last 13 lines of the output: the block whole in them is read,
    indented as they are; the other five are counted, unread."""
    code, report = triage_json(capsys, RUNS / "check.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (1, 5)
    assert finding_rows(report, "name", "location", "kind", "pattern", source="testthat") == [
        READ[-1]
    ]


def test_a_clean_run_alone_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "triage", str(RUNS / "clean.txt"), "--no-history")
    assert code == 0
    assert "read for its runs' verdicts alone (testthat): each passed" in out
