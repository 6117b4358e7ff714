"""Test2::Harness's `yath test` is read: each failed job's tagged lines (`[  FAIL  ]  job  1  +
name`, its `(  DIAG  )` lines), kept until its `( FAILED )  job  1    FILE` line, one failure of
that file, placed at its first failed test's `at FILE line N.`, its message each failed test's
name and diagnostics, counted by its summary's `Fail Count: 2` (the files that failed);
`-->  Result: PASSED  <--` is a clean run. Before, each log was refused as of no format. Real
captures (`tests/fixtures/src/capture_yath.sh`: yath 1.000151, Test::More scripts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "yath_runs"


def test_each_failed_job_is_read_and_classified(capsys: pytest.CaptureFixture[str]) -> None:
    parsed = read_logs([str(RUNS / "yath.txt")])
    read = {f.name: f for f in parsed.failures}
    assert sorted(read) == ["yt/pool_diag.t", "yt/pool_subtest.t"]
    diag, subtest = read["yt/pool_diag.t"], read["yt/pool_subtest.t"]
    assert (diag.location, diag.group, diag.kind) == ("yt/pool_diag.t:7", "yt", "AssertionError")
    assert diag.message.splitlines() == [
        "checkout returns a worker",
        "  got: '{:shutdown, {NimblePool, :checkout, [:test_pool_9090]}}'",
        "  expected: '{:ok, worker}'",
        "python bridge answers ping",
        "  Python bridge timed out waiting for a response after 5000 ms",
    ]
    # the subtest's diagnostics, under `|`, and its parent's name before them
    assert subtest.location == "yt/pool_subtest.t:11"
    assert subtest.message.splitlines()[:2] == ["checkout", "after a resize"]
    [run] = parsed.summaries
    assert (run.source, run.failures, run.read) == ("yath", 2, 2)
    code, report = triage_json(capsys, RUNS / "yath.txt")
    assert (code, report["summary"]["unread"]) == (1, 0)
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns == {
        "yt/pool_diag.t": "pool-shutdown-during-checkout",
        "yt/pool_subtest.t": "pool-shutdown-during-checkout",
    }


def test_a_run_of_none_failed_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
