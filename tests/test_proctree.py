"""The searches of every process through /proc: by a token in the environment, read only of
processes started at or after the token's clock tick, and a worker's family found in one pass.
Real processes each time: where the start filter could lose an escaped process (one started in
the very tick of the bound, one of another user, one among hundreds of older processes)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from poolctl import proctree
from poolctl.children import RUN_ENV, Children
from poolctl.proctree import (
    Seen,
    descendants,
    family_of,
    family_seen,
    processes_with_env,
    running,
    tick_now,
    wait_gone,
)
from poolctl.worker import WorkerProcess, WorkerSpec
from poolctl.worker_types import TOKEN_ENV
from tests.conftest import Processes, SpawnWorker

MARK = "POOLCTL_TEST_PROCTREE"


def start_tick(pid: int) -> int:
    """The clock tick `pid` started at, from /proc/PID/stat (field 22)."""
    stat = Path(f"/proc/{pid}/stat").read_bytes()
    return int(stat[stat.rfind(b")") + 2 :].split()[19])


def sleeper(processes: Processes, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return processes.popen(["sleep", "300"], env={**os.environ, **env})


def escaped(worker: WorkerProcess, seconds: float = 10) -> int:
    """The `sleep` carrying the worker's token that is no descendant of it, once there (the
    shells and wrappers between them come and go)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        away = processes_with_env(TOKEN_ENV, worker.token) - {worker.pid}
        away -= descendants(worker.pid)
        for pid in away:
            if command(pid).startswith(b"sleep\0"):
                return pid
        time.sleep(0.02)
    raise AssertionError("the worker's grandchild never left")


def command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def gone(pid: int, seconds: float = 10) -> bool:
    """Whether `pid` has ended within `seconds` (a loaded machine runs an exit late)."""
    end = time.monotonic() + seconds
    while running(pid) and time.monotonic() < end:
        time.sleep(0.02)
    return not running(pid)


def test_a_process_started_after_tick_now_starts_in_that_tick_or_later(
    processes: Processes,
) -> None:
    for _ in range(20):
        tick = tick_now()
        proc = processes.popen(["sleep", "300"])
        assert start_tick(proc.pid) >= tick
        proc.kill()
        proc.wait()


def test_a_carrier_started_in_the_very_tick_of_the_bound_is_found(processes: Processes) -> None:
    """The bound is inclusive: a token made and a process forked within the same tick (10 ms)
    is the common case, not an edge."""
    marker = uuid.uuid4().hex
    proc = sleeper(processes, {MARK: marker})
    tick = start_tick(proc.pid)
    end = time.monotonic() + 10  # in the middle of its exec a process shows no environment
    while not processes_with_env(MARK, marker) and time.monotonic() < end:
        time.sleep(0.02)
    assert processes_with_env(MARK, marker, since=tick) == {proc.pid}
    # one tick later it is out of the search: the bound is what decides
    assert processes_with_env(MARK, marker, since=tick + 1) == set()
    assert processes_with_env(MARK, marker) == {proc.pid}  # no bound: every process


def test_a_pid_noted_as_an_older_process_is_read_again_under_another_inode(
    processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search passes by a process it noted older than the bound, on the inode of its
    /proc/PID; a pid another process has taken since (another inode) is read again."""
    marker = uuid.uuid4().hex
    proc = sleeper(processes, {MARK: marker})
    end = time.monotonic() + 10  # in the middle of its exec a process shows no environment
    while not processes_with_env(MARK, marker) and time.monotonic() < end:
        time.sleep(0.02)
    tick, inode = start_tick(proc.pid), os.stat(f"/proc/{proc.pid}").st_ino
    # noted by an earlier search as an older process, under an inode that is not its own
    monkeypatch.setattr(proctree, "_starts", {proc.pid: (inode + 1, tick - 100)})
    assert processes_with_env(MARK, marker, since=tick) == {proc.pid}
    assert family_of(os.getpid(), MARK, marker, since=tick) >= {proc.pid}
    assert proctree._starts[proc.pid] == (inode, tick)  # noted anew
    # under its own inode the note stands: the process is passed by, its stat line unread
    monkeypatch.setattr(proctree, "_starts", {proc.pid: (inode, tick - 100)})
    assert processes_with_env(MARK, marker, since=tick) == set()


def test_a_variable_is_matched_whole_not_as_a_prefix_or_a_suffix(processes: Processes) -> None:
    marker = uuid.uuid4().hex
    proc = sleeper(processes, {MARK: marker + "0", "X" + MARK: marker})
    end = time.monotonic() + 10  # in the middle of its exec a process shows no environment
    while not processes_with_env(MARK, marker + "0") and time.monotonic() < end:
        time.sleep(0.02)
    assert processes_with_env(MARK, marker) == set()
    assert processes_with_env(MARK, marker + "0") == {proc.pid}


def test_the_family_holds_descendants_without_the_token_and_carriers_away(
    processes: Processes,
) -> None:
    marker = uuid.uuid4().hex
    tick = tick_now()
    # a child that cleared its environment (found by parent), one that left (found by token)
    script = "env -i sleep 300 & (setsid sleep 300 &) ; wait"
    shell = processes.popen(["sh", "-c", script], env={**os.environ, MARK: marker})
    sleeps: set[int] = set()
    try:
        end = time.monotonic() + 10
        while len(sleeps) < 2 and time.monotonic() < end:  # the shells between come and go
            time.sleep(0.02)
            found = descendants(shell.pid) | processes_with_env(MARK, marker)
            sleeps = {p for p in found if command(p).startswith(b"sleep\0")}
        away = processes_with_env(MARK, marker, since=tick) & sleeps
        assert len(sleeps) == 2 and len(away) == 1
        assert away.isdisjoint(descendants(shell.pid))  # found by its token alone
        family = family_of(shell.pid, MARK, marker, since=tick)
        # the shell carries the marker too; the subshell between may be a zombie
        assert {p for p in family if running(p)} == sleeps | {shell.pid}
    finally:
        for pid in sleeps:
            os.kill(pid, 9)


def test_a_stop_among_hundreds_of_older_processes_kills_the_escaped_grandchild_only(
    processes: Processes, spawn_worker: SpawnWorker, tmp_path: Path
) -> None:
    """The search reads the environments of processes started after the token only: the
    grandchild that left is found and killed, the older processes are left alone."""
    older = [sleeper(processes, {}) for _ in range(300)]
    w = spawn_worker(WorkerSpec(argv=("sh", "-c", "(setsid sleep 300 &) ; exec cat")), tmp_path)
    grandchild = escaped(w)
    w.stop(grace=1)
    assert gone(grandchild), f"the escaped grandchild {grandchild} survived the stop"
    assert all(p.poll() is None for p in older)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root")
def test_an_escaped_grandchild_of_another_user_is_killed_by_the_stop(
    spawn_worker: SpawnWorker, tmp_path: Path
) -> None:
    """A worker run as root whose daemon drops to another user: its /proc entries are that
    user's, its environment still carries the token (a filter by owner would lose it)."""
    drop = "setpriv --reuid=65534 --regid=65534 --clear-groups sleep 300"
    w = spawn_worker(WorkerSpec(argv=("sh", "-c", f"(setsid {drop} &) ; exec cat")), tmp_path)
    grandchild = escaped(w)
    end = time.monotonic() + 10
    while os.stat(f"/proc/{grandchild}").st_uid != 65534 and time.monotonic() < end:
        time.sleep(0.02)  # setpriv has not dropped to the user yet
    assert os.stat(f"/proc/{grandchild}").st_uid == 65534
    w.stop(grace=1)
    assert gone(grandchild), f"the other user's grandchild {grandchild} survived the stop"


# A worker that outlives its stdin and SIGTERM: only SIGKILL ends it.
IGNORES_TERM = ("sh", "-c", "trap '' TERM; exec sleep 300")


def test_a_stop_kills_what_it_knows_before_it_searches_every_process_again(
    spawn_worker: SpawnWorker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker, known since the stop's first search, has had its SIGKILL when the last
    search begins: a search slow on a busy machine holds up no kill of what is known."""
    w = spawn_worker(WorkerSpec(argv=IGNORES_TERM), tmp_path)
    ended_first: list[bool] = []  # at each search after the first: the worker had ended
    search = family_seen

    def watched(*args: Any, **kwargs: Any) -> dict[int, Seen | None]:
        if getattr(watched, "called", False):
            ended_first.append(gone(w.pid))
        watched.called = True  # type: ignore[attr-defined]
        return search(*args, **kwargs)

    monkeypatch.setattr("poolctl.worker.family_seen", watched)
    w.stop(grace=0.1)
    assert w.stopped_by == "SIGKILL after 0.1 s (SIGTERM ignored)"
    assert ended_first == [True]


@pytest.mark.parametrize("guard", [False, True])
def test_the_end_of_a_run_goes_over_every_process_once(
    guard: bool, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`close` finds the token's carriers (and, as the program, the orphans it adopted) in
    one pass over /proc: each pass is long on a busy machine, and an interrupted run's
    watchdog waits on it."""
    children = Children(guard=guard)
    quiet = subprocess.DEVNULL
    script = "(setsid sleep 300 &) ; exec sleep 300"
    proc = children.spawn(["sh", "-c", script], env=dict(os.environ), stdin=quiet, stdout=quiet)
    escaped: set[int] = set()
    end = time.monotonic() + 10
    while not escaped and time.monotonic() < end:
        time.sleep(0.02)
        carriers = processes_with_env(RUN_ENV, children.token) - descendants(proc.pid)
        escaped = {p for p in carriers if command(p).startswith(b"sleep\0")}
    passes: list[str] = []
    listing = proctree._pids

    def counted() -> list[str]:
        passes.append("/proc")
        return listing()

    monkeypatch.setattr(proctree, "_pids", counted)
    try:
        children.close()
    finally:
        monkeypatch.undo()
        for pid in [proc.pid, *escaped]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
        proc.wait()
    assert escaped and all(gone(pid) for pid in escaped)
    assert passes == ["/proc"]


def test_a_process_still_runnable_past_the_wait_is_waited_for_until_it_is_gone(
    processes: Processes,
) -> None:
    """A killed process runs its exit only once it gets a CPU: on a loaded machine (15-20) a
    daemon SIGKILLed as ping ended was still alive when it returned, after the 2 s wait. Here
    a spinning child (runnable throughout) is killed only after the wait's own timeout (0 s):
    before, the wait returned with it alive."""
    spinner = processes.popen([sys.executable, "-c", "while True: pass"])
    killer = threading.Timer(0.5, spinner.send_signal, (signal.SIGKILL,))
    killer.start()
    wait_gone({spinner.pid}, 0.0)
    assert not running(spinner.pid)
    killer.join()
