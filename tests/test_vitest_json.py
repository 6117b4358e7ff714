"""Vitest's JSON reporter (`vitest run --reporter=json`: Jest's shape, its first key
`numTotalTestSuites`) is read as Jest's report is: each failed test named as Vitest's console
names it (`pool > title`), grouped by its file, placed at its frame there; a file whose import
failed one failure with its message, and a file that failed with no test failed and no message
(a `beforeAll` that threw: the report keeps no error of it) one failure said so. Before, it was
refused as of no format (exit 2). Real captures (`tests/fixtures/src/capture_vitest_json.sh`:
vitest 4.1.12, node 20)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "vitest_runs"
READ = [
    ("Test suite failed to run", "broken_import.test.js", "", "", "-"),
    ("Test suite failed to run", "hook.test.js", "", "", "-"),
    (
        "pool > checkout times out",
        "pool.test.js",
        "pool.test.js:5",
        "Error",
        "checkout-timeout-waiters",
    ),
    ("pool > arithmetic", "pool.test.js", "pool.test.js:9", "AssertionError", "-"),
    # (its timeout's message is none of the report's: Vitest writes `Error: STACK_TRACE_ERROR`)
    ("pool > waits for a worker", "pool.test.js", "pool.test.js:13", "Error", "-"),
]


def test_each_failure_of_the_report_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "json.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (5, 0)
    rows = finding_rows(report, "name", "group", "location", "kind", "pattern", source="vitest")
    assert sorted(rows) == sorted(READ)
    messages = {f["failure"]["group"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["broken_import.test.js"].startswith(
        "Cannot find module '../src/missing_pool.js' imported from "
    )
    assert messages["hook.test.js"] == (
        "the file failed, no test of it failed, and the report holds no error for it"
    )
    parsed = read_logs([str(RUNS / "json.txt")])
    [run] = parsed.summaries
    assert (run.source, run.tests, run.failures, run.read) == ("Vitest", 8, 5, 5)
    assert parsed.formats == {str(RUNS / "json.txt"): "Vitest JSON"}


def test_a_report_of_no_failure_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "json_clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
