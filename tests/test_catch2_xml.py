"""Catch2's XML reporter (`-r xml`) is read, test case by test case, as its console is (named by
the test case, grouped by its file, placed at its first failure, an exception of no kind with
its message, an assertion AssertionError with its expression and expansion), counted by its
`<OverallResultsCases failures="7"/>`; a report of none failed is a clean log. Before, each was
refused as of no format (exit 2). Real captures (`tests/fixtures/src/capture_catch2_xml.sh`:
Debian's Catch2 2.13, a pool of real worker processes), whose console output is
mixed/catch2_runs/console.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "catch2_runs"


def test_each_failed_test_case_is_read_as_its_console_reads_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = triage_json(capsys, RUNS / "report.xml")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    _, console = triage_json(capsys, RUNS / "console.txt")
    fields = ("name", "group", "location", "kind", "pattern")
    assert sorted(finding_rows(report, *fields)) == sorted(finding_rows(console, *fields))
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    said = {f["failure"]["name"]: f["failure"]["message"] for f in console["findings"]}
    assert messages["the pool counts its workers"] == said["the pool counts its workers"]
    assert messages["the pool counts its workers"] == (
        "CHECK( pool.size() == 3u )\nwith expansion:\n2 == 3"
    )
    parsed = read_logs([str(RUNS / "report.xml")])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("Catch2", 7, 7)]


def test_a_report_of_no_failure_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "report_clean.xml")
    assert (code, report["summary"]["failures"]) == (0, 0)
