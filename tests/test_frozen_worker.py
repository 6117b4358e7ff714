"""A worker frozen by its cgroup's freezer (`docker pause`, a cgroup v1 freezer.state of
FROZEN) runs nothing: it reads no end of input, and SIGTERM and SIGKILL stay pending until it
is thawed. A stop that only signalled it left it behind, frozen, with a pending SIGKILL; the
stop moves it out to a cgroup that is not frozen first, and it ends as any other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Processes
from tests.test_diagnose_workers import WORKERS

pytestmark = pytest.mark.slow

FREEZER = Path("/sys/fs/cgroup/freezer")
FROZEN_WORKER = str(WORKERS / "frozen_by_its_cgroup.sh")


def members(group: Path) -> list[str]:
    return (group / "cgroup.procs").read_text().split()


@pytest.fixture
def freezer_cgroup() -> Iterator[Path]:
    """A cgroup v1 freezer group of the test's own, thawed and removed at the end."""
    if not os.access(FREEZER / "cgroup.procs", os.W_OK):
        pytest.skip(f"{FREEZER} is not a writable cgroup v1 freezer hierarchy (as root)")
    group = FREEZER / f"poolctl-test-frozen-{os.getpid()}"
    group.mkdir(exist_ok=True)
    try:
        yield group
    finally:
        (group / "freezer.state").write_text("THAWED")  # what is left takes its SIGKILL
        end = time.monotonic() + 10
        while members(group) and time.monotonic() < end:
            time.sleep(0.05)
        group.rmdir()


def run(processes: Processes, group: Path, tmp_path: Path, *after: str) -> Path:
    run_dir = tmp_path / "run"
    env = {**os.environ, "FREEZE_CGROUP": str(group)}
    argv = [sys.executable, "-m", "poolctl", *after, "--run-dir", str(run_dir)]
    done = processes.run([*argv, "--", FROZEN_WORKER], env=env, timeout=60)
    assert done.returncode in (1, 2), done.stderr
    return run_dir


def test_a_frozen_worker_is_thawed_to_be_stopped_and_none_of_it_is_left(
    processes: Processes, freezer_cgroup: Path, tmp_path: Path
) -> None:
    """Before: ping waited 9 s on it, recorded 'SIGKILL after 2 s (SIGTERM ignored)', and left
    the shell, its sleep and its helper's frozen in the cgroup, their SIGKILL pending."""
    run_dir = run(processes, freezer_cgroup, tmp_path, "ping", "--timeout", "1", "--no-experiments")
    assert members(freezer_cgroup) == []  # nothing of it is left, frozen or not
    report = json.loads((run_dir / "report.json").read_text())
    stopped_by = report["extra"]["worker"]["stopped_by"]
    assert "SIGKILL after" not in stopped_by, stopped_by
    assert (
        f"frozen by their cgroup's freezer ({freezer_cgroup}/freezer.state FROZEN): moved out "
        "of it to be stopped" in stopped_by
    ), stopped_by


def test_a_frozen_worker_left_by_a_killed_poolctl_is_thawed_by_the_reaper(
    processes: Processes, freezer_cgroup: Path, tmp_path: Path
) -> None:
    """Before: the reaper's SIGKILL stayed pending in the frozen processes, left behind."""
    env = {**os.environ, "FREEZE_CGROUP": str(freezer_cgroup)}
    argv = [sys.executable, "-m", "poolctl", "ping", "--timeout", "30", "--no-experiments"]
    poolctl = processes.popen(
        [*argv, "--run-dir", str(tmp_path / "run"), "--", FROZEN_WORKER],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    state = freezer_cgroup / "freezer.state"
    end = time.monotonic() + 30
    while not (len(members(freezer_cgroup)) >= 2 and state.read_text().strip() == "FROZEN"):
        assert time.monotonic() < end, "the worker never froze"
        time.sleep(0.05)
    poolctl.kill()
    poolctl.wait()
    end = time.monotonic() + 30  # the reaper acts within 2 s; a loaded machine may be slower
    while members(freezer_cgroup) and time.monotonic() < end:
        time.sleep(0.05)
    assert members(freezer_cgroup) == []


def test_a_frozen_worker_is_said_frozen_with_the_way_to_thaw_it(
    processes: Processes, freezer_cgroup: Path, tmp_path: Path
) -> None:
    """Before: 'pid N (sh, a child of the worker …) is a zombie in not in a system call' (the
    helper that froze it, unreaped by its frozen parent), or a frozen child 'sleeping
    (clock_nanosleep)', with 'Answer the init ping before the slow start-up work' as the fix."""
    run_dir = run(processes, freezer_cgroup, tmp_path, "ping", "--timeout", "1")
    report = json.loads((run_dir / "report.json").read_text())
    outcome = report["findings"][0]["outcome"]
    assert outcome["cause"].startswith("The worker is stuck in initialization: "), outcome
    frozen = f"is frozen by its cgroup's freezer ({freezer_cgroup}/freezer.state FROZEN): it runs"
    assert f"{frozen} only once thawed" in outcome["cause"], outcome["cause"]
    assert outcome["remediation"].startswith("Let it run: find what froze its cgroup")
    assert "zombie" not in outcome["cause"]
