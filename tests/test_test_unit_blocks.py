"""test-unit's failures (Ruby's bundled gem) are read: each `Failure:` and `Error:` block between
its rules of `=`, counted by `9 tests, 4 assertions, 3 failures, 3 errors, 1 pendings, 1
omissions, 0 notifications`; its pending and omitted tests are no failures. Before, a failed run
read as clean (0 failures, exit 0): its `Finished in 1.44 seconds.` is ExUnit's mark, and the
ExUnit parser found nothing of its own, alone or after a clean `mix test` run. Real captures of
`src/ruby_pool_suite/test_unit/` (`tests/fixtures/src/capture_test_unit.sh`: test-unit 3.5.3, a
pool of real worker processes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "test_unit_runs"
FILE = "test_unit/pool_test_unit.rb"
FAILED = [
    (
        "test: a pool of one hands out one worker at a time",  # `test "…" do`: its block's frame
        "PoolTestUnit",
        f"{FILE}:57",
        "CheckoutTimeout",
        "checkout-timeout-waiters",
    ),
    ("test_counts_its_workers", "PoolTestUnit", f"{FILE}:51", "AssertionError", "-"),
    ("test_keeps_its_worker_after_a_request", "PoolTestUnit", f"{FILE}:32", "WorkerExited", "-"),
    ("test_reads_the_ok_of_an_answer", "PoolTestUnit", f"{FILE}:39", "AssertionError", "-"),
    (
        "test_second_caller_checks_out_within_200ms",
        "PoolTestUnit",
        f"{FILE}:20",  # the test's frame, below the pool's
        "CheckoutTimeout",
        "checkout-timeout-waiters",
    ),
    (
        "test_silent_worker_answers_within_the_request_timeout",
        "PoolTestUnit",
        f"{FILE}:26",
        "NoResponse",
        "port-no-response",
    ),
    (
        "test_starts_a_job",
        "PoolTestUnit",
        f"{FILE}:46",
        "AssertionError",
        "required-field-missing",
    ),
]


def _read(report: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            f["failure"]["name"],
            f["failure"]["group"],
            f["failure"]["location"].removeprefix("/tmp/ruby_pool_suite_test_unit/"),
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]


@pytest.mark.parametrize(
    "log", ["default.txt", "verbose.txt", "rake.txt", "mix_then_test_unit.log"]
)
def test_each_failed_test_is_read_and_classified(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    code, out, _ = run(capsys, "triage", str(RUNS / log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    assert sorted(_read(report)) == sorted(FAILED)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    # an assertion's own message and what it compared; the code around its line left out
    assert messages["test_reads_the_ok_of_an_answer"] == (
        'worker answered without its ok\n<"echo"> expected but was\n<nil>'
    )
    assert messages["test_starts_a_job"] == '<"program_id is required"> was expected to be nil.'
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures] == [
        ("test-unit", 7, 7)
    ]


def test_a_clean_run_alone_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "triage", str(RUNS / "clean.txt"), "--no-history")
    assert code == 0
    assert "read for its runs' verdicts alone (test-unit): each passed" in out
