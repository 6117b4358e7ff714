"""`mix test` runs stopped before their closing line: by SIGTERM (a CI job's time limit), by a
halted VM, by a test helper that raised. Real captures of `src/exunit_stopped_umbrella`
(`tests/fixtures/src/capture_exunit_stopped.sh`, see the fixtures' README): none may read as a
clean run, nor as "format not recognised"."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import detect_format, read_logs
from tests.conftest import RunCli

STOPPED = Path(__file__).parent / "fixtures" / "exunit" / "stopped"
NOTICE = "[notice] SIGTERM received - shutting down"


def lines_of(name: str) -> list[str]:
    return (STOPPED / name).read_bytes().decode().split("\n")


def test_sigterm_before_any_failure_is_a_failure_of_the_run() -> None:
    """Only progress dots, then the VM's notice: the run is a failure, which test is unknown."""
    parsed = read_logs([str(STOPPED / "sigterm.log")])
    [stopped] = parsed.failures
    notice = lines_of("sigterm.log").index(next(t for t in lines_of("sigterm.log") if NOTICE in t))
    assert (stopped.name, stopped.kind, stopped.line_start) == ("mix test", "RunEnded", notice + 1)
    assert "SIGTERM" in stopped.message and "--trace" in stopped.message
    [run] = parsed.summaries  # the VM logs the notice twice: still one failure
    assert run.inferred and (run.failures, run.read) == (1, 1)


def test_sigterm_under_trace_names_the_test_it_stopped() -> None:
    lines = lines_of("sigterm_trace.log")
    parsed = read_logs([str(STOPPED / "sigterm_trace.log")])
    [stopped] = parsed.failures
    started = next(i for i, t in enumerate(lines) if "[L#13]" in t) + 1
    assert stopped.name == "test checkout waits on a pool that never answers"
    assert (stopped.group, stopped.location) == ("AlphaTest", "test/alpha_test.exs:13")
    assert (stopped.line_start, stopped.line_end) == (started, started + 1)  # start, notice
    assert "SIGTERM" in stopped.message and NOTICE in stopped.details["stopped"]


def test_a_trace_run_killed_before_any_failure_is_recognised_as_exunit(run_cli: RunCli) -> None:
    """SIGKILL or a halt leaves only `--trace` lines: the test it stopped in is the failure."""
    for name in ("sigkill_trace.log", "halt_trace.log"):
        assert detect_format((STOPPED / name).read_bytes()) == "exunit"
        code, out, err = run_cli("triage", str(STOPPED / name), "--no-history")
        assert code == 1, err
        assert "? test checkout waits on a pool that never answers (AlphaTest)" in out


def test_a_test_helper_that_raises_is_a_failure_of_the_run(run_cli: RunCli) -> None:
    assert detect_format((STOPPED / "helper_crash.log").read_bytes()) == "exunit"
    for name in ("helper_crash.log", "umbrella_helper_crash.log"):
        parsed = read_logs([str(STOPPED / name)])
        [helper] = parsed.failures
        assert (helper.name, helper.kind) == ("loading test/test_helper.exs", "MatchError")
        assert helper.location == "test/test_helper.exs:7"
        assert "{:already_started" in helper.message and "before any test ran" in helper.message
        assert not parsed.tracebacks  # a failure, not a worker traceback beside none
    umbrella = read_logs([str(STOPPED / "umbrella_helper_crash.log")])
    assert umbrella.failures[0].group == "alpha"
    code, _, _ = run_cli("triage", str(STOPPED / "umbrella_helper_crash.log"), "--no-history")
    assert code == 1


def test_an_umbrella_app_stopped_after_another_passed_is_not_a_clean_run() -> None:
    """beta's closing line says 0 failures; alpha's run, stopped by SIGTERM, is the failure."""
    parsed = read_logs([str(STOPPED / "umbrella_sigterm.log")])
    [stopped] = parsed.failures
    assert (stopped.name, stopped.group, stopped.kind) == ("mix test", "alpha", "RunEnded")
    beta, alpha = parsed.summaries
    assert beta.text == "8 tests, 0 failures" and not beta.inferred
    assert alpha.inferred and alpha.failures == 1


def test_a_halted_umbrella_app_is_no_clean_run(run_cli: RunCli) -> None:
    """Its dots, then nothing: no failure is made up, but the test it stopped in is counted,
    unread (as pytest's letters cut before their `[ NN%]` are), and the triage fails."""
    parsed = read_logs([str(STOPPED / "umbrella_halt.log")])
    assert parsed.failures == []
    beta, alpha = parsed.summaries
    assert not beta.inferred
    assert alpha.start == 8 and (alpha.failures, alpha.read) == (1, 0)
    assert alpha.text.endswith(
        "; its last line is progress dots: it stops in a test, or in a module's setup_all "
        "on_exit callbacks, run after its last test)"
    )
    code, out, _ = run_cli("triage", str(STOPPED / "umbrella_halt.log"), "--no-history")
    assert code == 1 and "umbrella_halt.log:8: (no closing line" in out
    assert "1 of the 1 failures the runner counted was not read" in out


@pytest.mark.parametrize(
    ("log", "region", "said"),
    [
        # Mix's `==> pool` is the last line: the VM halted before ExUnit wrote any of it
        ("halt_at_once.log", 7, "Mix began app pool's run (`==> pool`) and nothing of it got out"),
        # under --trace, the last line is the result of the test before the one that halted
        (
            "halt_at_once_trace.log",
            11,
            "its last line is a test's result under --trace: it stops after that test, in the "
            "next test, whose start never got out, or in a module's setup_all on_exit callbacks, "
            "run after its last test",
        ),
    ],
)
def test_an_umbrella_app_halted_at_once_after_a_clean_app_is_no_clean_run(
    run_cli: RunCli, log: str, region: int, said: str
) -> None:
    """calc's run is clean; pool's test halted the VM at once (mix exited 3, src/
    exunit_halt_umbrella): no failure is made up, the test it stopped in is counted, unread (it
    read as a clean log: 0 failures, exit 0)."""
    parsed = read_logs([str(STOPPED / log)])
    assert parsed.failures == []
    calc, pool = parsed.summaries
    assert not calc.inferred and calc.failures == 0
    assert pool.start == region and (pool.failures, pool.read) == (1, 0)
    assert pool.text.endswith(f"; {said})")
    code, out, _ = run_cli("triage", str(STOPPED / log), "--no-history")
    assert code == 1 and "1 of the 1 failures the runner counted was not read" in out


def test_a_notice_after_a_finished_run_is_no_failure(tmp_path: Path) -> None:
    """The VM stopped after its closing line: the run was over, nothing failed."""
    finished = lines_of("umbrella_sigterm.log")[:6]  # beta's run, to `Randomized with seed 0`
    notice = next(t for t in lines_of("umbrella_sigterm.log") if NOTICE in t)
    log = tmp_path / "finished.log"
    log.write_text("\n".join([*finished, notice, ""]))
    parsed = read_logs([str(log)])
    assert parsed.failures == [] and len(parsed.summaries) == 1


def test_a_run_halted_right_after_a_failure_block_counts_the_test_it_stopped_in(
    run_cli: RunCli,
) -> None:
    """A pass's dot, a failure block, then nothing (src/exunit_halt_after_failure: the next
    test's worker halted the VM, mix exited 3): the failure is read and the test the run stopped
    in is counted, unread, as after dots (it was lost: 1 failure for the run's 2)."""
    parsed = read_logs([str(STOPPED / "halt_after_failure.log")])
    [failed] = parsed.failures
    assert (failed.name, failed.line_start) == ("test checks out the busy worker twice", 3)
    [run] = parsed.summaries
    assert (run.failures, run.read) == (2, 1) and not run.inferred
    assert run.text.endswith(
        "; its last lines are a failure block, after the run's progress: "
        "it stops in the next test, which printed no result, or in a module's setup_all "
        "on_exit callbacks, run after its last test)"
    )
    code, out, _ = run_cli("triage", str(STOPPED / "halt_after_failure.log"), "--no-history")
    assert code == 1 and "1 of the 2 failures the runner counted was not read" in out


def test_a_paste_of_failure_blocks_alone_counts_no_more_than_it_holds(tmp_path: Path) -> None:
    """The same block without the run's progress before it: nothing shows a run that stopped."""
    log = tmp_path / "pasted.log"
    log.write_text("\n".join(lines_of("halt_after_failure.log")[2:]))
    parsed = read_logs([str(log)])
    assert len(parsed.failures) == 1
    [run] = parsed.summaries
    assert (run.failures, run.read) == (1, 1)
