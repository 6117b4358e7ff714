"""A Vitest shard (`vitest run --shard=1/2`, a CI matrix's part) whose failed tests and unhandled
error are counted by `Tests  3 failed | 3 passed (6)`, then `Errors  1 error`, with no `Failed
Suites` heading above: its blocks were read (4 failures) and its run said to have read none of
them ('4 of the 4 failures the runner counted were not read'), the run's start kept at its
`Tests` line. Real captures (`tests/fixtures/src/capture_vitest_shard.sh`: vitest 4.1.12,
src/vitest_runs_suite in two shards)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "vitest_runs"


@pytest.mark.parametrize(("log", "failures"), [("shard_1.txt", 4), ("shard_2.txt", 2)])
def test_a_shards_failures_are_its_runs(
    capsys: pytest.CaptureFixture[str], log: str, failures: int
) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (failures, 0)
    parsed = read_logs([str(RUNS / log)])
    [run] = parsed.summaries
    assert (run.source, run.failures, run.read) == ("Vitest", failures, failures)
    assert not [n for n in parsed.skipped if "its own failure blocks are not read" in n]
