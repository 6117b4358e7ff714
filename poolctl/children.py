"""Every process a run starts, started one way, so that none outlives poolctl.

Each child (worker, experiment, probe, py-spy) is started by `Children.spawn`:

- with `PR_SET_PDEATHSIG` set to SIGKILL between fork and exec, by an exec wrapper (`setpriv`
  from util-linux, else three lines of Python calling prctl): the kernel kills the child when
  the poolctl thread that started it ends, and so when poolctl ends, even by SIGKILL. Not
  through `preexec_fn`: Python code between fork and exec in a process with threads (poolctl
  runs checks and experiments on threads) can deadlock on a lock another thread held. The
  signal is set only once the wrapper runs: a poolctl killed before that (a loaded machine
  may leave a new process waiting seconds to run) would leave the child without it. The
  Python wrapper then sees its parent gone and exits; after setpriv, the reaper (below)
  kills the child;
- in a session and process group of its own: a terminal's Ctrl-C reaches poolctl alone, and a
  stop reaches the child's whole group;
- with `POOLCTL_RUN=<token>` in its environment, which its descendants inherit: they are found
  and killed at the end of the run even after they left the group or were re-parented (to
  poolctl itself, which the CLI makes a child subreaper).

The parent-death signal does not reach a child's own children (a shell's, a runtime's
helpers). With `guard`, a reaper process (`poolctl/reaper.py`) covers them: it holds a pipe
whose other end only poolctl holds, notes poolctl's descendants while it is open, and when
it closes (poolctl ended, however) kills what is left by token, by process group and by that
note. Elsewhere than Linux there is no
parent-death signal and no /proc: the reaper kills by process group only.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from poolctl.errors import ExitCode, PoolctlError
from poolctl.proctree import (
    children_and_carriers,
    children_of,
    processes_with_env,
    running,
    tick_now,
)
from poolctl.signal_sender import WAITER

RUN_ENV = "POOLCTL_RUN"  # every child's environment carries the run's token
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
REAPER = Path(__file__).with_name("reaper.py")
LEFTOVERS_WAIT = 2.0  # the most `close` waits for what it killed to end
# The wrapper used where setpriv is missing: prctl, then exec; a child whose parent is already
# gone (poolctl died between fork and prctl) does not start at all.
PDEATHSIG_PY = (
    "import ctypes,os,sys\n"
    f"ctypes.CDLL(None).prctl({PR_SET_PDEATHSIG},{int(signal.SIGKILL)},0,0,0)\n"
    "os.getppid()==int(sys.argv[1]) or os._exit(137)\n"
    "os.execvp(sys.argv[2],sys.argv[2:])\n"
)


class Cancelled(PoolctlError):
    """The run was interrupted: no new process is started."""

    exit_code = ExitCode.INTERRUPTED


@functools.cache
def pdeathsig_wrapper() -> tuple[str, ...]:
    """How children get their parent-death signal here: setpriv's options, the Python
    wrapper, or nothing (not Linux). Looked up once: what is installed does not change."""
    if not sys.platform.startswith("linux"):
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is not None:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            probe = [setpriv, "--pdeathsig", "KILL", "--", "/bin/sh", "-c", ":"]
            with WAITER.unblocked():  # (no child inherits the signals poolctl blocks)
                done = subprocess.run(probe, capture_output=True, timeout=5, check=False)
            if done.returncode == 0:
                return (setpriv, "--pdeathsig", "KILL", "--")
    return (sys.executable, "-I", "-S", "-c", PDEATHSIG_PY)


def wrapped(argv: Sequence[str], wrapper: Sequence[str]) -> list[str]:
    """`argv` run through the parent-death-signal `wrapper`."""
    if not wrapper:
        return list(argv)
    if wrapper[-1] == PDEATHSIG_PY:
        return [*wrapper, str(os.getpid()), *argv]
    return [*wrapper, *argv]


def check_runnable(argv: Sequence[str], env: Mapping[str, str], cwd: str | None) -> None:
    """Raise what `subprocess.Popen` raises for a command that cannot run (not found, not
    executable): the wrapper execs it, so its own failure would only show as an exit code."""
    program = argv[0]
    base = cwd or os.getcwd()
    if os.sep in program:
        path = os.path.join(base, program)
        if not os.path.exists(path):
            raise FileNotFoundError(2, "No such file or directory", program)
        if os.path.isdir(path) or not os.access(path, os.X_OK):
            raise PermissionError(13, "Permission denied", program)
        return
    denied = False
    for folder in os.get_exec_path(dict(env)):
        path = os.path.join(base, folder, program)
        if os.path.isfile(path):
            if os.access(path, os.X_OK):
                return
            denied = True
    if denied:
        raise PermissionError(13, "Permission denied", program)
    raise FileNotFoundError(2, "No such file or directory", program)


def become_subreaper() -> bool:
    """Make this process a child subreaper: orphaned descendants (a worker's daemonized
    child) are re-parented to it instead of init, so it can kill and reap them. Linux only."""
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        return bool(
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        )
    return False


class Children:
    """The live children of one run: started with `spawn`, stopped all at once on an
    interruption (`stop_all`, `kill_all`), and whatever is left killed by `close`."""

    def __init__(self, *, guard: bool = False, wrapper: Sequence[str] | None = None) -> None:
        self.token = uuid.uuid4().hex
        self.token_tick = tick_now()  # no process started before it can carry the token
        self.cancelled = threading.Event()  # set on an interruption: spawn refuses from then on
        self._live: dict[int, subprocess.Popen[Any]] = {}
        self._lock = threading.Lock()
        self._guard = guard
        self._wrapper = wrapper
        self._reaper: subprocess.Popen[bytes] | None = None
        self._reaper_lock = threading.Lock()
        self._handed_out = False  # the token was put in an environment: a process may carry it

    @property
    def marker(self) -> tuple[str, str]:
        """The environment variable every child of this run carries: (name, value)."""
        self._handed_out = True  # whoever asks may put it in an environment
        return RUN_ENV, self.token

    def spawn(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: str | None = None,
        stdin: Any = None,
        stdout: Any = None,
        stderr: Any = None,
        bufsize: int = -1,
    ) -> subprocess.Popen[bytes]:
        """Start `argv` as a child of this run (see the module's docstring); raises what
        Popen raises when it cannot run, and `Cancelled` once the run is interrupted."""
        if self.cancelled.is_set():
            raise Cancelled("interrupted: no new process is started")
        check_runnable(argv, env, cwd)
        self._handed_out = True
        wrapper = self._wrapper if self._wrapper is not None else pdeathsig_wrapper()
        with WAITER.unblocked():  # no child inherits the signals poolctl blocks for itself
            if self._guard:
                self._start_reaper()
            proc: subprocess.Popen[bytes] = subprocess.Popen(
                wrapped(argv, wrapper),
                stdin=stdin,
                stdout=stdout,
                stderr=stderr,
                env={**env, RUN_ENV: self.token},
                cwd=cwd,
                start_new_session=True,  # its own group: signals reach all of it, not Ctrl-C
                bufsize=bufsize,
            )
        with self._lock:
            self._live[proc.pid] = proc
        WAITER.started.add(proc.pid)  # its kill() of poolctl is known for its own, even reaped
        self._tell(f"+{proc.pid}")
        if self.cancelled.is_set():  # interrupted while it started: stopped with the rest
            self._signal_group(proc.pid, signal.SIGKILL)
        return proc

    def forget(self, proc: subprocess.Popen[Any]) -> None:
        """`proc` was stopped by its owner and reaped."""
        with self._lock:
            known = self._live.pop(proc.pid, None) is not None
        if known:
            self._tell(f"-{proc.pid}")

    def live(self) -> list[subprocess.Popen[Any]]:
        with self._lock:
            return list(self._live.values())

    # --- stopping everything ------------------------------------------------------------
    def signal_all(self, sig: signal.Signals) -> None:
        """Send `sig` to every child's process group and every process carrying the token."""
        for proc in self.live():
            self._signal_group(proc.pid, sig)
        for pid in self._carriers():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)

    def _carriers(self) -> set[int]:
        """The processes carrying the token; none can before it is handed out (a run that
        starts no process, such as a triage, does not read every process's environment)."""
        if not self._handed_out:
            return set()
        return processes_with_env(RUN_ENV, self.token, since=self.token_tick)

    def _children_and_carriers(self) -> tuple[set[int], set[int]]:
        """This process's children and the processes carrying the token, in one pass."""
        if not self._handed_out:
            return children_of(os.getpid()), set()
        return children_and_carriers(os.getpid(), RUN_ENV, self.token, since=self.token_tick)

    def stop_all(self, grace: float) -> None:
        """SIGTERM everything, SIGKILL what is left after `grace` seconds (an interruption)."""
        self.cancelled.set()
        self.signal_all(signal.SIGTERM)
        end = time.monotonic() + grace
        while time.monotonic() < end and any(p.poll() is None for p in self.live()):
            time.sleep(0.02)
        self.signal_all(signal.SIGKILL)

    def stop_in_background(self, grace: float) -> threading.Thread:
        """`stop_all` on a thread of its own: the caller (a signal handler) returns at once."""
        thread = threading.Thread(
            target=self.stop_all, args=(grace,), name="poolctl-stop", daemon=True
        )
        thread.start()
        return thread

    def kill_all(self) -> None:
        """SIGKILL everything now (a second Ctrl-C, the end of the run)."""
        self.cancelled.set()
        self.signal_all(signal.SIGKILL)

    def close(self, *, wait: bool = True) -> None:
        """The end of the run: kill and reap what its children left behind (daemonized
        grandchildren, re-parented to this process when it is a subreaper), then let the
        reaper go. Without `wait` (an interruption), nothing is waited for."""
        # Found before they are killed, while alive (a zombie shows no environment), to be
        # reaped once killed; in one pass over every process, which a busy machine makes long.
        if self._guard:  # the program: its children are all this run's, adopted ones too
            helper = self._reaper.pid if self._reaper is not None else None
            known = {p.pid for p in self.live()} | {helper}
            adopted, leftovers = self._children_and_carriers()
            leftovers |= adopted - known
        else:
            leftovers = self._carriers()
        for proc in self.live():  # every group still registered
            self._signal_group(proc.pid, signal.SIGKILL)
        for pid in leftovers:  # every token carrier
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for proc in self.live():
            if wait:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(1.0)
            self.forget(proc)
        # reap those re-parented to us; wait for the others to end (init reaps them): one
        # waiting for a CPU (a loaded machine) acts on its SIGKILL only once it runs again
        end = time.monotonic() + (LEFTOVERS_WAIT if wait else 0.0)
        while leftovers:
            for pid in list(leftovers):
                try:
                    if os.waitpid(pid, os.WNOHANG)[0] == 0:
                        continue
                except ChildProcessError:
                    if running(pid):
                        continue
                leftovers.discard(pid)
            if not leftovers or time.monotonic() >= end:
                break
            time.sleep(0.01)
        with self._reaper_lock:
            reaper, self._reaper = self._reaper, None
        if reaper is not None:
            assert reaper.stdin is not None
            with contextlib.suppress(OSError):
                reaper.stdin.close()
            if wait:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    reaper.wait(0.5)

    # --- the reaper -----------------------------------------------------------------------
    def _start_reaper(self) -> None:
        with self._reaper_lock:
            if self._reaper is not None:
                return
            since = str(self.token_tick)  # processes started before it cannot carry the token
            self._reaper = subprocess.Popen(
                [sys.executable, "-I", "-S", str(REAPER), self.token, str(os.getpid()), since],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # a closed terminal's SIGHUP must not reach it
            )

    def _tell(self, line: str) -> None:
        with self._reaper_lock:
            pipe: IO[bytes] | None = self._reaper.stdin if self._reaper is not None else None
            if pipe is None:
                return
            with contextlib.suppress(OSError, ValueError):
                pipe.write(f"{line}\n".encode())
                pipe.flush()

    @staticmethod
    def _signal_group(pid: int, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
