"""Cram's failures (and its fork prysk's, whose output is the same) are read: each failed `.t`
file's unified diff against what ran (`--- pool.t`, `+++ pool.t.err`) one failure, named by its
file, placed at the first command whose output differs, of kind AssertionError, its message
each such command and its expected (`-`) and actual (`+`) lines, counted by `# Ran 3 tests, 0
skipped, 2 failed.`; `0 failed.` is a clean run. Before, each log was refused as of no format.
Real captures (`tests/fixtures/src/capture_cram.sh`: Cram 0.7 and prysk 0.20.0, a real worker
process over a pipe)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "cram_runs"


@pytest.mark.parametrize("log", ["cram.txt", "prysk.txt"])
def test_each_failed_test_file_is_read_and_classified(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    parsed = read_logs([str(RUNS / log)])
    assert [(f.name, f.location, f.kind) for f in parsed.failures] == [
        ("arithmetic.t", "arithmetic.t:3", "AssertionError"),
        ("pool.t", "pool.t:10", "AssertionError"),
    ]
    arithmetic, pool = parsed.failures
    assert arithmetic.message == "$ echo $((1 + 1))\n- 3\n+ 2"
    said = pool.message.splitlines()
    assert said[1:3] == [
        '- {"id": 2, "ok": "ping"}',
        "+ No response received from worker within 1000ms",
    ]
    assert said[-1] == '+ {"id": 3, "error": "Program ID is required"}'
    [run] = parsed.summaries
    assert (run.source, run.failures, run.read) == ("cram", 2, 2)
    code, report = triage_json(capsys, RUNS / log)
    assert (code, report["summary"]["unread"]) == (1, 0)
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns == {"arithmetic.t": None, "pool.t": "port-no-response"}


def test_a_run_of_none_failed_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
