"""PHPUnit's console sections of errors and failures (`There were 4 errors:`, `There were 3
failures:`) are read, each entry a failed test named `Class::method` (with its data set), with
its message and its place in the test file, counted by PHPUnit's `Tests: 11, Assertions: 5,
Errors: 4, Failures: 3, …`. Before, they were counted and none read ('its own failure blocks are
not read'). Real captures of `src/phpunit_pool_suite`
(`tests/fixtures/src/capture_phpunit_console.sh`: PHPUnit 9.6, a pool of real worker processes);
its JUnit report (`junit/phpunit_junit.xml`) is classified the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.ansi import strip_ansi
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "phpunit_runs"
READ = [
    ("MiscTest::testRetryCountComesFromTheConfig", "MiscTest.php:25", "", "-"),
    (
        "PoolTest::testASecondCallerGetsAWorkerWhileTheFirstHoldsIt",
        "PoolTest.php:11",
        "PoolTimeoutException",
        "checkout-timeout-waiters",
    ),
    (
        "PoolTest::testTheWorkerAnswersAPing",
        "PoolTest.php:22",
        "WorkerTimeoutException",
        "port-no-response",
    ),
    (
        'PoolTest::testExecuteRunsAProgram with data set "without a session"'
        " (array(2, 'execute', 'sum'))",
        "PoolTest.php:34",
        "WorkerException",
        "required-field-missing",
    ),
    ("MiscTest::testInvoiceTotalsIncludeTax", "MiscTest.php:8", "AssertionError", "-"),
    (
        "MiscTest::testPricesAreFormatted with data set \"thousand\" (100000, '1000.00')",
        "MiscTest.php:14",
        "AssertionError",
        "-",
    ),
    ("MiscTest::testMarkupSurvivesTheReport", "MiscTest.php:31", "AssertionError", "-"),
]


@pytest.mark.parametrize("log", ["console.txt", "color.txt"])
def test_each_entry_is_a_failed_test_read_and_classified(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    code, out, _ = run(capsys, "triage", str(RUNS / log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 7 and report["summary"]["unread"] == 0
    read = [
        (
            f["failure"]["name"],
            f["failure"]["location"].removeprefix("/tmp/phpunit_pool_suite/tests/"),
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]
    assert read == READ
    failures = [f["failure"] for f in report["findings"]]
    # a diff's `--- Expected` line is the message's, not the section's end (`--`)
    assert failures[5]["message"] == (
        "Failed asserting that two strings are identical.\n--- Expected\n+++ Actual\n@@ @@\n"
        "-'1000.00'\n+'1,000.00'"
    )
    assert failures[1]["stacktrace"] == [
        "/tmp/phpunit_pool_suite/src/WorkerPool.php:71",
        "/tmp/phpunit_pool_suite/tests/PoolTest.php:11",
    ]


def test_the_verdict_counts_the_entries_read() -> None:
    parsed = read_logs([str(RUNS / "console.txt")])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("PHPUnit", 7, 7)]
    assert {f.group for f in parsed.failures} == {"MiscTest", "PoolTest"}
    assert not any("not read" in note for note in parsed.skipped)
    # after a clean pytest run (capture_other_runners2.sh): the same suite, read the same
    after = read_logs([str(RUNS.parent / "pytest_then_phpunit.log")])
    assert len(after.failures) == 7
    assert [(s.source, s.failures, s.read) for s in after.summaries][-1] == ("PHPUnit", 7, 7)


@pytest.mark.parametrize("log", ["console.txt", "color.txt"])
def test_the_capture_holds_phpunits_whole_output(log: str) -> None:
    """The first captures went to a file with `> FILE 2>&1`: the workers' stderr writes, at the
    file's offset 0, overwrote PHPUnit's header line and its first progress marks. Captured
    through a pipe, the log opens with the header, then the first five tests' marks (`F.FEF`);
    it is read as before (`test_each_entry_is_a_failed_test_read_and_classified`)."""
    lines = (RUNS / log).read_text().splitlines()
    assert lines[0] == "PHPUnit 9.6.7 by Sebastian Bergmann and contributors."
    assert strip_ansi(lines[2]).startswith("F.FEF")
