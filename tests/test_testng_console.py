"""TestNG's console is read: its suite's `Total tests run: 6, Failures: 3, Skips: 1` is its
verdict, and under -verbose 2 each `FAILED: method` block (its exception's class and message,
its frames) is a failure, named by its method, grouped by its class, placed at that method's
frame. Without -verbose the 3 are counted, unread. Before, each log was refused as of no format
(exit 2), and after a clean pytest run in one log it read as clean (0 failures, exit 0). Real
captures (`tests/fixtures/src/capture_testng.sh`: TestNG 6.9.12, a pool of real Python worker
processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "testng_runs"
CLASS = "com.example.pool.PoolTestNgTest"
READ = [
    ("countsItsBusyWorkers", CLASS, "PoolTestNgTest.java:42", "java.lang.AssertionError", "-"),
    (
        "secondCallerChecksOutWithin200ms",
        CLASS,
        "PoolTestNgTest.java:17",
        "com.example.pool.PoolTimeoutException",
        "checkout-timeout-waiters",
    ),
    (
        "silentWorkerAnswersPing",
        CLASS,
        "PoolTestNgTest.java:28",
        "com.example.pool.WorkerTimeoutException",
        "port-no-response",
    ),
]


@pytest.mark.parametrize("log", ["verbose.txt", "pytest_then_verbose.txt"])
def test_each_failed_test_is_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (3, 0)
    read = finding_rows(report, "name", "group", "location", "kind", "pattern")
    assert sorted(read) == sorted(READ)
    parsed = read_logs([str(RUNS / log)])
    theirs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert theirs == [("TestNG", 3, 3)]  # (each test's own count under -verbose is no run)


def test_its_count_alone_is_counted_unread(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "default.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (0, 3)


def test_a_clean_run_alone_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "clean.txt")
    assert code == 0
    assert report["summary"]["failures"] == 0
