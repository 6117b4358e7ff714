"""GoogleTest's JSON report (`--gtest_output=json:FILE`) is read, failure by failure, as its
console is (`Pool.CountsItsWorkers`, grouped by its suite, placed where its failure says, an
exception of no kind with its description, an assertion AssertionError), counted by its
`failures`; a report of none is a clean log. Before, each was refused as of no format (exit 2).
Real captures (`tests/fixtures/src/capture_gtest_json.sh`: Debian's GoogleTest 1.12, a pool of
real python3 worker processes), whose console output is mixed/gtest_runs/console.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

MIXED = Path(__file__).parent / "fixtures" / "mixed"
REPORT = MIXED / "gtest_json" / "report.json"


def test_each_failed_test_is_read_as_its_console_reads_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = triage_json(capsys, REPORT)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    _, console = triage_json(capsys, MIXED / "gtest_runs" / "console.txt")
    fields = ("name", "group", "location", "kind", "pattern")
    assert sorted(finding_rows(report, *fields, source="gtest")) == sorted(
        finding_rows(console, *fields, source="gtest")
    )
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["Pool.CountsItsWorkers"] == (
        "Expected equality of these values:\n  pool.size()\n    Which is: 2\n  3u\n    Which is: 3"
    )
    parsed = read_logs([str(REPORT)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("GoogleTest", 7, 7)]
    assert parsed.formats[str(REPORT)] == "GoogleTest JSON"


def test_a_report_of_no_failure_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, MIXED / "gtest_json" / "clean.json")
    assert (code, report["summary"]["failures"]) == (0, 0)
