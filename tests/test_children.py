"""No child outlives poolctl: the parent-death signal (through setpriv, or the Python wrapper
where setpriv is missing), the reaper for a child's own children, the subreaper that brings
double-forked grandchildren back to be killed at the end, and stopping them all at once.

Each test runs a "poolctl" of its own (a small Python program using `Children` as poolctl
does), kills it, and looks for what it left, by the marker every process of the test carries.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from poolctl.children import PDEATHSIG_PY, Cancelled, Children, check_runnable
from poolctl.errors import PoolctlError
from poolctl.proctree import processes_with_env
from tests.conftest import Processes

MARK = "POOLCTL_TEST_CHILDREN"
SLEEPER = (
    "import signal, time\nfor s in (1, 2, 3, 15): signal.signal(s, signal.SIG_IGN)\ntime.sleep(60)"
)
# The same, saying "ready" on stdout once it ignores the signals (a loaded machine may take
# longer than any fixed sleep to get there).
SAYS_READY = (
    "import signal, sys, time\nfor s in (1, 2, 3, 15): signal.signal(s, signal.SIG_IGN)\n"
    "print('ready', flush=True)\ntime.sleep(60)"
)
# A stand-in for poolctl: starts `argv` among its Children, prints its pid, waits to be killed.
PARENT = """
import json, os, subprocess, sys
from poolctl.children import Children, become_subreaper
from poolctl.proctree import processes_with_env
wrapper, guard, subreaper, argv = json.loads(sys.argv[1])
if subreaper:
    become_subreaper()
children = Children(guard=guard, wrapper=None if wrapper is None else tuple(wrapper))
quiet = subprocess.DEVNULL
proc = children.spawn(argv, env=dict(os.environ), stdin=quiet, stdout=quiet)
print(proc.pid, flush=True)
if sys.stdin.readline().strip() == "close":  # end the run as poolctl does
    print(json.dumps(sorted(processes_with_env("POOLCTL_RUN", children.token))), flush=True)
    children.close()
    print(json.dumps(sorted(processes_with_env("POOLCTL_RUN", children.token))), flush=True)
    sys.stdin.readline()
"""
SETPRIV = ("setpriv", "--pdeathsig", "KILL", "--")
PYTHON_WRAPPER = (sys.executable, "-I", "-S", "-c", PDEATHSIG_PY)


def left(marker: str) -> list[int]:
    return sorted(processes_with_env(MARK, marker))


def runs_the_worker(marker: str, pid: int, argv: list[str]) -> bool:
    """Whether `pid` carries the marker and runs `argv` itself: the wrapper before it carries
    the marker too, and the worker's argv among its own, and setpriv sets the parent-death
    signal only once it runs (a loaded machine left a new process runnable for 15 s without
    running it: the parent killed before that, the worker outlived it)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return pid in left(marker) and cmdline.split(b"\0")[:-1] == [a.encode() for a in argv]


def seen_within(
    marker: str, pid: int, argv: list[str], seconds: float, sleep: Callable[[float], None]
) -> bool:
    """Whether `pid` runs `argv` within `seconds` (see `runs_the_worker`)."""
    end = time.monotonic() + seconds
    while not runs_the_worker(marker, pid, argv) and time.monotonic() < end:
        sleep(0.05)
    return runs_the_worker(marker, pid, argv)


def gone_within(marker: str, seconds: float, sleep: Callable[[float], None]) -> list[int]:
    end = time.monotonic() + seconds
    while left(marker) and time.monotonic() < end:
        sleep(0.05)
    return left(marker)


def start_parent(
    processes: Processes,
    argv: list[str],
    *,
    wrapper: tuple[str, ...] | None,
    guard: bool = False,
    subreaper: bool = False,
) -> tuple[subprocess.Popen[bytes], str, int]:
    marker = uuid.uuid4().hex
    config = json.dumps([wrapper, guard, subreaper, argv])
    parent = processes.popen(
        [sys.executable, "-c", PARENT, config],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, MARK: marker},
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    return parent, marker, child


@pytest.mark.parametrize("wrapper", [SETPRIV, PYTHON_WRAPPER], ids=["setpriv", "python"])
def test_a_child_dies_with_poolctl_killed_by_sigkill(
    processes: Processes, real_sleep: Callable[[float], None], wrapper: tuple[str, ...]
) -> None:
    """PR_SET_PDEATHSIG: a worker that ignores every catchable signal dies with its parent."""
    worker = [sys.executable, "-c", SLEEPER]
    parent, marker, child = start_parent(processes, worker, wrapper=wrapper)
    assert seen_within(marker, child, worker, 30.0, real_sleep)
    parent.kill()
    parent.wait()
    assert gone_within(marker, 15.0, real_sleep) == []  # a loaded machine runs its exit late


def test_without_the_parent_death_signal_the_worker_would_stay(
    processes: Processes, real_sleep: Callable[[float], None]
) -> None:
    """The check above can fail: with no wrapper, the same worker outlives its parent."""
    parent, marker, child = start_parent(processes, [sys.executable, "-c", SLEEPER], wrapper=())
    parent.kill()
    parent.wait()
    real_sleep(0.5)
    assert left(marker) == [child]
    os.kill(child, signal.SIGKILL)


@pytest.mark.parametrize("detach", ["child", "daemon"])
def test_the_reaper_kills_a_childs_own_children(
    processes: Processes, real_sleep: Callable[[float], None], detach: str
) -> None:
    """A shell's child gets no parent-death signal; one in a session of its own leaves the
    process group too. Once poolctl is killed, the reaper kills both, by the run's token."""
    start = f"{sys.executable} -c '{SLEEPER}'"
    if detach == "daemon":
        start = f"setsid {start}"
    shell = ["/bin/sh", "-c", f"{start} & wait"]
    parent, marker, _ = start_parent(processes, shell, wrapper=None, guard=True)
    end = time.monotonic() + 10
    while len(left(marker)) < 4 and time.monotonic() < end:  # parent, reaper, sh, sleeper
        real_sleep(0.05)
    parent.kill()
    parent.wait()
    assert gone_within(marker, 15.0, real_sleep) == []  # a loaded machine runs its exit late


def test_double_forked_grandchildren_come_back_to_poolctl_and_are_killed_at_the_end(
    processes: Processes, real_sleep: Callable[[float], None]
) -> None:
    """As a child subreaper, poolctl adopts what a worker daemonizes; `close` kills it."""
    daemonize = ["/bin/sh", "-c", f"({sys.executable} -c '{SLEEPER}' &) ; sleep 60"]
    parent, marker, shell = start_parent(processes, daemonize, wrapper=None, subreaper=True)
    assert parent.stdin is not None and parent.stdout is not None
    end = time.monotonic() + 10
    while len(left(marker)) < 4 and time.monotonic() < end:  # parent, sh, its sleep, daemon
        real_sleep(0.05)
    daemon = [p for p in left(marker) if p not in (parent.pid, shell)]
    orphans = [p for p in daemon if _ppid(p) == parent.pid]
    assert orphans, f"no orphan adopted by the subreaper: {daemon}"
    parent.stdin.write(b"close\n")
    parent.stdin.flush()
    before = json.loads(parent.stdout.readline())
    after = json.loads(parent.stdout.readline())
    assert set(orphans) <= set(before) and after == []
    assert not [p for p in orphans if Path(f"/proc/{p}").exists()]  # reaped: not even a zombie
    parent.stdin.close()
    parent.wait(10)


def test_an_adopted_daemon_that_cleared_its_environment_is_killed_at_the_end(
    processes: Processes, real_sleep: Callable[[float], None]
) -> None:
    """No token to find it by: poolctl, the program (`guard`), kills every child it adopted."""
    daemonize = ["/bin/sh", "-c", f"(env -i {sys.executable} -c '{SLEEPER}' &) ; sleep 60"]
    parent, _, _ = start_parent(processes, daemonize, wrapper=None, guard=True, subreaper=True)
    assert parent.stdin is not None and parent.stdout is not None
    end = time.monotonic() + 10
    daemons: list[int] = []
    while not daemons and time.monotonic() < end:
        daemons = [p for p in _children(parent.pid) if b"time.sleep" in _cmdline(p)]
        real_sleep(0.05)
    assert daemons, "the daemon was not adopted"
    parent.stdin.write(b"close\n")
    parent.stdin.flush()
    parent.stdout.readline()
    parent.stdout.readline()
    assert not [p for p in daemons if Path(f"/proc/{p}").exists()]
    parent.stdin.close()
    parent.wait(10)


def test_a_daemon_that_left_its_session_and_cleared_its_environment_dies_with_a_killed_poolctl(
    processes: Processes, real_sleep: Callable[[float], None]
) -> None:
    """No token, no process group, and no poolctl left to kill what it adopted: the reaper
    noted it among poolctl's descendants while poolctl ran, and kills it once poolctl is
    SIGKILLed (it stayed, re-parented to init: a limit the README named)."""
    setsid = shutil.which("setsid")
    assert setsid is not None
    daemon = f"env -i {setsid} {sys.executable} -c '{SLEEPER}'"
    python = sys.executable.encode() + b"\0-c\0"
    daemonize = ["/bin/sh", "-c", f"({daemon} &) ; sleep 60"]
    parent, _, _ = start_parent(processes, daemonize, wrapper=None, guard=True, subreaper=True)
    end = time.monotonic() + 10
    daemons: list[int] = []
    while not daemons and time.monotonic() < end:  # python itself, not a shell around it
        daemons = [p for p in _children(parent.pid) if _cmdline(p).startswith(python)]
        real_sleep(0.05)
    assert daemons, "the daemon was not adopted"
    assert os.getsid(daemons[0]) == daemons[0] and b"POOLCTL_RUN" not in _environ(daemons[0])
    real_sleep(1.0)  # the reaper notes descendants every 0.2 s
    parent.kill()
    parent.wait()
    end = time.monotonic() + 5.0  # a loaded machine runs the reaper late
    while any(_alive(p) for p in daemons) and time.monotonic() < end:
        real_sleep(0.05)
    survivors = [p for p in daemons if _alive(p)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == []


def test_a_later_child_of_a_worker_that_left_its_session_and_environment_dies_with_poolctl(
    processes: Processes, real_sleep: Callable[[float], None]
) -> None:
    """The worker runs for a while (the reaper has noted it), then starts a child in a session
    of its own with an empty environment, and stays its parent. Once poolctl is SIGKILLed the
    child must die too: the reaper skipped the children of a process it had noted before, so
    such a child (a worker's helper started on demand) stayed, re-parented to init."""
    setsid = shutil.which("setsid")
    assert setsid is not None
    python = sys.executable.encode() + b"\0-c\0"
    later = ["/bin/sh", "-c", f"sleep 1; env -i {setsid} {sys.executable} -c '{SLEEPER}'; :"]
    parent, _, shell = start_parent(processes, later, wrapper=None, guard=True, subreaper=True)
    end = time.monotonic() + 10
    helpers: list[int] = []
    while not helpers and time.monotonic() < end:
        helpers = [p for p in _children(shell) if _cmdline(p).startswith(python)]
        real_sleep(0.05)
    assert helpers, "the worker started no helper"
    assert os.getsid(helpers[0]) == helpers[0] and b"POOLCTL_RUN" not in _environ(helpers[0])
    real_sleep(1.0)  # the reaper notes descendants every 0.2 s
    parent.kill()
    parent.wait()
    end = time.monotonic() + 5.0  # a loaded machine runs the reaper late
    while any(_alive(p) for p in helpers) and time.monotonic() < end:
        real_sleep(0.05)
    survivors = [p for p in helpers if _alive(p)]
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == []


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2 :].split()[0] != b"Z"


def _environ(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return b""


def _children(pid: int) -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and _ppid_or(int(p)) == pid]


def _ppid_or(pid: int) -> int:
    try:
        return _ppid(pid)
    except OSError:
        return -1


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _ppid(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_bytes()
    return int(stat[stat.rfind(b")") + 2 :].split()[1])


def test_stop_all_kills_what_ignores_sigterm(processes: Processes) -> None:
    children = Children()
    marker = uuid.uuid4().hex
    env = {**os.environ, MARK: marker}
    procs = [
        children.spawn([sys.executable, "-c", SAYS_READY], env=env, stdout=subprocess.PIPE)
        for _ in range(3)
    ]
    try:
        for proc in procs:  # each ignores SIGTERM from here
            assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        started = time.monotonic()
        children.stop_all(grace=0.3)
        for proc in procs:
            assert proc.wait(5) == -signal.SIGKILL
        assert time.monotonic() - started < 3
        with pytest.raises(Cancelled):  # interrupted: nothing new starts
            children.spawn([sys.executable, "-c", "pass"], env=env)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


# --- what starting refuses, before any process -----------------------------------------------
def test_a_command_that_cannot_run_fails_as_popen_would(tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path)}
    with pytest.raises(FileNotFoundError):
        check_runnable(["no-such-program-here"], env, None)
    script = tmp_path / "worker.sh"
    script.write_text("#!/bin/sh\n")
    with pytest.raises(PermissionError):
        check_runnable(["./worker.sh"], env, str(tmp_path))
    with pytest.raises(PermissionError):
        check_runnable(["worker.sh"], env, None)  # on PATH, not executable
    script.chmod(0o755)
    check_runnable(["worker.sh"], env, None)
    check_runnable(["./worker.sh"], env, str(tmp_path))
    with pytest.raises(PermissionError):
        check_runnable([str(tmp_path)], env, None)  # a folder


def test_an_interrupted_run_starts_nothing() -> None:
    children = Children()
    children.cancelled.set()
    with pytest.raises(Cancelled) as raised:
        children.spawn(["true"], env={})
    assert isinstance(raised.value, PoolctlError) and raised.value.exit_code == 130


def test_a_parent_ignoring_sigchld_does_not_hide_how_a_worker_ended(
    processes: Processes, tmp_path: Path
) -> None:
    """SIGCHLD ignored by the parent survives exec: the kernel reaped every worker itself, and
    a crash with code 3 (or a SIGKILL) read as "exited with code 0", with the advice to loop."""
    ping = [sys.executable, "-m", "poolctl", "ping", "--json", "--no-experiments", "--timeout", "5"]
    worker = ["--", sys.executable, "-c", "import sys; sys.exit(3)"]
    parent = (
        "import os, signal, sys; signal.signal(signal.SIGCHLD, signal.SIG_IGN); "
        "os.execv(sys.argv[1], sys.argv[1:])"
    )
    done = processes.run([sys.executable, "-c", parent, *ping, *worker], 60, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    cause = json.loads(done.stdout)["findings"][0]["outcome"]["cause"]
    assert "exited with code 3" in cause, cause
