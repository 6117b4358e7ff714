"""Jest 30 under `--bail` prints its summary as it stops at the first failed test file (`Test
Suites: 1 failed, 1 of 2 total`, `Tests:       4 failed, 1 passed, 5 total`) and again once its
workers end (`Test Suites: 2 failed, 2 total`, the same `Tests:` line): one run, its 4 failures
read. Before, the second summary was a second run of 4 failures, none read ('4 of the 8
failures the runner counted were not read'). Real capture
(`tests/fixtures/src/capture_jest_bail.sh`: Jest 30.5.2, src/jest_blocks_suite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json

BAIL = Path(__file__).parent / "fixtures" / "mixed" / "jest_blocks" / "bail.txt"


def test_a_summary_printed_twice_is_one_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, BAIL)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (4, 0)
    parsed = read_logs([str(BAIL)])
    [run] = parsed.summaries
    assert (run.source, run.failures, run.read) == ("Jest", 4, 4)
    assert not [n for n in parsed.skipped if "its own failure blocks are not read" in n]
