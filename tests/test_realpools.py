"""The test suites of published pool libraries (loky, pebble), failing as pool suites fail in
CI: a shortened faulthandler_timeout, workers killed mid-run. Real captures
(`tests/fixtures/src/capture_realpools.sh`; the libraries' source is fetched there, not kept
here), each read as the runner left it."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.triage import triage
from poolctl.triage.coverage import coverage
from tests.conftest import RunCli

FIXTURES = Path(__file__).parent / "fixtures"
REAL = FIXTURES / "pytest" / "realpools"


@pytest.mark.parametrize(
    ("log", "name", "group"),
    [
        ("loky_faulthandler_exit.txt", "test_worker_timeout_mock", "tests/test_worker_timeout.py"),
        # `-v` printed the test's node id before the dump: named as pytest names it
        (
            "loky_faulthandler_exit_verbose.txt",
            "TestTimeoutExecutor.test_worker_timeout_mock",
            "tests/test_worker_timeout.py::TestTimeoutExecutor",
        ),
    ],
)
def test_a_faulthandler_timeout_that_ends_the_run_fails_its_test(
    log: str, name: str, group: str
) -> None:
    """`Timeout (0:00:02)!`, every thread's stack, and the process is gone: the test the
    dump's pytest_pyfunc_call thread ran is the run's failure (it read as 0 failures)."""
    (failure,) = read_logs([str(REAL / log)]).failures
    assert (failure.name, failure.group, failure.kind, failure.location) == (
        name,
        group,
        "Timeout",
        "tests/test_worker_timeout.py:91",
    )
    assert failure.line_start == 8  # the `Timeout (0:00:02)!` line
    assert failure.message.startswith("Timeout (0:00:02)!: pytest's faulthandler_timeout")
    assert failure.details["ended by"] == "faulthandler_timeout"


def test_a_run_ended_by_faulthandler_does_not_pass_the_triage(
    run_cli: RunCli, tmp_path: Path
) -> None:
    log = str(REAL / "loky_faulthandler_exit.txt")
    code, out, _ = run_cli("triage", log, "--no-history", "--run-dir", str(tmp_path))
    assert code == 1, out
    assert out.splitlines()[1].startswith("1 failure ")


def test_a_faulthandler_dump_the_run_survives_is_no_failure() -> None:
    """Without faulthandler_exit_on_timeout the dumps are printed and the run goes on to
    `3 passed`: nothing failed."""
    parsed = read_logs([str(REAL / "loky_faulthandler_noexit.txt")])
    assert parsed.failures == []
    assert [s.text for s in parsed.summaries if s.source == "closing line"] == [
        "============================== 3 passed in 9.49s ==============================="
    ]


@pytest.mark.parametrize(
    "log", ["pytest/realpools/pebble_killed_line.txt", "junit/realpools/pebble_killed_line.xml"]
)
def test_pebbles_expired_workers_get_the_fix_for_a_dead_worker(log: str) -> None:
    """`BrokenProcessPool: All workers expired` confirms a worker died; its fix is that one,
    not 'do not close the pool while callers use it' (nobody closed it)."""
    report = triage(read_logs([str(FIXTURES / log)]), load_patterns())
    (broken,) = [f.outcome for f in report.findings if "All workers expired" in f.failure.message]
    assert isinstance(broken, Diagnosis)
    assert broken.pattern_id == "pool-shutdown-during-checkout"
    assert broken.facts["worker_died"] == "expired"
    assert broken.remediation.startswith("Here a worker process expired, and that broke the pool")


def test_lokys_terminated_worker_is_a_worker_that_died_under_the_executor() -> None:
    """loky's `TerminatedWorkerError` (a BrokenProcessPool: `The exit codes of the workers
    are {SIGKILL(-9), …}`) is pattern 2's dead worker, that cause first and its fix; the
    debug line `shutting down executor` loky printed for its previous executor comes second."""
    log = "pytest/realpools/loky_killed_workers.txt"
    report = triage(read_logs([str(FIXTURES / log)]), load_patterns())
    terminated = [
        f.outcome for f in report.findings if "TerminatedWorkerError" in f.failure.message
    ]
    assert len(terminated) == 3
    for outcome in terminated:
        assert isinstance(outcome, Diagnosis)
        assert outcome.pattern_id == "pool-shutdown-during-checkout"
        assert outcome.facts["worker_died"] == "was unexpectedly terminated"
        assert outcome.remediation.startswith("Here a worker process was unexpectedly terminated")
        assert outcome.cause.startswith("A worker process died")


def test_a_run_killed_while_a_test_hung_is_not_clean(run_cli: RunCli, tmp_path: Path) -> None:
    """billiard's pool waits for ever on a killed worker's task; the job's time limit ends
    pytest mid-line (`t/unit/test_pool.py .....................`): no failure letter, yet the
    22nd test has no result. It read as a clean run ("0 failures", exit 0)."""
    log = str(REAL / "billiard_killed_hang.txt")
    counted = coverage(read_logs([log]))
    assert counted is not None and (counted.counted, counted.read) == (1, 0)
    code, out, _ = run_cli("triage", log, "--no-history", "--run-dir", str(tmp_path))
    assert code == 1, out
    assert "1 of the 1 failures the runner counted was not read" in out
    assert "billiard_killed_hang.txt:8: (no closing line" in out
    assert "mark 0 failure(s), and stop in a test that printed no result" in out


def test_faulthandler_dumps_of_crashed_xdist_workers_are_not_counted_again() -> None:
    """Under pytest-xdist each dump ends a worker, whose test the controller reports as
    crashed, and the run closes on `3 failed`: three failures, none of them a dump's."""
    parsed = read_logs([str(REAL / "loky_faulthandler_xdist.txt")])
    assert sorted(f.name for f in parsed.failures) == [
        "TestTimeoutExecutor.test_worker_timeout_mock",
        "TestTimeoutExecutor.test_worker_timeout_shutdown_no_deadlock",
        "TestTimeoutExecutor.test_worker_timeout_with_slowly_pickling_objects",
    ]
    assert {f.kind for f in parsed.failures} == {"WorkerCrash"}


def test_a_killed_multiprocessing_manager_is_told_as_one_the_code_started() -> None:
    """aiomultiprocess's shared Manager killed: every later `get_manager().Namespace()` is
    refused its connection (pattern 7). The service is the code's own Manager, not one a CI
    job starts: its fix says so (it said to start a `services:` container)."""
    log = "pytest/realpools/amp_manager_killed.txt"
    report = triage(read_logs([str(FIXTURES / log)]), load_patterns())
    outcomes = [f.outcome for f in report.findings]
    assert len(outcomes) == 8
    for outcome in outcomes:
        assert isinstance(outcome, Diagnosis)
        assert outcome.pattern_id == "dependency-not-started"
        assert outcome.facts["manager"] == "multiprocessing Manager"
        assert outcome.remediation.startswith(
            "The server process of the multiprocessing Manager the code started itself refused"
        )
        assert "services:" not in outcome.remediation
