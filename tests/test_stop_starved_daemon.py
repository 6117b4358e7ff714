"""A worker's daemon killed as the worker stops (or as the run closes) is waited for until it
is gone: one waiting for a CPU (a loaded machine; here a CPU cgroup whose quota it has spent,
10 ms in each second) acts on its SIGKILL only once it runs again. Before, the stop and the
run's close returned at once, the daemon still there (state R): ping returned with the
grandchild of a worker that daemonizes and closes its stdin alive (tests/
test_generated_workers.py, once under load)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from poolctl.children import Children
from poolctl.proctree import running
from poolctl.worker_types import WorkerSpec
from tests.conftest import Processes, SpawnWorker
from tests.test_stop_at_work import cpu_cgroup, wait_for

DAEMON = Path(__file__).parent / "workers" / "daemon_starved.py"


@pytest.fixture
def throttled_cgroup() -> Iterator[Path]:
    """A CPU cgroup (v1) whose quota is 10 ms in each second: enough to end in."""
    with cpu_cgroup("throttled", 1_000_000, 10_000) as group:
        yield group


def daemon_of(stderr_log: Path) -> int:
    """The daemon's pid, once the worker says it runs in the cgroup."""
    wait_for(lambda: stderr_log.exists() and "ready: daemon " in stderr_log.read_text())
    pid = int(stderr_log.read_text().split("ready: daemon ")[1].split()[0])
    wait_for(lambda: running(pid) and not _runs_now(pid))  # out of its quota: waiting
    return pid


def _runs_now(pid: int) -> bool:
    """Whether it is on a CPU this instant (its CPU time grows within 50 ms)."""
    before = _cpu(pid)
    time.sleep(0.05)
    return _cpu(pid) != before


def _cpu(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[11]) + int(fields[12])


def test_a_stop_waits_for_the_daemon_it_killed(
    spawn_worker: SpawnWorker, throttled_cgroup: Path
) -> None:
    spec = WorkerSpec((sys.executable, str(DAEMON)), env={"STARVE_CGROUP": str(throttled_cgroup)})
    worker = spawn_worker(spec)
    daemon = daemon_of(worker.stderr_path)
    worker.stop(grace=1.0)  # the worker sleeps: SIGTERM ends it; the daemon is its family
    assert not running(daemon)


def test_the_run_s_close_waits_for_a_daemon_it_killed(
    tmp_path: Path, throttled_cgroup: Path, processes: Processes
) -> None:
    children = Children()
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        env = {**os.environ, "STARVE_CGROUP": str(throttled_cgroup)}
        proc = children.spawn((sys.executable, str(DAEMON)), env=env, stderr=stderr)
    daemon = daemon_of(log)
    children.close()  # kills the worker's group and the daemon, which carries the run's token
    assert proc.poll() is not None
    assert not running(daemon)
