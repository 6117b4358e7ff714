"""uvu's failed run: each suite's line counts its failed tests, each FAIL block below it is read
and classified. Before, the log was refused as of no format (exit 2). Real capture of
`src/more_runners_suite/js/uvu.test.mjs` (`tests/fixtures/src/capture_uvu.sh`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

UVU = Path(__file__).parent / "fixtures" / "mixed" / "uvu_runs" / "uvu.log"


def test_each_fail_block_is_a_failure_of_its_suite_counted_by_the_suite_s_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "triage", str(UVU), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 4 and report["summary"]["unread"] == 0
    read = [
        (
            f["failure"]["group"],
            f["failure"]["name"],
            f["failure"]["location"].rsplit("/", 1)[-1],
            f["outcome"].get("pattern_id", "unclassified"),
        )
        for f in report["findings"]
    ]
    assert read == [
        (
            "Pool",
            "a second checkout waits for the first",
            "pool.mjs:36",
            "checkout-timeout-waiters",
        ),
        ("Pool", "a worker answers ping", "pool.mjs:46", "port-no-response"),
        ("Jobs", "a job needs its program_id", "pool.mjs:65", "required-field-missing"),
        ("Jobs", "arithmetic", "uvu.test.mjs:38", "unclassified"),
    ]
    arithmetic = report["findings"][3]["failure"]
    assert arithmetic["message"] == (
        "Expected values to be strictly equal:\n++3    (Expected)\n--2    (Actual)"
    )
    assert arithmetic["kind"] == "AssertionError" and arithmetic["details"]["operator"] == "is"
    assert all(f["failure"]["source"] == "uvu" for f in report["findings"])


def test_the_suites_lines_are_the_runs_each_counting_its_own() -> None:
    parsed = read_logs([str(UVU)])
    runs = [(s.source, s.failures, s.read) for s in parsed.summaries]
    assert runs == [("uvu", 2, 2), ("uvu", 2, 2)]
    assert parsed.formats[str(UVU)] == "uvu"
