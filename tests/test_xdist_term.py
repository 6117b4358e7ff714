"""A pytest-xdist run that waited on after its workers crashed, ended by a CI job's SIGTERM,
which the suite's conftest turns into `sys.exit(143)`: pluggy warns `PluggyTeardownRaisedWarning`
of the conftest's old-style hookwrapper, and pytest prints the SystemExit as an INTERNALERROR,
its traceback through pluggy's `_multicall` and xdist's wait for its workers, then closes with
no failure's block (real captures: tests/fixtures/src/capture_xdist_term.sh). Before, that
traceback was read as `pytest internal error`, `SystemExit: 143`, as if pytest or a plugin had
broken; it is the run's end, said so, and counts none of the run's failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

ENDS = Path(__file__).parent / "fixtures" / "pytest" / "run_ends"
NAMED = ["test_checkout_empty", "test_worker_answer", "test_crashes", "test_slow", "test_crashes"]


@pytest.mark.parametrize(("log", "named"), [("xdist_term.txt", []), ("xdist_term_v.txt", NAMED)])
def test_the_run_is_said_ended_and_pluggys_traceback_is_no_failure(
    log: str, named: list[str]
) -> None:
    parsed = read_logs([str(ENDS / log)])
    *tests, ended = parsed.failures
    assert [f.name for f in tests] == named  # (-v names them; without it, 5 letters alone)
    assert (ended.name, ended.kind, ended.details["phase"]) == ("run ended", "SystemExit", "ended")
    assert ended.message.startswith(
        "the run was ended while its tests ran: SystemExit: 143 raised in pytest's loop over its "
        "tests (pytest-xdist's wait for its workers), not in a test"
    )
    assert "143 is 128 + 15, the code of a process ended by SIGTERM" in ended.message
    assert "untested" in ended.message
    assert not [f for f in parsed.failures if f.name == "pytest internal error"]
    [run] = parsed.summaries
    assert (run.failures, run.read) == (5, len(named))  # (the run's end counts none)


def test_a_test_whose_worker_crashed_is_said_so() -> None:
    """Under -v pytest-xdist writes `[gw1] node down: Not properly terminated` right above the
    line of the test the worker ran; with no failure's block printed, that line is all the log
    holds of it. Before, its failure said only 'FAILED on its progress line'."""
    parsed = read_logs([str(ENDS / "xdist_term_v.txt")])
    crashed = [(f.name, f.details.get("crash", "")) for f in parsed.failures]
    assert crashed == [
        ("test_checkout_empty", ""),
        ("test_worker_answer", ""),
        ("test_crashes", "[gw1] node down: Not properly terminated"),
        ("test_slow", ""),
        ("test_crashes", "[gw0] node down: Not properly terminated"),
        ("run ended", ""),
    ]
    assert parsed.failures[2].message.startswith(
        "its worker crashed while it ran ([gw1] node down: Not properly terminated); FAILED"
    )
