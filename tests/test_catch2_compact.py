"""Catch2's compact reporter (`-r compact`) is read: a line for each failed assertion
(`pool_catch2.cc:17: failed: unexpected exception with message: '…'`, an expansion's lines
under it), named by its place (the reporter names no test case), counted by `Failed 7 test
cases, failed 7 assertions.`; `Passed 1 test case with 1 assertion.` alone a clean run. Before,
each log was refused as of no format (exit 2), and a clean pytest run before one read clean (0
failures, exit 0). Real captures (`tests/fixtures/src/capture_catch2_compact.sh`: Catch2 2.13,
a pool of real worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "catch2_runs"
FILE = "pool_catch2.cc"
# the place, its kind (Catch2 names no exception's class), its pattern
READ = [
    (f"{FILE}:17", "", "checkout-timeout-waiters"),
    (f"{FILE}:23", "", "port-no-response"),
    (f"{FILE}:29", "", "-"),
    (f"{FILE}:39", "AssertionError", "-"),
    (f"{FILE}:42", "", "required-field-missing"),
    (f"{FILE}:48", "", "pool-shutdown-during-checkout"),
    (f"{FILE}:59", "AssertionError", "-"),
]


@pytest.mark.parametrize("log", ["compact.txt", "compact_after_pytest.txt"])
def test_each_failed_assertion_is_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    rows = finding_rows(report, "location", "kind", "pattern", source="catch2")
    assert sorted(rows) == sorted(READ)
    failures = {f["failure"]["location"]: f["failure"] for f in report["findings"]}
    assert {(f["name"], f["group"]) for f in failures.values()} == {
        (place, FILE) for place, _, _ in READ
    }
    assert failures[f"{FILE}:17"]["message"] == (
        "checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting"
    )
    # an expansion over three lines is the assertion's message whole
    assert failures[f"{FILE}:39"]["message"].splitlines()[1:] == [
        "!=",
        "18446744073709551615 (0xffffffffffffffff)",
    ]
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries][-1] == ("Catch2", 7, 7)


def test_a_clean_run_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "compact_clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
