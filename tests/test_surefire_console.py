"""Maven Surefire's console failures are read: each failed test's block (`[ERROR]
com.example.pool.PoolJupiterTest$Requests.parseAnswersWithTheSize -- Time elapsed: 0.510 s <<<
ERROR!`, its exception's class and message, its frames), counted by its Results' `[ERROR] Tests
run: 11, Failures: 3, Errors: 5, Skipped: 2`; under rerunFailingTestsCount a test's tries are one
failure (its reruns said), and a test its Results list under `Flakes:` is none. Before, the
failures were counted and none read ("its own failure blocks are not read"). Real captures
(`tests/fixtures/src/capture_surefire_console.sh`: surefire 3.2.5, JUnit 5.10.2, a pool of real
Python worker processes; `capture_other_runners2.sh` for pytest_then_maven.log)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

FIXTURES = Path(__file__).parent / "fixtures" / "mixed"
RUNS = FIXTURES / "surefire_console"
OUTER = "com.example.pool.PoolJupiterTest"
READ = [
    (
        "concurrentExecutionWithPrewarmedWorkersIsFast",
        OUTER,
        "PoolJupiterTest.java:104",
        "org.opentest4j.AssertionFailedError",
        "-",
    ),
    (
        "invoiceTotalsIncludeTax",
        OUTER,
        "PoolJupiterTest.java:96",
        "org.opentest4j.AssertionFailedError",
        "-",
    ),
    (
        "markupSurvivesTheReport",
        OUTER,
        "PoolJupiterTest.java:111",
        "org.opentest4j.AssertionFailedError",
        "-",
    ),
    (
        "executeRunsAProgram(String)[1]",
        f"{OUTER}$Requests",
        "PoolJupiterTest.java:89",
        "com.example.pool.WorkerException",
        "required-field-missing",
    ),
    (
        "parseAnswersWithTheSize",
        f"{OUTER}$Requests",
        "PoolJupiterTest.java:78",
        "com.example.pool.WorkerTimeoutException",
        "port-no-response",
    ),
    (
        "theWorkerAnswersAPing",
        f"{OUTER}$Requests",
        "PoolJupiterTest.java:69",
        "com.example.pool.WorkerTimeoutException",
        "port-no-response",
    ),
    (
        "closingThePoolLetsAWaitingCallerFinish",  # (its frame in the test's lambda)
        f"{OUTER}$Checkout",
        "PoolJupiterTest.java:40",
        "com.example.pool.PoolClosedException",
        "pool-shutdown-during-checkout",
    ),
    (
        "secondCaller",
        f"{OUTER}$Checkout",
        "PoolJupiterTest.java:27",
        "com.example.pool.PoolTimeoutException",
        "checkout-timeout-waiters",
    ),
]


@pytest.mark.parametrize("log", ["plain.txt", "color.txt", "reruns.txt"])
def test_each_failed_test_is_read_once(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (8, 0)
    read = finding_rows(report, "name", "group", "location", "kind", "pattern")
    assert sorted(read) == sorted(READ)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["invoiceTotalsIncludeTax"] == "total with tax ==> expected: <18> but was: <15>"
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("Maven Surefire", 8, 8)]
    reruns = {key: rerun.times for key, rerun in parsed.reruns.items()}
    # each failed test tried twice under rerunFailingTestsCount=1: each try's block printed
    tried_again = {f"{group}::{name}": 1 for name, group, *_ in READ}
    assert reruns == (tried_again if log == "reruns.txt" else {})


def test_a_test_that_passed_when_run_again_is_flaky_not_a_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A clean pytest run, then Surefire's under rerunFailingTestsCount 2: one test fails every
    try (three blocks: one failure, two reruns), another fails once then passes (its Results
    list it under `Flakes:`)."""
    code, report = triage_json(capsys, FIXTURES / "pytest_then_maven.log")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (1, 0)
    assert finding_rows(report, "name", "group", "location", "kind") == [
        (
            "programConfigKey",
            "com.example.pool.CheckoutTest",
            "CheckoutTest.java:23",
            "org.opentest4j.AssertionFailedError",
        )
    ]
    notes = "\n".join(report["notes"])
    flaky = "com.example.pool.CheckoutTest::checkoutWhileTheWorkerStarts (1 rerun: Timeout: "
    assert "flaky: 1 test(s) failed, then passed on a rerun" in notes
    assert f"the run counts the last try): {flaky}" in notes
    every_try = "rerun and failed every try: com.example.pool.CheckoutTest::programConfigKey (2 "
    assert every_try in notes


def test_a_clean_run_alone_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    """Its one test skipped by its assumption, BUILD SUCCESS: it was refused as of no format."""
    code, report = triage_json(capsys, RUNS / "clean.txt")
    assert code == 0
    assert report["summary"]["failures"] == 0
    assert report["extra"]["formats"] == {str(RUNS / "clean.txt"): "Maven Surefire"}
