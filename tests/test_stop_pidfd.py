"""A worker's stop searches its family, then signals it seconds later (stdin closed, half a
second for it to exit, SIGTERM, the grace, SIGKILL): a child that died meanwhile may have had
its pid taken by another process. The stop holds its family by pidfd (`poolctl.pidfds`): the
other process is not signalled. The pid is given again on purpose through
/proc/sys/kernel/ns_last_pid (CAP_SYS_ADMIN: skipped without it)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from poolctl.proctree import descendants
from poolctl.worker import WorkerProcess
from poolctl.worker_types import WorkerSpec
from tests.conftest import Processes

NS_LAST_PID = Path("/proc/sys/kernel/ns_last_pid")
WORKER = Path(__file__).parent / "workers" / "outlives_its_child.sh"


def given_pid(processes: Processes, pid: int, tries: int = 200) -> subprocess.Popen[bytes] | None:
    """A `sleep` of the test's own with the pid `pid` (another process may take it first on a
    busy machine: tried again), or None."""
    for _ in range(tries):
        NS_LAST_PID.write_text(str(pid - 1))
        proc = processes.popen(["sleep", "60"])
        if proc.pid == pid:
            return proc
        proc.kill()
        proc.wait()
    return None


def wait_for(check: Callable[[], object], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not check() and time.monotonic() < end:
        time.sleep(0.01)


def _stop_giving_the_childs_pid_away(
    processes: Processes, folder: Path
) -> tuple[WorkerProcess, int, subprocess.Popen[bytes] | None]:
    """A worker stopped while its child dies and the child's pid goes to a `sleep` of the
    test's own (None when another process took the pid and kept it)."""
    worker = processes.worker(WorkerSpec(argv=("sh", str(WORKER))), folder)
    wait_for(lambda: descendants(worker.pid))
    (child,) = descendants(worker.pid)
    other: list[subprocess.Popen[bytes] | None] = []
    close_stdin = worker.close_stdin

    def close_stdin_and_give_the_childs_pid_away() -> None:
        close_stdin()  # after the stop's search of the family, before its signals
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: not os.path.exists(f"/proc/{child}"))  # reaped by the worker's wait
        other.append(given_pid(processes, child))

    worker.close_stdin = close_stdin_and_give_the_childs_pid_away  # type: ignore[method-assign]
    worker.stop(grace=1.0)
    (given,) = other
    return worker, child, given


def test_a_stop_signals_no_process_given_the_pid_of_a_child_that_died_during_it(
    processes: Processes, tmp_path: Path
) -> None:
    """Before, the stop sent SIGTERM by pid to the family it had searched before closing
    stdin: the test's `sleep`, given the pid of the worker's dead child, was killed. (On a busy
    machine another test's process may take the freed pid first and keep it: the stop is tried
    again with a new worker, whose child has another pid.)"""
    if not os.access(NS_LAST_PID, os.W_OK):
        pytest.skip("giving a pid again needs CAP_SYS_ADMIN (ns_last_pid)")
    for attempt in range(5):
        worker, child, given = _stop_giving_the_childs_pid_away(processes, tmp_path / str(attempt))
        if given is not None:
            break
    assert given is not None, f"no child's pid could be given again in {attempt + 1} stops"
    assert worker.poll() is not None and worker.stopped_by == "SIGTERM"
    assert given.poll() is None, f"the stop signalled pid {child}, now another process"
