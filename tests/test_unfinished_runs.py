"""A run killed from outside (a CI job's time limit) prints neither the running test's result
nor a closing line: when the input ends in a test's start, that test is where the run ended.
Real captures: `tests/fixtures/src/capture_exunit_hang.sh` and `capture_hang.sh` (see the
fixtures' README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.unfinished import exunit_running
from tests.conftest import RunCli

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_killed_trace_run_ends_in_the_test_it_was_running() -> None:
    log = FIXTURES / "exunit" / "hang_killed_trace.log"
    parsed = read_logs([str(log)])
    assert [f.name for f in parsed.failures] == [
        "test a checkout that fails on purpose",
        "test a second checkout waits forever",
    ]
    ended = parsed.failures[-1]
    assert (ended.kind, ended.group, ended.location) == (
        "RunEnded",
        "HangSuite.PoolTest",
        "test/hang_pool_test.exs:20",
    )
    lines = log.read_bytes().decode().split("\n")  # a `\r` redraws within a line
    assert ended.line_start == ended.line_end == len(lines)
    assert ended.details["running"] == lines[-1].strip()
    [run] = parsed.summaries
    assert run.inferred and (run.failures, run.read) == (2, 2)


def test_a_killed_pytest_run_ends_in_the_test_it_was_running() -> None:
    log = FIXTURES / "pytest" / "hang" / "killed_verbose.txt"
    parsed = read_logs([str(log)])
    [ended] = parsed.failures
    assert (ended.name, ended.group, ended.kind) == (
        "test_second_checkout_waits_forever",
        "check_hang.py",
        "RunEnded",
    )
    assert ended.details["nodeid"] == "check_hang.py::test_second_checkout_waits_forever"
    [run] = parsed.summaries
    assert run.inferred and "no closing line" in run.text


def test_without_trace_the_running_test_cannot_be_named() -> None:
    """Plain `mix test` prints no test's start: the run is said to end without its closing
    line, only the failure it printed is read, and the test it was killed in (after that
    failure's block, the log's last lines) is counted, unread."""
    parsed = read_logs([str(FIXTURES / "exunit" / "hang_killed.log")])
    assert [f.name for f in parsed.failures] == ["test a checkout that fails on purpose"]
    [run] = parsed.summaries
    assert "no closing line" in run.text and (run.failures, run.read) == (2, 1)


@pytest.mark.parametrize(
    "relative",
    [
        "exunit/pool_suite_seed_trace.log",
        "pytest/pool_suite_verbose.txt",
        "pytest/hang/hang_signal.txt",
    ],
)
def test_a_run_that_finished_ends_in_no_running_test(relative: str) -> None:
    parsed = read_logs([str(FIXTURES / relative)])
    assert parsed.failures and all(f.kind != "RunEnded" for f in parsed.failures)


def test_a_test_whose_redraw_says_it_ended_is_not_where_the_run_ended() -> None:
    """`--trace` redraws a test's line when it ends: with its time, or `(skipped)` (real lines
    of `exunit/pool_suite_seed_trace.log`)."""
    lines = (FIXTURES / "exunit" / "pool_suite_seed_trace.log").read_bytes().decode().split("\n")
    module = ("PoolSuite.MiscTest", "test/misc_test.exs")
    skipped, ran = lines[2], lines[3]
    assert skipped.endswith("(skipped) [L#40]") and ran.endswith("ms) [L#5]")
    assert exunit_running((3, skipped), module, "log") is None
    assert exunit_running((4, ran), module, "log") is None
    started = exunit_running((3, skipped.split("\r")[0]), module, "log")
    assert started is not None and started.location == "test/misc_test.exs:40"


@pytest.mark.parametrize(
    "name", ["port_pool_before_first_failure.log", "sigkill_trace_mid_test_start.log"]
)
def test_a_log_cut_before_any_result_says_so(run_cli: RunCli, tmp_path: Path, name: str) -> None:
    """Real ExUnit output cut before any run printed a result (tests/fixtures/src/
    derive_cut_before_result.sh): the pool's Logger lines alone, or `--trace`'s module line and
    half a test's start. No failure is read, and the report says the log holds no result rather
    than a bare "0 failures"."""
    log = str(FIXTURES / "exunit" / "cut" / name)
    parsed = read_logs([log])
    assert parsed.formats == {log: "exunit"}
    assert (parsed.failures, parsed.summaries) == ([], [])
    [note] = parsed.skipped
    assert note.startswith(f"{log}: no run's result in it (no closing line, no failure)")
    code, out, _ = run_cli("triage", log, "--no-history", "--run-dir", str(tmp_path))
    assert code == 0 and "no run's result in it" in out


def test_a_cut_xdist_run_counts_the_letters_glued_to_a_crashed_workers_line() -> None:
    """pytest-xdist writes `[gw1] node down: …` right after the letters printed so far, with no
    newline (`.FF[gw1] node down: Not properly terminated`): those letters are the run's
    failures too. A run cut there (capture_xdist_cut.sh: a job's time limit after the workers
    were replaced) printed four `F`; two were counted, those on lines of their own."""
    log = FIXTURES / "pytest" / "run_ends" / "xdist_loadgroup_cut.txt"
    parsed = read_logs([str(log)])
    assert parsed.failures == []
    [run] = parsed.summaries
    assert (run.failures, run.read, run.source) == (4, 0, "progress marks")
    assert "its progress lines mark 4 failure(s)" in run.text
