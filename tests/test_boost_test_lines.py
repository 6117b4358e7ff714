"""Boost.Test's console is read: each failed assertion's or uncaught exception's line
(`pool_boost.cc(37): error: in "checkout/the_pool_counts_its_workers": check … has failed`,
`unknown location(0): fatal error: in "…": CheckoutTimeout: …` and the checkpoint under it),
named by its test case, grouped by its suites, counted by its `*** 7 failures are detected in
the test module "pool"` (under --report_level=detailed by the lines read, its report's heading
naming no count); `*** No errors detected` or `… has passed with:` alone a clean run. Before,
each log was refused as of no format (exit 2), and a clean pytest run before one read clean (0
failures, exit 0). Real captures (`tests/fixtures/src/capture_boost_test.sh`: Debian's
Boost.Test 1.74, a pool of real python3 worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "boost_test_runs"
# an exception is placed at the checkpoint under it (the test case's entry), of the type Boost
# names; a failed check or requirement at its own line
READ = [
    (
        "a_second_caller_checks_out_within_200ms",
        "checkout",
        "pool_boost.cc:20",
        "CheckoutTimeout",
        "checkout-timeout-waiters",
    ),
    (
        "a_caller_waiting_through_shutdown_gets_a_worker",
        "checkout",
        "pool_boost.cc:26",
        "PoolShutdown",
        "pool-shutdown-during-checkout",
    ),
    ("the_pool_counts_its_workers", "checkout", "pool_boost.cc:37", "AssertionError", "-"),
    (
        "a_silent_worker_answers_within_the_request_timeout",
        "requests",
        "pool_boost.cc:44",
        "NoResponse",
        "port-no-response",
    ),
    (
        "the_pool_keeps_its_worker_after_a_request",
        "requests",
        "pool_boost.cc:50",
        "WorkerExited",
        "-",
    ),
    ("an_answer_holds_its_ok", "requests", "pool_boost.cc:60", "AssertionError", "-"),
    ("a_job_starts", "requests", "pool_boost.cc:63", "WorkerError", "required-field-missing"),
]


@pytest.mark.parametrize(
    "log", ["color.txt", "plain.txt", "suites.txt", "pytest_then_plain.txt", "detailed.txt"]
)
def test_each_failed_line_is_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    rows = finding_rows(report, "name", "group", "location", "kind", "pattern", source="boost_test")
    assert sorted(rows) == sorted(READ)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["the_pool_counts_its_workers"] == "check pool.size() == 3u has failed [2 != 3]"
    assert messages["a_second_caller_checks_out_within_200ms"] == (
        "checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting"
    )
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries][-1] == ("Boost.Test", 7, 7)
    # (under --report_level=detailed its report's heading is the verdict, which names no count:
    # the lines read count the run, and no note says its failures went unread)
    assert not [n for n in parsed.skipped if "not read" in n]


@pytest.mark.parametrize("log", ["clean.txt", "report_clean.txt"])
def test_a_clean_run_is_clean(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert (code, report["summary"]["failures"]) == (0, 0)


def test_its_junit_logger_is_read_as_its_console(capsys: pytest.CaptureFixture[str]) -> None:
    """`--logger=JUNIT,error,FILE` (the advice its verdict gives) writes `message="unexpected
    exception"` or `"failure"` and puts what failed in Boost's fields (`ASSERTION FAILURE:`,
    `UNCAUGHT EXCEPTION:`, its stack trace and last checkpoint): each failure's message was
    the attribute's, its kind `uncaught exception`, none placed, none classified."""
    code, report = triage_json(capsys, RUNS / "junit.xml")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    assert sorted(finding_rows(report, "name", "group", "location", "kind", "pattern")) == sorted(
        READ
    )
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["the_pool_counts_its_workers"] == "check pool.size() == 3u has failed [2 != 3]"
    assert messages["a_second_caller_checks_out_within_200ms"] == (
        "checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting"
    )


# at its default level (`error`) its XML log writes no test case around a failure: an exception
# is named by its last checkpoint's test entry, a failed check or requirement by its place
READ_XML_DEFAULT = [
    (name, "pool_boost.cc", place, kind, pattern)
    if kind != "AssertionError"
    else (place, "pool_boost.cc", place, kind, pattern)
    for name, _, place, kind, pattern in READ
]


@pytest.mark.parametrize(
    ("log", "rows", "verdict"),
    [
        ("xml.txt", READ_XML_DEFAULT, '*** 7 failures are detected in the test module "pool"'),
        ("xml_suites.xml", READ, "<TestLog>"),
        ("output_xml.txt", READ, 'assertions_failed="7"'),
    ],
)
def test_its_xml_log_is_read_as_its_console(
    capsys: pytest.CaptureFixture[str], log: str, rows: list[tuple[str, ...]], verdict: str
) -> None:
    """`--log_format=XML` (and `--output_format=XML`) writes the console's failures as elements
    of one line: the log was counted by the report's line piped among it (7 counted, none read,
    the advice to write JUnit XML) or, with no such line, refused as of no format (exit 2)."""
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    read = finding_rows(report, "name", "group", "location", "kind", "pattern", source="boost_test")
    assert sorted(read) == sorted(rows)
    messages = {f["failure"]["location"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["pool_boost.cc:37"] == "check pool.size() == 3u has failed [2 != 3]"
    assert messages["pool_boost.cc:20"] == (
        "checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting"
    )
    parsed = read_logs([str(RUNS / log)])
    assert [(s.text, s.failures, s.read) for s in parsed.summaries] == [(verdict, 7, 7)]
    assert parsed.formats[str(RUNS / log)] == "Boost.Test XML"


def test_a_clean_xml_log_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "xml_clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
    parsed = read_logs([str(RUNS / "xml_clean.txt")])
    assert [(s.text, s.failures) for s in parsed.summaries] == [("*** No errors detected", 0)]


def test_an_xml_log_cut_before_its_end_says_so(tmp_path: Path) -> None:
    """A log a CI job's time limit cut: the elements before the cut are read, the cut said."""
    whole = (RUNS / "xml_suites.xml").read_text()
    cut = tmp_path / "cut.xml"
    cut.write_text(whole[: whole.index('<TestCase name="an_answer_holds_its_ok"')])
    parsed = read_logs([str(cut)])
    assert len(parsed.failures) == 5
    assert any("ends before </TestLog>: cut short" in note for note in parsed.skipped)
