"""A worker the kernel's OOM killer ends at its memory cgroup's limit (cgroup v1's
memory.limit_in_bytes) is told that cgroup and its limit, read from the cgroup's files: before,
it was only 'the system (or its cgroup) ran out of memory'. Where the kernel log cannot be read
(no dmesg nor journalctl on PATH here), the OOM killer's count in the cgroup the worker ran in
(memory.oom_control's oom_kill, noted at its start and read again at its end) tells it; before,
it was 'the OOM killer or a supervisor, … sent it'. poolctl runs in the cgroup, as in a
container with a memory limit: its worker starts there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Processes

MEMORY = Path("/sys/fs/cgroup/memory")
GROWS = Path(__file__).resolve().parent / "workers" / "grows_until_oom_killed.py"
LIMIT = 256 * 2**20  # poolctl (some 60 MB) and the worker until it grows


@pytest.fixture
def memory_cgroup() -> Iterator[Path]:
    """A memory cgroup (v1) of LIMIT bytes."""
    if not os.access(MEMORY / "memory.limit_in_bytes", os.W_OK):
        pytest.skip(f"{MEMORY} is not writable (cgroup v1's memory controller, as root)")
    group = MEMORY / f"poolctl-test-oom-{os.getpid()}"
    group.mkdir(exist_ok=True)
    try:
        (group / "memory.limit_in_bytes").write_text(str(LIMIT))
        yield group
    finally:
        group.rmdir()  # its processes are gone: the run waited for them


def ping_in(group: Path, tmp_path: Path, path: str) -> dict[str, Any]:
    """`poolctl ping` of the growing worker, run in `group`, PATH set to `path`."""
    argv = [
        sys.executable, "-m", "poolctl", "ping", "--json", "--no-experiments", "--timeout", "60",
        "--run-dir", str(tmp_path / "run"), "--", sys.executable, str(GROWS),
    ]  # fmt: skip
    enter = f'echo $$ > {group}/cgroup.procs && exec "$@"'
    env = {**os.environ, "PATH": path}
    done = subprocess.run(
        ["/bin/sh", "-c", enter, "sh", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    outcome: dict[str, Any] = json.loads(done.stdout)["findings"][0]["outcome"]
    return outcome


def test_the_oom_killer_s_kill_names_the_cgroup_and_its_limit(
    memory_cgroup: Path, tmp_path: Path, processes: Processes
) -> None:
    outcome = ping_in(memory_cgroup, tmp_path, os.environ["PATH"])
    if "the kernel log could not be read" in outcome["cause"]:
        pytest.skip("the kernel log cannot be read here")
    name = f"/{memory_cgroup.name}"
    assert (
        "killed by SIGKILL (9) (the kernel's OOM killer ended it: its cgroup " in outcome["cause"]
    )
    assert f"{name} reached a memory limit of 256 MiB" in outcome["cause"]
    (read,) = [e for e in outcome["evidence"] if e["origin"] == str(memory_cgroup)]
    assert read["text"].startswith("a memory limit of 256 MiB (")
    assert "memory.oom_control: oom_kill 1" in read["text"]


def test_the_cgroup_s_count_tells_the_oom_kill_where_the_kernel_log_is_unread(
    memory_cgroup: Path, tmp_path: Path, processes: Processes
) -> None:
    outcome = ping_in(memory_cgroup, tmp_path, "/nonexistent")  # no dmesg, no journalctl
    cause = outcome["cause"]
    assert (
        "(the kernel's OOM killer, most likely: it killed 1 process(es) in the worker's " in cause
    )
    assert (
        f"memory cgroup /{memory_cgroup.name} while it ran, at a memory limit of 256 MiB" in cause
    )
    (read,) = [e for e in outcome["evidence"] if e["origin"] == str(memory_cgroup)]
    assert "memory.oom_control: oom_kill 0 when noted, 1 after it ended" in read["text"]


def test_a_pooled_worker_that_joined_the_cgroup_after_it_started_is_told_its_oom_kill(
    memory_cgroup: Path, tmp_path: Path, processes: Processes
) -> None:
    """The worker joins the cgroup itself after it started; poolctl does not. Before, the pool
    noted a worker's memory cgroup only at its start (poolctl's own), whose count did not rise:
    'the OOM killer or a supervisor, … sent it'. It is noted again as a request is written."""
    joins = Path(__file__).resolve().parent / "workers" / "joins_a_cgroup_then_grows.py"
    scenario = tmp_path / "joins.yaml"
    scenario.write_text(
        f"name: joins-then-grows\nworker:\n"
        f"  command: {json.dumps([sys.executable, str(joins), str(memory_cgroup)])}\n"
        "pool: {size: 1, request_timeout: 60}\n"
        # the sleep: the request after it is written past MEMCG_EVERY (0.5 s), and notes it
        "steps:\n  - request: {command: ping}\n  - sleep: 0.6\n  - request: {command: ping}\n"
        "expect:\n  outcome: ok\n"
    )
    argv = [sys.executable, "-m", "poolctl", "run-scenario", str(scenario), "--json"]
    argv += ["--no-history", "--run-dir", str(tmp_path / "run")]
    env = {**os.environ, "PATH": "/nonexistent"}  # no dmesg, no journalctl
    done = processes.run(argv, timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stderr
    (finding,) = json.loads(done.stdout)["findings"]
    cause = finding["outcome"]["cause"]
    assert (
        "(the kernel's OOM killer, most likely: it killed 1 process(es) in the worker's memory "
        f"cgroup /{memory_cgroup.name} while it ran, at a memory limit of 256 MiB"
    ) in cause, cause
