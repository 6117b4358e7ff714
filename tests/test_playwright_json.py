"""Playwright Test's JSON reporter (`--reporter=json`) is read as its list reporter's console
is: each test of status `unexpected` named by its describe suites' and its own title, grouped by
its file, its first try's error its message, placed at its frame in the test's file, else at the
test's line; a test that passed when retried is no failure, said flaky; counted by
`stats.unexpected`. Before, it was refused as of no format (exit 2). Real captures
(`tests/fixtures/src/capture_playwright_json.sh`: Playwright Test 1.65.1, a pool of real python3
workers; `--retries=1`, as `list.txt` was run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "playwright_runs"


def _rows(report: dict[str, Any]) -> list[tuple[str, ...]]:
    return sorted(
        (x["name"], x["group"], x["location"], x["kind"], f["outcome"].get("pattern_id", "-"))
        for f in report["findings"]
        for x in [f["failure"]]
    )


def test_each_unexpected_test_is_read_as_the_list_reporters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = triage_json(capsys, RUNS / "json.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    _, console = triage_json(capsys, RUNS / "list.txt")
    assert _rows(report) == _rows(console)
    parsed = read_logs([str(RUNS / "json.txt")])
    [run] = parsed.summaries
    assert (run.source, run.failures, run.read) == ("Playwright", 7, 7)
    assert [n for n in parsed.skipped if "flaky" in n] == [
        f"{RUNS / 'json.txt'}: flaky in Playwright's JSON report (failed, then passed when"
        " retried; no failure): worker pool › a retried checkout gets a worker"
    ]


def test_a_report_of_no_failure_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "json_clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
