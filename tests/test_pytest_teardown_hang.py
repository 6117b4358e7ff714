"""A pool fixture whose teardown never ends (it waits for a worker that ignores SIGTERM) until
the CI step's time limit kills pytest: under `-v` the log's last line is the result of the test
whose teardown hung, printed before that teardown, and no closing line follows. The run ended in
that test's teardown: a failure of the run, named, never a clean `0 failures`. Real captures:
`tests/fixtures/src/capture_teardown_hang.sh` (see the fixtures' README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.conftest import RunCli

HANG = Path(__file__).parent / "fixtures" / "pytest" / "teardown_hang"


@pytest.mark.parametrize(
    ("capture", "hung", "killed_said"),
    [
        ("module_verbose.txt", "test_worker_answers", True),
        ("module_cancelled_verbose.txt", "test_worker_answers", False),
        ("session_verbose.txt", "test_after_the_pool", True),
        ("session_cancelled_verbose.txt", "test_after_the_pool", False),
    ],
)
def test_a_verbose_run_killed_in_a_teardown_ends_in_that_test(
    capture: str, hung: str, killed_said: bool
) -> None:
    log = HANG / capture
    parsed = read_logs([str(log)])
    failed, ended = parsed.failures
    assert failed.name == "test_checkout_times_out" and failed.kind != "RunEnded"
    assert (ended.name, ended.kind) == (hung, "RunEnded")
    assert ended.details["phase"] == "teardown" and ended.details["outcome"] == "error"
    lines = log.read_text().split("\n")
    result_line = next(n for n, line in enumerate(lines, 1) if f"::{hung} PASSED" in line)
    assert ended.line_start == result_line
    assert ended.message.startswith("the run ended after this test's result (PASSED)")
    assert ("Killed" in ended.message) is killed_said
    [run] = parsed.summaries
    assert "no closing line" in run.text and (run.failures, run.read) == (2, 2)


@pytest.mark.parametrize("capture", ["module.txt", "session.txt", "session_cancelled.txt"])
def test_without_v_the_letters_count_the_test_it_stopped_in(capture: str) -> None:
    """Without `-v` the letters cut before their `[ NN%]` say a test had not ended: its
    failure and the test it stopped in are counted, unread."""
    parsed = read_logs([str(HANG / capture)])
    [run] = parsed.summaries
    assert (run.failures, run.read) == (2, 0)


@pytest.mark.parametrize(
    ("capture", "failed", "counted"),
    [
        ("xdist_verbose.txt", ["test_checkout_times_out"], 2),  # bash's `Killed` after
        ("xdist_cancelled_verbose.txt", ["test_checkout_times_out"], 2),  # nothing after
        ("xdist.txt", [], 2),  # `.F`, then bash's `Killed`
        ("xdist_passing.txt", [], 1),  # `..`, then bash's `Killed`: every test passed
    ],
)
def test_under_xdist_the_test_it_stopped_in_is_counted_unnamed(
    run_cli: RunCli, capture: str, failed: list[str], counted: int
) -> None:
    """pytest-xdist's workers end their tests in any order: its last result names no test the
    run stopped in. That test is counted, unread, past those read; a run its last lines say was
    killed is no clean run even when every test it ran passed. (Before, the last worker's
    result was no runner line: a test that PASSED was taken for the one the run ended in, and
    the passing run read as 0 failures, exit 0.)"""
    parsed = read_logs([str(HANG / capture)])
    assert [f.name for f in parsed.failures] == failed
    assert all(f.kind != "RunEnded" for f in parsed.failures)
    [run] = parsed.summaries
    assert (run.failures, run.read) == (counted, len(failed))
    assert "it stopped in a test or a teardown the log does not name" in run.text
    code, _, _ = run_cli("triage", str(HANG / capture), "--no-history")
    assert code == 1


def test_the_triage_of_a_teardown_hang_fails(run_cli: RunCli, tmp_path: Path) -> None:
    code, out, _ = run_cli(
        "triage", str(HANG / "session_cancelled_verbose.txt"), "--no-history",
        "--run-dir", str(tmp_path / "run"),
    )  # fmt: skip
    assert code == 1
    assert "2 failures" in out and "test_after_the_pool" in out
    assert "after this test's result (PASSED)" in out
