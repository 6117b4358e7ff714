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


def test_the_triage_of_a_teardown_hang_fails(run_cli: RunCli, tmp_path: Path) -> None:
    code, out, _ = run_cli(
        "triage", str(HANG / "session_cancelled_verbose.txt"), "--no-history",
        "--run-dir", str(tmp_path / "run"),
    )  # fmt: skip
    assert code == 1
    assert "2 failures" in out and "test_after_the_pool" in out
    assert "after this test's result (PASSED)" in out
