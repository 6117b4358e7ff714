"""JUnit 5's ConsoleLauncher output is read: its `Failures (9):` section (tree and summary
details), each entry named by its display name, grouped by its class, placed at its frame in
the class's file, of its exception's class; a container that failed (`@BeforeAll`) among them.
Its summary's `[ 1 containers failed ]` and `[ 8 tests failed ]` count one run of 9. Under
`--details=flat`, which prints no section, the 9 are counted, unread. Before, each log was
refused as of no format (exit 2), or read as clean (0 failures, exit 0) after a clean pytest
run in one log. Real captures (`tests/fixtures/src/capture_junit5_console.sh`: Debian's junit5,
console-standalone 1.9.1, Jupiter 5.9.2, a pool of real Python worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "junit5_console_runs"
TEST = "com.example.pool.PoolJupiterTest"
TIMEOUT = "com.example.pool.WorkerTimeoutException"
FAILED = "org.opentest4j.AssertionFailedError"
READ = [
    ("concurrentExecutionWithPrewarmedWorkersIsFast()", TEST, "PoolJupiterTest.java:104", FAILED),
    ("invoiceTotalsIncludeTax()", TEST, "PoolJupiterTest.java:96", FAILED),
    ("markupSurvivesTheReport()", TEST, "PoolJupiterTest.java:111", FAILED),
    (
        "execute sum",
        f"{TEST}$Requests",
        "PoolJupiterTest.java:89",
        "com.example.pool.WorkerException",
    ),
    ("parseAnswersWithTheSize()", f"{TEST}$Requests", "PoolJupiterTest.java:78", TIMEOUT),
    ("theWorkerAnswersAPing()", f"{TEST}$Requests", "PoolJupiterTest.java:69", TIMEOUT),
    (
        "closingThePoolLetsAWaitingCallerFinish()",
        f"{TEST}$Checkout",
        "PoolJupiterTest.java:40",
        "com.example.pool.PoolClosedException",
    ),
    (
        "a second caller gets a worker while the first holds it",
        f"{TEST}$Checkout",
        "PoolJupiterTest.java:27",
        "com.example.pool.PoolTimeoutException",
    ),
    ("PoolSetupTest", "com.example.pool.PoolSetupTest", "PoolSetupTest.java:18", TIMEOUT),
]


@pytest.mark.parametrize("log", ["tree.txt", "summary.txt", "pytest_then_tree.txt"])
def test_each_failure_of_the_section_is_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (9, 0)
    read = finding_rows(report, "name", "group", "location", "kind")
    assert sorted(read) == sorted(READ)
    assert report["summary"]["by_pattern"] == {
        "port-no-response": 3,
        "pool-shutdown-during-checkout": 1,
        "checkout-timeout-waiters": 1,
        "required-field-missing": 1,
    }
    parsed = read_logs([str(RUNS / log)])
    theirs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert theirs == [("JUnit 5", 9, 9)]  # (its containers' count and its tests': one run)


def test_flat_details_are_counted_unread(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "flat.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (0, 9)


def test_a_run_none_failed_alone_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "clean.txt")
    assert code == 0
    assert report["summary"]["failures"] == 0
