"""Standard input read from a pipe, watched: when nothing has come on it for `QUIET` seconds,
the processes that still hold its writing end are named once.

`mix test 2>&1 | poolctl triage -` reads until every writer of the pipe has closed it. A worker
the test run left behind (a port's Python process that outlived the VM, sleeping) inherited the
run's stderr, the pipe: the run has ended, and poolctl would wait for that worker in silence.
"""

from __future__ import annotations

import io
import os
import select
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

QUIET = 10.0  # seconds without a byte before the pipe's writers are named


def is_pipe(fd: int) -> bool:
    """Whether `fd` is a pipe or a FIFO (a file or a terminal is never waited on this way)."""
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode)
    except OSError:
        return False


def pipe_writers(fd: int) -> list[str]:
    """The other processes holding the writing end of the pipe `fd` reads, as `pid command`."""
    if not is_pipe(fd):
        return []
    # imported here, when the pipe has gone quiet: the diagnosis package is no triage's start-up
    from poolctl.diagnose.procinfo import holders, pipe_name

    writers = {pid for pid, held, _ in holders(pipe_name(fd)) if _writes(pid, held)}
    return [f"{pid} {_command(pid)}" for pid in sorted(writers)]


def _writes(pid: int, fd: int) -> bool:
    """Whether the process's `fd` is open for writing (its fdinfo's access mode)."""
    try:
        info = Path(f"/proc/{pid}/fdinfo/{fd}").read_text()
        flags = int(info.split("flags:", 1)[1].split()[0], 8)
    except (OSError, IndexError, ValueError):
        return False
    return flags & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR)


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return " ".join(part.decode("utf-8", "backslashreplace") for part in raw.split(b"\0") if part)


class WatchedPipe(io.RawIOBase):
    """Reads `fd`; the first time nothing comes for `quiet` seconds, `on_quiet(writers)` is
    told who still holds the pipe open for writing, and the read goes on waiting."""

    def __init__(
        self, fd: int, on_quiet: Callable[[list[str]], None], quiet: float = QUIET
    ) -> None:
        self.fd = fd
        self.on_quiet = on_quiet
        self.quiet = quiet
        self._said = False

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def readinto(self, buffer: Any) -> int:
        if not self._said:
            ready, _, _ = select.select([self.fd], [], [], self.quiet)
            if not ready:
                self._said = True
                self.on_quiet(pipe_writers(self.fd))
        data = os.read(self.fd, len(buffer))
        buffer[: len(data)] = data
        return len(data)
