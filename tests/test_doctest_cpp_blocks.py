"""The C++ doctest framework's console is read: each failed test case's block (its rule, where
it is defined, `TEST SUITE: checkout`, `TEST CASE:  name`, then `pool_doctest.cc:36: ERROR: CHECK(
… ) is NOT correct!` or `… ERROR: test case THREW exception: …`), named by the test case,
grouped by its suite, counted by its `[doctest] test cases: 8 | 1 passed | 7 failed | 0
skipped`; an exception in a SUBCASE, said twice, one failure; `[doctest] Status: SUCCESS!`
alone a clean run. Before, each log was refused as of no format (exit 2), and a clean pytest
run before one read clean (0 failures, exit 0). Real captures
(`tests/fixtures/src/capture_doctest_cpp.sh`: Debian's doctest 2.4.9, a pool of real python3
worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "doctest_cpp_runs"
FILE = "pool_doctest.cc"
# doctest names no exception's class: an uncaught one is of no kind
READ = [
    (
        "a second caller checks out within 200ms",
        "checkout",
        f"{FILE}:19",
        "",
        "checkout-timeout-waiters",
    ),
    (
        "a caller waiting through shutdown gets a worker",
        "checkout",
        f"{FILE}:25",
        "",
        "pool-shutdown-during-checkout",
    ),
    ("the pool counts its workers", "checkout", f"{FILE}:36", "AssertionError", "-"),
    (
        "a silent worker answers within the request timeout",
        "requests",
        f"{FILE}:41",
        "",
        "port-no-response",
    ),
    ("the pool keeps its worker after a request", "requests", f"{FILE}:47", "", "-"),
    ("an answer holds its ok", "requests", f"{FILE}:57", "AssertionError", "-"),
    # (its SUBCASE's placeholder block before this one is no failure)
    ("a job starts", "requests", f"{FILE}:60", "", "required-field-missing"),
]


@pytest.mark.parametrize("log", ["console.txt", "pytest_then_console.txt"])
def test_each_failed_test_case_is_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    rows = finding_rows(
        report, "name", "group", "location", "kind", "pattern", source="doctest_cpp"
    )
    assert sorted(rows) == sorted(READ)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["the pool counts its workers"] == (
        "CHECK( pool.size() == 3u ) is NOT correct!\nvalues: CHECK( 2 == 3 )"
    )
    assert messages["an answer holds its ok"].endswith('\nlogged: no ok in {"id": 4}')
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries][-1] == ("C++ doctest", 7, 7)


def test_a_clean_run_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)


def test_its_junit_reports_exceptions_are_read_by_their_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--reporters=junit` writes an uncaught exception as `<error message="exception">`, its
    message the element's text: the failures' message was "exception", none classified."""
    code, report = triage_json(capsys, RUNS / "junit.xml")
    assert code == 1
    rows = finding_rows(report, "name", "message", "pattern")
    patterns = {name: pattern for name, _, pattern in rows}
    assert patterns["a second caller checks out within 200ms"] == "checkout-timeout-waiters"
    assert patterns["a caller waiting through shutdown gets a worker"] == (
        "pool-shutdown-during-checkout"
    )
    assert patterns["a silent worker answers within the request timeout"] == "port-no-response"
    messages = {name: message for name, message, _ in rows}
    assert messages["the pool keeps its worker after a request"].endswith(
        " exited with status 3 before answering"
    )
    assert "exception" not in messages.values()


def test_its_xml_report_is_read_as_its_console(capsys: pytest.CaptureFixture[str]) -> None:
    """`--reporters=xml` writes each test case's failed `<Expression>` or `<Exception>` and
    `<OverallResultsTestCases failures="7"/>`: it was refused as of no format (exit 2). An
    exception in a SUBCASE, a placeholder inside it, then the test case's own, is one failure
    with the test case's message."""
    code, report = triage_json(capsys, RUNS / "xml.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    rows = finding_rows(
        report, "name", "group", "location", "kind", "pattern", source="doctest_cpp"
    )
    assert sorted(rows) == sorted(READ)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["the pool counts its workers"] == (
        "CHECK( pool.size() == 3u ) is NOT correct!\nvalues: CHECK( 2 == 3 )"
    )
    assert messages["an answer holds its ok"].endswith('\nlogged: no ok in {"id": 4}')
    assert "program_id is required" in messages["a job starts"]
    parsed = read_logs([str(RUNS / "xml.txt")])
    assert [(s.source, s.tests, s.failures, s.read) for s in parsed.summaries] == [
        ("C++ doctest", 8, 7, 7)
    ]


def test_a_clean_xml_report_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    """Its test cases left out by `--test-case=` are `skipped="true"`, no failure."""
    code, report = triage_json(capsys, RUNS / "xml_clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
    parsed = read_logs([str(RUNS / "xml_clean.txt")])
    assert [(s.source, s.failures) for s in parsed.summaries] == [("C++ doctest", 0)]
