"""A pool that grows in the background (an overflow worker for a caller that must wait, a lazy
start) while no process can be started: its worker filled the pids cgroup poolctl runs in
(cgroup v1's pids.max, as a fork bomb or a container's limit does). Each failed start is an
event of the trace and a finding of the report; nothing is left running."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from poolctl.proctree import processes_with_env
from tests.conftest import REFERENCE, Processes, RunCli

PIDS = Path("/sys/fs/cgroup/pids")
FILLS = Path(__file__).parent / "workers" / "fills_its_pids_cgroup.py"
REPO = Path(__file__).resolve().parent.parent

SCENARIO = """\
name: grows-at-a-pids-limit
description: the pool must grow while no process can be started
worker:
  command: ["{python}", "{worker}"]
  framing: packet-4
  init_timeout: 10
  env: {{PIDS_CGROUP: "{group}", LIFT_AFTER: "{lift}", HOLD: "1.5", FILL_ON: "{fill_on}"}}
pool: {{size: 1, max_overflow: 1, lazy: false, checkout_timeout: 10, request_timeout: 10}}
steps:
  - request: {{command: fill}}
  - request: {{command: echo, count: 2, concurrency: 2}}
"""


def _wait_for(check: Any, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


@pytest.fixture
def pids_cgroup() -> Iterator[Path]:
    """A pids cgroup (v1) of this test's own, without a limit; emptied and removed after."""
    if not os.access(PIDS / "cgroup.procs", os.W_OK):
        pytest.skip(f"{PIDS}/cgroup.procs is not writable (cgroup v1's pids controller, as root)")
    group = PIDS / f"poolctl-test-pids-{os.getpid()}"
    group.mkdir(exist_ok=True)
    try:
        yield group
    finally:
        with contextlib.suppress(OSError):
            (group / "pids.max").write_text("max")
        _wait_for(lambda: not (group / "cgroup.procs").read_text().strip())
        group.rmdir()


def run_in(
    group: Path, processes: Processes, tmp_path: Path, fill_on: str = "fill", lift: float = 1
) -> tuple[int, dict[str, Any], str]:
    """`poolctl run-scenario --json` of the scenario, run in `group` (filled on the request
    `fill_on`, the limit lifted `lift` seconds later): its code, report and stderr."""
    path = tmp_path / "grows.yaml"
    text = SCENARIO.format(python=sys.executable, worker=FILLS, group=group, fill_on=fill_on,
                           lift=lift)  # fmt: skip
    path.write_text(text)
    argv = [sys.executable, "-m", "poolctl", "run-scenario", str(path), "--json",
            "--run-dir", str(tmp_path / "run")]  # fmt: skip
    inside = ["sh", "-c", f'echo $$ > {group}/cgroup.procs && exec "$@"', "sh", *argv]
    done = processes.run(inside, timeout=120, cwd=REPO)
    report: dict[str, Any] = json.loads(done.stdout) if done.stdout.strip() else {}
    return done.returncode, report, done.stderr


def test_a_background_start_that_could_not_fork_is_an_event_and_a_finding(
    pids_cgroup: Path, processes: Processes, tmp_path: Path
) -> None:
    """Before: the overflow worker's fork failed (BlockingIOError, EAGAIN) in the pool's
    background task, whose exception nobody read; its traceback went to stderr, no event was
    written, and the run passed, the failure in no report."""
    code, report, stderr = run_in(pids_cgroup, processes, tmp_path)
    assert code == 1, stderr
    assert "Traceback" not in stderr and "BlockingIOError" not in stderr, stderr
    events = [json.loads(line) for line in (tmp_path / "run/events.jsonl").read_text().splitlines()]
    failed = [e for e in events if e["type"] == "spawn_failed"]
    assert failed, [e["type"] for e in events]
    assert failed[0]["error"].startswith(
        "no process could be forked for another worker (EAGAIN: Resource temporarily "
        "unavailable): the user's process limit (`ulimit -u`) or a cgroup's pids.max is reached"
    ), failed[0]
    (finding,) = [f for f in report["findings"] if f["failure"]["kind"] == "spawn-failed"]
    said = "worker(s) could not be started: no process could be forked for another worker"
    assert said in finding["failure"]["message"], finding
    assert not processes_with_env("PIDS_CGROUP", str(pids_cgroup)), "a process was left behind"


def test_callers_of_a_pool_that_gave_up_are_served_by_the_worker_up(
    pids_cgroup: Path, processes: Processes, tmp_path: Path
) -> None:
    """The overflow starts failed five times in a row and the pool gave up. Before: the caller
    waiting for the overflow worker, and its next call, failed at once (PoolGaveUp), though w1
    served and was free 1.5 s later."""
    code, report, stderr = run_in(pids_cgroup, processes, tmp_path)
    assert code == 1, stderr
    assert [s["call_failures"] for s in report["extra"]["steps"]] == [0, 0], report["extra"]
    (finding,) = [f for f in report["findings"] if f["failure"]["kind"] == "spawn-failed"]
    said = "the pool gave up after 5 failed starts in a row, its 1 worker(s) up serving the callers"
    assert said in finding["failure"]["message"], finding


GATED = """\
name: one-start-serves
worker:
  command: ["/bin/sh", "-c", "mkdir {gate} 2>/dev/null || exit 3; exec \\"$@\\"", "sh", {ref}]
  init_timeout: 10
pool: {{size: 1, max_overflow: 1, checkout_timeout: 20, request_timeout: 10}}
steps:
  - request: {{command: sleep, args: {{seconds: 0.5}}, count: 4, concurrency: 2}}
"""


def test_a_pool_that_gave_up_on_its_overflow_starts_serves_every_call_with_its_worker(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Its first start serves; every later one exits 3 before its init. Before: the second
    caller's calls failed at once once the pool gave up (2 of 4), w1 serving the first's."""
    reference = ", ".join(json.dumps(a) for a in REFERENCE)
    path = tmp_path / "gated.yaml"
    path.write_text(GATED.format(gate=tmp_path / "started", ref=reference))
    code, out, err = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "r"))
    assert code == 1, out + err
    report = json.loads(out)
    assert report["extra"]["steps"][0]["call_failures"] == 0, report["extra"]["steps"]
    (finding,) = report["findings"]
    assert finding["failure"]["kind"] == "init-no-response", finding["failure"]
    said = "the pool gave up after 5 failed starts in a row, its 1 worker(s) up serving the callers"
    assert said in finding["failure"]["message"], finding["failure"]["message"]
    assert "exited with code 3" in finding["outcome"]["cause"], finding["outcome"]


def test_a_caller_waiting_when_the_last_worker_of_a_pool_that_gave_up_exits_fails_at_once(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The pool gave up on its overflow starts, w1 serving; then w1 exits on a request while
    the other caller waits for it: no worker will come, and that caller fails at once with the
    pool's giving up, not its checkout timeout (20 s) later."""
    reference = ", ".join(json.dumps(a) for a in REFERENCE)
    path = tmp_path / "gated.yaml"
    text = GATED.format(gate=tmp_path / "started", ref=reference)
    path.write_text(text + "  - request: {command: exit, count: 2, concurrency: 2}\n")
    code, out, err = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "r"))
    assert code == 1, out + err
    events = [json.loads(line) for line in (tmp_path / "r/events.jsonl").read_text().splitlines()]
    assert not [e for e in events if e["type"] == "checkout_timeout"]
    failed = [e for e in events if e["type"] == "call_failed" and e["step"] == 2]
    assert [e["error_type"] for e in failed] == ["PoolGaveUp"], failed


def test_a_run_that_can_start_no_thread_ends_in_one_line(
    pids_cgroup: Path, processes: Processes, tmp_path: Path
) -> None:
    """The worker fills the cgroup as it answers its init ping, before the pool has the threads
    it needs next. Before: 'internal error; the traceback is in …' (exit 3), `RuntimeError:
    can't start new thread` in it."""
    code, _, stderr = run_in(pids_cgroup, processes, tmp_path, fill_on="ping", lift=30)
    assert code == 2, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    said = (
        "poolctl: error: poolctl could not start a thread: the user's process limit (`ulimit "
        "-u`) or a cgroup's pids.max is reached (threads count with processes); every process "
        f"it started was stopped; what was captured is in {tmp_path / 'run'}\n"
    )
    assert stderr.endswith(said), stderr
    _wait_for(lambda: not (pids_cgroup / "cgroup.procs").read_text().strip(), 10)
    assert not processes_with_env("PIDS_CGROUP", str(pids_cgroup)), "a process was left behind"
