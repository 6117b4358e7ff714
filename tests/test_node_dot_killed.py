"""`node --test --test-reporter=dot` killed before its `Failed tests:` section: the log is its
marks (`.X.X.`) and what the shell said of the kill. Real runs of
tests/fixtures/src/node_dot_killed_suite (tests/fixtures/src/capture_node_dot_killed.sh, node
v20.20.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.conftest import RunCli

KILLED = Path(__file__).parent / "fixtures" / "mixed" / "node_dot_killed"


def test_a_killed_dot_run_is_read_as_a_killed_pytest_q_run_is(cli: RunCli, tmp_path: Path) -> None:
    """bash's job-status line naming `node --test … --test-reporter=dot` glued to the marks: its
    2 `X` marks and the test it was killed in, 3 failures counted, none readable, exit 1 (as a
    killed `pytest -q` run's letters are read). Before: `format not recognised`, exit 2."""
    [run] = read_logs([str(KILLED / "dot_killed.log")]).summaries
    assert (run.failures, run.read, run.source) == (3, 0, "node --test")
    assert "its marks count 2 failure(s), and stop in a test" in run.text
    code, out, err = cli(
        "triage", str(KILLED / "dot_killed.log"), "--no-history", "--run-dir", str(tmp_path / "r")
    )
    assert code == 1, err
    assert "3 of the 3 failures the runner counted were not read" in out


@pytest.mark.parametrize("log", ["dot_killed_dash.out", "dot_terminated.out"])
def test_marks_with_nothing_naming_node_are_not_guessed_a_runner(
    log: str, cli: RunCli, tmp_path: Path
) -> None:
    """Marks with dash's bare `Killed` after them, or nothing (SIGTERM: node's runner says
    nothing): no line shows whose they are (pytest's letters include `.` and `X` too). Refused
    with one line, exit 2, as before."""
    code, _, err = cli(
        "triage", str(KILLED / log), "--no-history", "--run-dir", str(tmp_path / "r")
    )
    assert code == 2
    assert "format not recognised" in err and len(err.strip().splitlines()) == 1
