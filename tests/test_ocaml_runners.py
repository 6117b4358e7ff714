"""OCaml's OUnit failures are read: each block under its rule of `=`, `Error: pool:1:worker:0:
name.` (an exception the test raised, of its constructor's kind, `Failure`, its argument the
message) or `Failure: …` (an assertion, of kind AssertionError), counted by its `FAILED: Cases:
6 Tried: 6 Errors: 3 Failures: 2 …`; placed at the test's own frame where its backtrace shows
one. Alcotest, which prints the first failure's output alone (each one's under --show-errors),
is counted by its `5 failures! in 5.382s. 6 tests run.`, the boxes it prints read (before, none
was). Before, each log was refused as of no format (exit 2), and the OUnit one read as clean (0
failures, exit 0) after a clean pytest run. Real captures of
`src/ocaml_pool_suite` (`tests/fixtures/src/capture_ocaml.sh`: ounit2 2.2.6, Alcotest 1.6.0,
OCaml 4.13, a pool of real worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "ocaml_runs"
READ = [
    ("answers ping when silent", "pool:worker", "test_ounit.ml:20", "Failure", "port-no-response"),
    ("keeps running after a request", "pool:worker", "test_ounit.ml:22", "Failure", "-"),
    (
        "checks out a second worker within 200ms",
        "pool:checkout",
        "test_ounit.ml:14",
        "Failure",
        "checkout-timeout-waiters",
    ),
    ("starts a job", "pool:worker", "", "AssertionError", "required-field-missing"),
    ("counts its busy workers", "pool:checkout", "", "AssertionError", "-"),
]


@pytest.mark.parametrize("log", ["ounit.txt", "pytest_then_ounit.txt"])
def test_each_ounit_failure_is_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (5, 0)
    read = finding_rows(report, "name", "group", "location", "kind", "pattern")
    assert sorted(read) == sorted(READ)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["counts its busy workers"] == "busy workers\nexpected: 3 but got: 2"
    parsed = read_logs([str(RUNS / log)])
    theirs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert theirs == [("OUnit", 5, 5)]


ALCOTEST_FIRST = (
    "checks out a second worker within 200ms",  # (its box cuts it: `within 20...`)
    "checkout",
    "test_alcotest.ml:9",
    "Failure",
    "checkout-timeout-waiters",
)
ALCOTEST_READ = [
    ALCOTEST_FIRST,
    ("counts its busy workers", "checkout", "", "AssertionError", "-"),
    ("answers ping when silent", "worker", "test_alcotest.ml:11", "Failure", "port-no-response"),
    ("keeps running after a request", "worker", "test_alcotest.ml:12", "Failure", "-"),
    ("starts a job", "worker", "", "AssertionError", "-"),  # (its answer is not printed)
]


def test_alcotest_reads_the_failure_it_prints_the_others_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Alcotest prints the first failure's box alone: it is read, named in full as its list
    names it, the other four counted unread (before: all five unread)."""
    code, report = triage_json(capsys, RUNS / "alcotest.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (1, 4)
    assert finding_rows(report, "name", "group", "location", "kind", "pattern") == [ALCOTEST_FIRST]
    message = report["findings"][0]["failure"]["message"]
    assert message == (
        "timed out waiting for a worker after 200ms (pool pool_a: 0 ready, 1 busy, 1 waiting)"
    )


def test_alcotest_show_errors_boxes_are_each_read(capsys: pytest.CaptureFixture[str]) -> None:
    """Under --show-errors each failure's box is printed: each read, a check's expected and
    received values its message."""
    code, report = triage_json(capsys, RUNS / "alcotest_errors.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (5, 0)
    read = finding_rows(report, "name", "group", "location", "kind", "pattern")
    assert sorted(read) == sorted(ALCOTEST_READ)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["counts its busy workers"] == "busy workers\nExpected: `3'\nReceived: `2'"
    parsed = read_logs([str(RUNS / "alcotest_errors.txt")])
    theirs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert theirs == [("Alcotest", 5, 5)]


@pytest.mark.parametrize("log", ["ounit_clean.txt", "alcotest_clean.txt"])
def test_a_clean_run_alone_is_a_clean_log(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 0
    assert report["summary"]["failures"] == 0
