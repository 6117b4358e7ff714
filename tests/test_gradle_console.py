"""Gradle's console (`gradle test`) is read: each failed test's block (`com.example.pool.MiscTest
> retryCountComesFromTheConfig FAILED`, its exception's class and place, or under
exceptionFormat 'full' its message and frames, a cause after a blank line), counted by its `14
tests completed, 11 failed, 2 skipped`. Before, each log was refused as of no format (exit 2),
and a clean pytest run before one read clean (0 failures, exit 0). Real captures
(`tests/fixtures/src/capture_gradle_console.sh`: Debian's gradle 4.4.1, JUnit 4.13.2, a pool of
real Python worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, run, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "gradle_runs"
MISC, POOL = "com.example.pool.MiscTest", "com.example.pool.PoolCheckoutTest"
EXC = "com.example.pool."
# name, group, location, kind; the pattern each classifies as under the full form (the short
# form prints no message: none classifies)
READ = [
    ("retryCountComesFromTheConfig", MISC, "MiscTest.java:21", "java.lang.NumberFormatException"),
    ("theExportMatchesTheSnapshot", MISC, "MiscTest.java:45", "java.lang.AssertionError"),
    (
        "concurrentExecutionWithPrewarmedWorkersIsFast",
        MISC,
        "MiscTest.java:30",
        "java.lang.AssertionError",
    ),
    ("invoiceTotalsIncludeTax", MISC, "MiscTest.java:14", "java.lang.AssertionError"),
    ("markupSurvivesTheReport", MISC, "MiscTest.java:36", "org.junit.ComparisonFailure"),
    ("executeRunsAProgram", POOL, "PoolCheckoutTest.java:78", f"{EXC}WorkerException"),
    (
        "closingThePoolLetsAWaitingCallerFinish",
        POOL,
        "PoolCheckoutTest.java:31",
        f"{EXC}PoolClosedException",
    ),
    ("parseAnswersWithTheSize", POOL, "PoolCheckoutTest.java:70", f"{EXC}WorkerTimeoutException"),
    ("theWorkerAnswersAPing", POOL, "PoolCheckoutTest.java:49", f"{EXC}WorkerTimeoutException"),
    (
        "aReportRendersWhileAnotherHoldsTheWorker",
        POOL,
        "PoolCheckoutTest.java:59",
        "java.lang.IllegalStateException",
    ),
    (
        "aSecondCallerGetsAWorkerWhileTheFirstHoldsIt",
        POOL,
        "PoolCheckoutTest.java:18",
        f"{EXC}PoolTimeoutException",
    ),
]
PATTERNS = {
    "executeRunsAProgram": "required-field-missing",
    "closingThePoolLetsAWaitingCallerFinish": "pool-shutdown-during-checkout",
    "parseAnswersWithTheSize": "port-no-response",
    "theWorkerAnswersAPing": "port-no-response",
    # by its cause alone: the service's own exception says only that it could not render
    "aReportRendersWhileAnotherHoldsTheWorker": "checkout-timeout-waiters",
    "aSecondCallerGetsAWorkerWhileTheFirstHoldsIt": "checkout-timeout-waiters",
}
CAUSE = (
    f"{EXC}PoolTimeoutException: timed out waiting for an idle worker after 200 ms (pool "
    "renderers: 1 workers, 1 busy, 1 waiting)"
)


@pytest.mark.parametrize("log", ["short.txt", "full.txt", "pytest_then_full.txt"])
def test_each_failed_test_is_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (11, 0)
    rows = finding_rows(report, "name", "group", "location", "kind", "pattern", source="gradle")
    full = log != "short.txt"
    expected = [(*row, PATTERNS.get(row[0], "-") if full else "-") for row in READ]
    assert sorted(rows) == sorted(expected)
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries][-1] == ("Gradle", 11, 11)


def test_the_full_form_reads_messages_and_causes(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = triage_json(capsys, RUNS / "full.txt")
    failures = {f["failure"]["name"]: f for f in report["findings"]}
    ping = failures["theWorkerAnswersAPing"]["failure"]
    assert ping["message"].startswith("worker pid ")
    assert ping["message"].endswith(" sent no response within 300 ms")
    wrapped = failures["aReportRendersWhileAnotherHoldsTheWorker"]
    # the cause, after a blank line in the block, is the block's, and is the evidence
    assert wrapped["failure"]["message"] == "could not render report monthly"
    assert wrapped["failure"]["details"]["caused_by"] == CAUSE
    assert (wrapped["failure"]["line_start"], wrapped["failure"]["line_end"]) == (63, 72)
    assert [e["text"] for e in wrapped["outcome"]["evidence"]] == [CAUSE]


def test_the_short_form_places_each_and_says_its_cause(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = triage_json(capsys, RUNS / "short.txt")
    [wrapped] = [
        f["failure"]
        for f in report["findings"]
        if f["failure"]["name"] == "aReportRendersWhileAnotherHoldsTheWorker"
    ]
    assert wrapped["message"] == "java.lang.IllegalStateException at PoolCheckoutTest.java:59"
    cause = f"{EXC}PoolTimeoutException at PoolCheckoutTest.java:59"
    assert wrapped["details"]["caused_by"] == cause


def test_a_clean_run_whose_test_task_ran_is_clean(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Gradle 4.4 prints no count of a run whose tests passed: its `:test` task's line (the tests'
    JVM's warnings glued to it) and `BUILD SUCCESSFUL` say the run passed, as Gradle fails the
    build on a failed test. It was refused as of no format (exit 2): a CI job's triage of a green
    build failed. A build whose test task did not run is still no test run."""
    code, out, err = run(capsys, "triage", str(RUNS / "clean.txt"), "--no-history")
    assert (code, err) == (0, ""), err
    assert "0 failures" in out and "read 17 lines (Gradle)" in out, out
    assert "clean.txt:16: BUILD SUCCESSFUL in 15s" in out, out
    lines = (RUNS / "clean.txt").read_text().splitlines()
    built = tmp_path / "built.txt"  # the same build, its test task gone (`gradle classes`)
    built.write_text("\n".join(t for t in lines if not t.startswith((":test", "WARNING"))))
    code, out, err = run(capsys, "triage", str(built), "--no-history")
    assert (code, out) == (2, "") and "format not recognised" in err, err
