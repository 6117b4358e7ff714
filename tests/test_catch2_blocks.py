"""Catch2's console failures are read test case by test case: each block's name between two
rules of 79 dashes (after Catch2's header), its `FILE:LINE: FAILED:` and what Catch2 says of it
(an assertion and its expansion, or an uncaught exception's message), counted by `test cases: 8
| 1 passed | 7 failed`. Before, such a log was refused as of no format (exit 2). Real captures
of `src/cpp_pool_suite/pool_catch2.cc` (`tests/fixtures/src/capture_catch2_pool.sh`: Catch2
2.13, a pool of real worker processes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "catch2_runs"
READ = [
    (
        "a second caller checks out within 200ms",
        "pool_catch2.cc:17",
        "",
        "checkout-timeout-waiters",
    ),
    (
        "a silent worker answers within the request timeout",
        "pool_catch2.cc:23",
        "",
        "port-no-response",
    ),
    ("the pool keeps its worker after a request", "pool_catch2.cc:29", "", "-"),
    ("an answer holds its ok", "pool_catch2.cc:39", "AssertionError", "-"),
    ("a job starts", "pool_catch2.cc:42", "", "required-field-missing"),
    (
        "a caller waiting through shutdown gets a worker",
        "pool_catch2.cc:48",
        "",
        "pool-shutdown-during-checkout",
    ),
    ("the pool counts its workers", "pool_catch2.cc:59", "AssertionError", "-"),
]


@pytest.mark.parametrize("log", ["console.txt", "color.txt"])
def test_each_block_is_a_failed_test_case_read_and_classified(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    code, out, _ = run(capsys, "triage", str(RUNS / log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 7 and report["summary"]["unread"] == 0
    read = [
        (
            f["failure"]["name"],
            f["failure"]["location"],
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]
    assert read == READ
    failures = [f["failure"] for f in report["findings"]]
    # an uncaught exception: its message alone (Catch2 names no class)
    assert failures[0]["message"] == (
        "checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting"
    )
    assert failures[6]["message"] == "CHECK( pool.size() == 3u )\nwith expansion:\n2 == 3"


def test_the_verdict_counts_the_blocks_read() -> None:
    parsed = read_logs([str(RUNS / "console.txt")])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("Catch2", 7, 7)]
    assert not any("not read" in note for note in parsed.skipped)
