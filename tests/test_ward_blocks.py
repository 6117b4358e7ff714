"""ward's failed run: each failure's block, under a rule titled with the test's description, is
read and classified, its Results box's `Failures` line counting them. Before, the log was
refused as of no format (exit 2). Real capture of `src/more_runners_suite/ward`
(`tests/fixtures/src/capture_ward.sh`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

WARD = Path(__file__).parent / "fixtures" / "mixed" / "ward_runs" / "ward.txt"


def test_each_block_is_a_failure_named_by_its_description_and_classified(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "triage", str(WARD), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 3 and report["summary"]["unread"] == 0
    read = [
        (
            f["failure"]["name"],
            f["failure"]["location"].removeprefix("/tmp/more_runners_suite/"),
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "unclassified"),
        )
        for f in report["findings"]
    ]
    assert read == [
        (
            "a second checkout waits for the first",
            "ward/test_pool_ward.py:13",
            "TimeoutError",
            "checkout-timeout-waiters",
        ),
        (
            "a job needs its program_id",
            "ward/test_pool_ward.py:20",
            "KeyError",
            "required-field-missing",
        ),
        ("arithmetic", "ward/test_pool_ward.py:25", "AssertionError", "unclassified"),
    ]
    first = report["findings"][0]["failure"]
    # the exception's line, wrapped at 80 columns, read whole
    assert first["message"] == (
        "TimeoutError: checkout timed out after 0.2s: pool pool_a has 0 idle workers, 1 waiting"
    )
    assert report["findings"][2]["failure"]["message"] == "assert 1 + 1 == 3"


def test_the_results_box_counts_the_failures_read() -> None:
    parsed = read_logs([str(WARD)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("ward", 3, 3)]
    assert {f.group for f in parsed.failures} == {"ward/test_pool_ward.py"}
