"""A worker blocked taking a file lock is told who holds it, from /proc/locks. Before: two
copies of a worker that flocks a file as it starts, in a pool of two, had the second 'stuck in
initialization' at its `fcntl.flock(...)` line with the fix 'Answer the init ping before the
slow start-up work, or raise the init timeout above how long its start-up takes', though no
timeout helps while the first copy lives; a request waiting on a lockf another process held
was 'No hypothesis was confirmed … sleeping in syscall 72', next step 'try a longer --timeout'."""

from __future__ import annotations

import fcntl
import json
import sys
from pathlib import Path
from typing import Any

from tests.conftest import RunCli

WORKER = Path(__file__).resolve().parent / "workers" / "locks_a_file.py"


def test_a_second_copy_waiting_for_the_first_s_lock_is_told_the_copies_cannot_run_together(
    run_cli: RunCli, tmp_path: Path
) -> None:
    lock = tmp_path / "cache.lock"
    path = tmp_path / "locks.yaml"
    command = json.dumps([sys.executable, str(WORKER), str(lock)])
    path.write_text(
        "name: two-lockers\ndescription: two copies of a worker that locks a file at start\n"
        f"worker: {{command: {command}, framing: packet-4, init_timeout: 1}}\n"
        "pool: {size: 2, max_overflow: 0, lazy: false, checkout_timeout: 2, request_timeout: 2}\n"
        "steps:\n  - request: {command: ping, count: 1}\n"
    )
    code, out, err = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "r"))
    assert code == 1, err
    (finding,) = json.loads(out)["findings"]
    outcome = finding["outcome"]
    assert outcome["cause"].startswith("The worker is stuck in initialization"), outcome["cause"]
    assert f"waits to lock {lock} (flock), which pid " in outcome["cause"]
    assert "(python" in outcome["cause"]
    assert ", another copy of the worker's command, started by this run) holds" in outcome["cause"]
    assert outcome["remediation"].startswith("Let copies of the worker run side by side: it locks")
    (locks,) = [e["text"] for e in outcome["evidence"] if e["origin"] == "/proc/locks"]
    holder, waiter = locks.splitlines()
    assert " FLOCK " in holder and " -> FLOCK " in waiter


def test_a_request_waiting_for_a_lock_another_process_holds_names_it(
    run_cli: RunCli, tmp_path: Path
) -> None:
    lock = tmp_path / "db.lock"
    with lock.open("a") as held:
        fcntl.lockf(held, fcntl.LOCK_EX)  # this test's process holds it all along
        code, out, err = run_cli(
            "ping", "--json", "--timeout", "1", "--no-experiments",
            "--run-dir", str(tmp_path / "run"), "--", sys.executable, str(WORKER), str(lock),
            "request",
        )  # fmt: skip
    assert code == 1, err
    outcome = json.loads(out)["findings"][0]["outcome"]
    cause = outcome["cause"]
    assert f"waits to lock {lock} (fcntl/lockf), which pid " in cause, cause
    assert ", a process outside this run: `" in cause
    assert "in fcntl" in cause
    assert "find why pid " in outcome["remediation"]
    assert "try a longer --timeout" not in outcome["remediation"]


def _ping_beside_a_held_lock(run_cli: RunCli, tmp_path: Path, *mode: str) -> dict[str, Any]:
    """ping (its 5 s timeout, its experiments) of the worker while this test's process holds
    the lock it takes, as a process outside the run; the failure, its outcome, and the
    processes the run started (its timeline's spawns)."""
    lock = tmp_path / "db.lock"
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        fcntl.lockf(held, fcntl.LOCK_EX)
        code, out, err = run_cli(
            "ping", "--json", "--run-dir", str(tmp_path / "run"), "--",
            sys.executable, str(WORKER), str(lock), *mode,
        )  # fmt: skip
    assert code == 1, err
    report = json.loads(out)
    (finding,) = report["findings"]
    lanes = report["extra"]["timeline"]["lanes"]
    spawned = [m for lane in lanes for m in lane.get("marks", []) if m["kind"] == "spawn"]
    return {"message": finding["failure"]["message"], "spawned": len(spawned), **finding["outcome"]}


def test_a_worker_blocked_at_start_on_an_outside_lock_is_not_waited_on_longer(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Its request is waited for to its timeout (the holder may let go meanwhile), and no
    stack dumps follow it: before, 6 s of them followed (14 s in all)."""
    said = _ping_beside_a_held_lock(run_cli, tmp_path)
    assert said["message"] == "no response within 5 s", said["message"]
    assert said["cause"].startswith("The worker is stuck in initialization"), said["cause"]
    assert (
        "(flock), which pid " in said["cause"] and "a process outside this run: `" in said["cause"]
    )
    assert "stack dumps found" not in said["cause"]  # not waited on longer
    assert said["remediation"].startswith("Find why pid ")
    assert said["spawned"] == 1  # the worker alone


def test_a_request_blocked_on_an_outside_lock_is_not_waited_on_longer(
    run_cli: RunCli, tmp_path: Path
) -> None:
    said = _ping_beside_a_held_lock(run_cli, tmp_path, "request")
    assert said["message"] == "no response within 5 s", said["message"]
    assert "(fcntl/lockf), which pid " in said["cause"]
    assert "stack dumps found" not in said["cause"]
    assert "find why pid " in said["remediation"] or "Find why pid " in said["remediation"]
    assert said["spawned"] == 1
