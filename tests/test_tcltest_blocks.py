"""Tcl's tcltest failures are read: each `==== name description FAILED` block to its closing
`==== name FAILED`, counted by its tab-separated `all.tcl:  Total 6  Passed 1  Skipped 0
Failed 5` (tcltest exits 0 whatever failed: its count is the one word of it). A result that
differs is of kind AssertionError; an error the test raised is its errorInfo's first line.
Before, each log was refused as of no format (exit 2), and after a clean pytest run in one log
it read as clean (0 failures, exit 0). Real captures of `src/tcltest_pool_suite`
(`tests/fixtures/src/capture_tcltest.sh`: Tcl 8.6.13, a pool of real worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "tcltest_runs"
READ = [
    ("checks out a second worker within 200ms", "checkout", "", "checkout-timeout-waiters"),
    ("counts its busy workers", "checkout", "AssertionError", "-"),
    ("answers ping when silent", "worker", "", "port-no-response"),
    ("keeps running after a request", "worker", "", "-"),
    ("starts a job", "worker", "AssertionError", "-"),
]


@pytest.mark.parametrize("log", ["single.txt", "all.txt", "pytest_then_all.txt"])
def test_each_failed_test_is_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (5, 0)
    read = finding_rows(report, "name", "group", "kind", "pattern")
    assert sorted(read) == sorted(READ)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["counts its busy workers"] == (
        "Result was:\n2\nResult should have been (exact matching):\n3"
    )
    assert messages["keeps running after a request"] == (
        "worker exited with status 3 before answering"
    )  # (its errorInfo's first line: the Tcl traceback under it is no message)
    parsed = read_logs([str(RUNS / log)])
    theirs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert theirs == [("tcltest", 5, 5)]


def test_a_clean_run_alone_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "clean.txt")
    assert code == 0
    assert report["summary"]["failures"] == 0
