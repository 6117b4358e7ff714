"""Work done on the machine's other CPU by a forked copy of poolctl, its result handed back in
a file: the one way poolctl forks without exec (a triage's history reading, half of its
classification).

A triage is one Python process on one core; a machine has two or more. `Forked.start` forks
(only when `can_fork`: on Linux, with a second CPU, and no other thread, whose locks the copy
would inherit held); the child runs the work given, which writes its result to an unlinked
temporary file, and ends with `os._exit` (none of the parent's atexit handlers, buffers or
clean-ups run in it; its objects are frozen, so no finalizer of theirs runs either). `wait`
gives the file back, read from the start, once the child ended well (None otherwise: the
caller does the work itself).

The child never outlives the command: it dies with poolctl (a parent-death signal, SIGKILL), of
the signals poolctl handles (their default action, set with the signals blocked across the
fork, so that none reaches the parent's handlers in it), and `stop` (the end of a `with`
block) kills and reaps it whatever ended the work. Its CPU time is the parent's children's, and
its peak RSS at least the parent's at the fork (its pages are shared until written).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import IO

from poolctl.signal_sender import ENDING, HOSTILE, STOPS, THREAD_NAME, UNEXPECTED

PR_SET_PDEATHSIG = 1
# the signals poolctl as the program handles (`poolctl.lifecycle`): the child dies of them
# (and is stopped by a stop)
SIGNALS = (*ENDING, *UNEXPECTED, *STOPS, *HOSTILE)


def can_fork() -> bool:
    """Linux (the parent-death signal: elsewhere a killed poolctl's child would finish its
    work alone), a second CPU to run on, and no other thread running."""
    # (the thread that takes poolctl's signals holds no lock: it waits in sigwaitinfo)
    others = [t for t in threading.enumerate() if t.name != THREAD_NAME]
    if not sys.platform.startswith("linux") or len(others) != 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except OSError:
        return False


def files_size(paths: Sequence[str]) -> int | None:
    """The bytes of `paths` when each is a plain file a forked copy can open again by its name;
    None for standard input (`-`), a pipe, a folder or a path that cannot be looked at."""
    try:
        if any(path == "-" or not os.path.isfile(path) for path in paths):
            return None
        return sum(os.path.getsize(path) for path in paths)
    except OSError:
        return None


def _child(parent: int, work: Callable[[IO[bytes]], None], fd: int) -> None:
    """Runs in the forked process, and never returns."""
    code = 1
    try:
        gc.freeze()
        for sig in SIGNALS:
            if signal.getsignal(sig) is not signal.SIG_IGN:
                signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
        import ctypes

        if ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            return  # no parent-death signal: the parent does the work itself
        if os.getppid() == parent:  # else poolctl died before the parent-death signal was set
            with os.fdopen(os.dup(fd), "wb", buffering=1 << 20) as out:
                work(out)
            code = 0
    except BaseException:  # whatever it is, the parent does the work itself
        code = 1
    finally:
        os._exit(code)


class Forked:
    """One forked worker (see the module's docstring)."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.file: IO[bytes] | None = None

    def start(self, work: Callable[[IO[bytes]], None]) -> None:
        """Fork a process that runs `work` with the file to write its result to."""
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by `stop`
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
            with contextlib.suppress(Exception):
                stream.flush()
        parent = os.getpid()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                _child(parent, work, self.file.fileno())
            self.pid = pid
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def wait(self) -> IO[bytes] | None:
        """The child's file, from its start, once the child ended well; None if it did not
        (or was never started)."""
        if self.pid is None or self.file is None:
            return None
        pid, self.pid = self.pid, None
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        self.file.seek(0)
        return self.file

    def stop(self) -> None:
        """Kill the child if it still runs, reap it, drop its file."""
        if self.pid is not None:
            pid, self.pid = self.pid, None
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        if self.file is not None:
            file, self.file = self.file, None
            file.close()

    def __enter__(self) -> Forked:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
