"""pytest-json-report's report (`pytest --json-report`) and pytest-reportlog's log (`pytest
--report-log=FILE`) are read as the same run's console is: each failed stage's `longrepr` (the
block the console prints for it; pytest-reportlog's, its entries, printed as the console prints
them) read by pytest's parser under the console's header, a fixture not found placed at its
test's file; counted by the report's `summary`, or by the failures read under the log's exit
status of 1. Before, each was refused as of no format (exit 2). Real captures
(`tests/fixtures/src/capture_pytest_json_report.sh`: pytest 9.2.0, pytest-json-report 1.5.0,
pytest-reportlog 1.0.0, src/pytest_pypool_suite's pools of real worker processes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "pytest_json_report"


def _rows(report: dict[str, Any]) -> list[tuple[str, ...]]:
    return sorted(
        (
            x["name"],
            x["group"],
            x["location"],
            x["kind"],
            x["message"],
            f["outcome"].get("pattern_id") or "-",
        )
        for f in report["findings"]
        for x in [f["failure"]]
    )


@pytest.mark.parametrize("log", ["report.json", "reportlog.jsonl"])
def test_each_failure_is_read_as_its_consoles(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (20, 0)
    _, console = triage_json(capsys, RUNS / "console.txt")
    assert _rows(report) == _rows(console)
    assert report["summary"]["by_pattern"] == console["summary"]["by_pattern"]
    assert len(report["summary"]["by_pattern"]) == 7
    fixture = next(
        f["failure"] for f in report["findings"] if f["failure"]["name"] == "test_named_fixture"
    )
    assert (fixture["kind"], fixture["location"]) == (
        "FixtureLookupError",
        "checks/check_contract.py",
    )
    parsed = read_logs([str(RUNS / log)])
    [run] = parsed.summaries
    assert (run.text, run.tests, run.failures, run.read) == (
        ('"summary": {failed: 19, error: 1}', 21, 20, 20)
        if log == "report.json"
        else ('{"exitstatus": 1, "$report_type": "SessionFinish"}', None, 20, 20)
    )
    said = {"report.json": "pytest-json-report", "reportlog.jsonl": "pytest-reportlog"}[log]
    assert parsed.formats == {str(RUNS / log): said}


@pytest.mark.parametrize("log", ["clean.json", "reportlog_clean.jsonl"])
def test_a_report_of_no_failure_is_a_clean_log(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert (code, report["summary"]["failures"]) == (0, 0)
