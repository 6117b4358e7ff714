"""A worker's stop closes its stdin and waits for one that was asleep then and is at work after
(tearing down) for the stop's grace. On a loaded machine a worker that has just answered may
wait for a CPU, runnable, before it reads again: it was taken for one busy before its stdin
closed, not waited for, and said to outlive its stdin (tests/test_exit_at_end_of_input.py's
slow teardown, at a load of 12). And one still at work when the wait ran out is not said to
outlive it: whether it would have exited is not known."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from poolctl.worker_end import AT_WORK, outlived_its_stdin
from poolctl.worker_types import WorkerSpec
from tests.conftest import SpawnWorker
from tests.test_diagnose_workers import WORKERS

CPU = Path("/sys/fs/cgroup/cpu")


def state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]


def wait_for(check: object, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


@contextlib.contextmanager
def cpu_cgroup(name: str, period_us: int, quota_us: int) -> Iterator[Path]:
    """A CPU cgroup (v1) of this test process's own, whose quota is `quota_us` of CPU in each
    `period_us`; removed once the processes moved into it are gone (skipped where its files
    cannot be written)."""
    if not os.access(CPU / "cpu.cfs_quota_us", os.W_OK):
        pytest.skip(f"{CPU}/cpu.cfs_quota_us is not writable (cgroup v1's CPU quota, as root)")
    group = CPU / f"poolctl-test-{name}-{os.getpid()}"
    group.mkdir(exist_ok=True)
    try:
        (group / "cpu.cfs_period_us").write_text(str(period_us))
        (group / "cpu.cfs_quota_us").write_text(str(quota_us))
        yield group
    finally:
        wait_for(lambda: not (group / "cgroup.procs").read_text().strip())
        group.rmdir()


@pytest.fixture
def starving_cgroup() -> Iterator[Path]:
    """A CPU cgroup (v1) whose quota is 2% of a CPU: 2 ms in each 100 ms."""
    with cpu_cgroup("starved", 100_000, 2_000) as group:
        yield group


def test_a_worker_runnable_without_a_cpu_as_its_stdin_closes_is_waited_for(
    spawn_worker: SpawnWorker, starving_cgroup: Path
) -> None:
    argv = (sys.executable, str(WORKERS / "starved_after_answer.py"))
    worker = spawn_worker(WorkerSpec(argv, env={"STARVE_CGROUP": str(starving_cgroup)}))
    request = worker.ids.request("ping", None)
    assert worker.write(worker.send(request), time.monotonic() + 10)
    # it has read the request, and runs in the cgroup, starved, until its next read
    wait_for(lambda: str(worker.pid) in (starving_cgroup / "cgroup.procs").read_text())
    assert state(worker.pid) == "R"
    worker.stop(grace=10.0)  # its teardown waited for 5 s at most: 0.8 s of CPU on a loaded machine
    assert worker.stopped_by == "exited when stdin closed"


def test_a_worker_still_at_work_when_the_wait_runs_out_is_not_said_to_outlive_its_stdin(
    spawn_worker: SpawnWorker,
) -> None:
    """Its teardown (0.8 s of CPU) is longer than the stop's wait (0.2 s, then 0.2 s more)."""
    worker = spawn_worker(WorkerSpec((sys.executable, str(WORKERS / "slow_teardown.py"))))
    wait_for(lambda: state(worker.pid) == "S")  # started, asleep reading its stdin
    worker.stop(grace=0.2)
    assert worker.stopped_by == AT_WORK
    said = outlived_its_stdin(worker.stopped_by)
    assert "whether it exits at end of input, after a teardown longer than the wait" in said
    assert "leaves it running" not in said
