"""`pytest -s` without `-v`: each test's letter is written right after what it printed
(`F.worker up.starting pool`, `Ehalf a lineF`), so the letters cannot be told from the output.
The logs are real runs of tests/fixtures/src/pytest_s_quiet_suite
(tests/fixtures/src/capture_s_quiet.sh, pytest 9.2.0)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.conftest import RunCli

S_QUIET = Path(__file__).parent / "fixtures" / "pytest" / "s_quiet"
FAILED = ["test_prints_then_fails", "test_prints_no_newline_fails", "test_uses_pool"]


def _triage(cli: RunCli, log: Path, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    return cli("triage", str(log), "--run-dir", str(tmp_path / "run"), *args)


@pytest.mark.parametrize("log", ["s_quiet.txt"])
def test_a_full_s_quiet_run_names_every_failure(log: str) -> None:
    parsed = read_logs([str(S_QUIET / log)])
    assert sorted(f.name for f in parsed.failures) == sorted(FAILED)
    [run] = parsed.summaries
    assert (run.failures, run.read) == (3, 3)


def test_an_s_quiet_run_with_no_tracebacks_is_read_by_its_closing_line(
    cli: RunCli, tmp_path: Path
) -> None:
    """`-s -q --tb=no -rN`: the glued letters and `-q`'s bare closing line (`2 failed, 3 passed,
    1 error in 0.05s`). Before: `format not recognised`, exit 2; now its 3 failures are counted,
    none readable, exit 1."""
    code, out, err = _triage(cli, S_QUIET / "s_quiet_tbno.txt", tmp_path, "--no-history")
    assert code == 1, err
    assert "3 of the 3 failures the runner counted were not read" in out
    [run] = read_logs([str(S_QUIET / "s_quiet_tbno.txt")]).summaries
    assert (run.failures, run.read) == (3, 0)


@pytest.mark.parametrize("log", ["s_quiet_killed.txt", "s_killed.txt"])
def test_a_killed_s_run_says_it_stopped_in_a_test(log: str, cli: RunCli, tmp_path: Path) -> None:
    """Killed (SIGKILL) in a test that printed with no newline: bash's job-status line is glued
    to that output (`Ehalf a lineFabout to be killed/…/step.sh: line 1: N Killed …pytest…`).
    Before: 0 failures and exit 0 (the `-q` log skipped as holding no run's result); now the
    run stopped in a test: one failure counted, not read, and its letters said not counted."""
    [run] = read_logs([str(S_QUIET / log)]).summaries
    assert (run.failures, run.read, run.source) == (1, 0, "progress marks")
    assert "glued to what its tests printed (-s), not counted" in run.text
    assert "Killed" in run.text
    code, _, err = _triage(cli, S_QUIET / log, tmp_path, "--no-history")
    assert code == 1, err


def test_an_s_verbose_run_records_the_tests_that_printed_before_passed(
    cli: RunCli, tmp_path: Path
) -> None:
    """`-s -v`: a passing test's output comes between its node id and `PASSED`, glued
    (`…::test_prints_and_passes worker upPASSED`) or alone on the next line
    (`…::test_prints_a_line_and_passes pool of 2 ready`, then `PASSED`). Before: the history
    recorded 2 passes of 4 (neither of those)."""
    store = tmp_path / "history.sqlite"
    code, _, err = _triage(cli, S_QUIET / "s_verbose.txt", tmp_path, "--history", str(store), "-q")
    assert code == 1, err
    with sqlite3.connect(store) as db:
        passed = {name for (name,) in db.execute("SELECT name FROM tests")}
    assert passed == {
        "test_passes_quietly",
        "test_prints_and_passes",
        "test_prints_a_line_and_passes",
        "test_zz_killed",
    }


def test_a_verbose_run_killed_after_a_pass_makes_no_claim_of_s() -> None:
    """`-v` (no `-s`) killed in a module fixture's teardown, after `check_a.py::test_a PASSED
    [ 50%]`: a `-v` line, no letters glued to output; not read as a `-s` run that stopped in a
    test, but as a `-v` run that ended in that test's teardown (tests/test_pytest_teardown_hang.py),
    the kill said."""
    parsed = read_logs([str(S_QUIET / "v_killed_in_teardown.txt")])
    [ended] = parsed.failures
    assert (ended.name, ended.kind, ended.details["phase"]) == ("test_a", "RunEnded", "teardown")
    [run] = parsed.summaries
    assert (run.failures, run.read) == (1, 1)
    assert "-s" not in run.text and "Killed" in run.text and "Killed" in ended.message
