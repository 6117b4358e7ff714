"""A log of TeamCity's service messages alone (a runner's TeamCity reporter: `##teamcity[
testFailed name='…' message='…' details='…']`, one a line) is read: each `testFailed` a failure
named by its test, grouped by the suite it was started in, its message, its kind and frames from
its details, placed at the first frame of the project's own code; the failures read count the
run, and a log of finished tests and none failed is clean. Before, such a log was refused as of
no format (exit 2). `phpunit --teamcity` prints its count after the messages: its failures, counted
and none read before (the advice to write JUnit XML), are read from the messages, as many as it
counts. Real captures (`tests/fixtures/src/capture_teamcity_messages.sh`: Mocha 10.8.2 and
mocha-teamcity-reporter 4.2.0 on a pool of real node workers; Debian's PHPUnit 9.6 on a pool of
real Python workers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "teamcity_runs"
MOCHA = [
    ("reads its settings", "", "test/pool.test.js:43", "AssertionError", "-"),
    ("request is answered", "Pool", "pool.js:27", "Error", "port-no-response"),
    ("second checkout waits", "Pool", "pool.js:21", "Error", "checkout-timeout-waiters"),
    ("start without program_id", "jobs", "pool.js:40", "Error", "required-field-missing"),
    ("reply shape", "jobs", "test/pool.test.js:25", "AssertionError", "-"),
    (
        '"before each" hook for "publishes"',
        "",
        "test/pool.test.js:36",
        "Error",
        "dependency-not-started",
    ),
]


def _rows(report: dict) -> list[tuple[str, ...]]:  # type: ignore[type-arg]
    return [
        (x["name"], x["group"], x["location"], x["kind"], f["outcome"].get("pattern_id") or "-")
        for f in report["findings"]
        for x in [f["failure"]]
        if x["source"] == "teamcity"
    ]


def test_mochas_messages_are_read(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "mocha.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (6, 0)
    assert sorted(_rows(report)) == sorted(MOCHA)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["request is answered"].startswith("No response received from worker pid ")
    assert (
        messages["reads its settings"]
        == "Expected values to be strictly equal:\n\nundefined !== '4'"
    )
    parsed = read_logs([str(RUNS / "mocha.txt")])
    [run] = parsed.summaries
    assert (run.source, run.tests, run.failures, run.read) == ("TeamCity service messages", 7, 6, 6)
    assert parsed.formats == {str(RUNS / "mocha.txt"): "TeamCity service messages"}


def test_a_log_of_finished_tests_none_failed_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "mocha_clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
    assert [
        (s.source, s.failures) for s in read_logs([str(RUNS / "mocha_clean.txt")]).summaries
    ] == [("TeamCity service messages", 0)]


# as its console's are read (tests/test_phpunit_blocks.py): the same groups, places, kinds
PHPUNIT = [
    ("testInvoiceTotalsIncludeTax", "MiscTest", "tests/MiscTest.php:8", "AssertionError", "-"),
    (
        'testPricesAreFormatted with data set "thousand"',
        "MiscTest",
        "tests/MiscTest.php:14",
        "AssertionError",
        "-",
    ),
    ("testRetryCountComesFromTheConfig", "MiscTest", "tests/MiscTest.php:25", "", "-"),
    ("testMarkupSurvivesTheReport", "MiscTest", "tests/MiscTest.php:31", "AssertionError", "-"),
    (
        "testASecondCallerGetsAWorkerWhileTheFirstHoldsIt",
        "PoolTest",
        "tests/PoolTest.php:11",
        "PoolTimeoutException",
        "checkout-timeout-waiters",
    ),
    (
        "testTheWorkerAnswersAPing",
        "PoolTest",
        "tests/PoolTest.php:22",
        "WorkerTimeoutException",
        "port-no-response",
    ),
    (
        'testExecuteRunsAProgram with data set "without a session"',
        "PoolTest",
        "tests/PoolTest.php:34",
        "WorkerException",
        "required-field-missing",
    ),
]


def test_phpunits_messages_are_the_failures_its_count_counts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = triage_json(capsys, RUNS / "phpunit.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    assert sorted(_rows(report)) == sorted(PHPUNIT)
    parsed = read_logs([str(RUNS / "phpunit.txt")])
    [run] = parsed.summaries
    assert (run.source, run.failures, run.read) == ("PHPUnit", 7, 7)
    assert not [n for n in parsed.skipped if "its own failure blocks are not read" in n]


def test_a_clean_phpunit_run_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "phpunit_clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
