"""Jest's JSON report (`jest --json`, as its stdout or `--outputFile` holds it) is read: each
failed test named as its console names it (`worker pool › title`), grouped by its file, placed at
its frame in that file, a matcher's expectation of kind AssertionError, and a file that failed to
run one failure; its counts count them, and a report of no failure is a clean log. Before, it was
refused as of no format (exit 2). Real captures (`tests/fixtures/src/capture_jest_json.sh`:
Jest 29.7.0, a pool of real node worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "jest_json"
READ = [
    (
        "worker pool › a second request gets a connection while the first holds it",
        "pool.test.js",
        "pool.test.js:28",
        "AssertionError",
        "checkout-timeout-waiters",
    ),
    (
        "worker pool › the worker answers a ping right after start-up",
        "pool.test.js",
        "pool.test.js:9",
        "Error",
        "port-no-response",
    ),
    (  # (its stack is node's own: no place)
        "services › the session cache is reachable",
        "pool.test.js",
        "",
        "Error",
        "dependency-not-started",
    ),
    (
        "billing › invoice totals include tax",
        "pool.test.js",
        "pool.test.js:60",
        "AssertionError",
        "-",
    ),
]
UNLOADED = ("Test suite failed to run", "unloaded.test.js", "unloaded.test.js:1", "", "-")


@pytest.mark.parametrize(
    ("log", "read"), [("report.json", READ), ("report_unloaded.json", [*READ, UNLOADED])]
)
def test_each_failure_of_the_report_is_read(
    capsys: pytest.CaptureFixture[str], log: str, read: list[tuple[str, ...]]
) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (len(read), 0)
    rows = finding_rows(report, "name", "group", "location", "kind", "pattern")
    assert sorted(rows) == sorted(read)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["billing › invoice totals include tax"] == (
        "expect(received).toBe(expected) // Object.is equality\nExpected: 18\nReceived: 15"
    )
    assert report["extra"]["formats"] == {str(RUNS / log): "Jest JSON"}
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [
        ("Jest", len(read), len(read))
    ]


def test_a_report_of_no_failure_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "clean.json")
    assert code == 0
    assert report["summary"]["failures"] == 0
    assert report["extra"]["formats"] == {str(RUNS / "clean.json"): "Jest JSON"}


def test_the_console_then_the_json_in_one_log_is_read_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`jest --json 2>&1`: the console's blocks are read, the JSON line after them no run."""
    code, report = triage_json(capsys, RUNS / "both.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (4, 0)
    names = sorted(name for name, *_ in finding_rows(report, "name"))
    assert names == sorted(name for name, *_ in READ)
