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
    try:
        inode = os.fstat(fd).st_ino
    except OSError:
        return []
    link = f"pipe:[{inode}]"
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        if any(_writes(entry.path, held, link) for held in _fds(entry.path)):
            found.append(f"{entry.name} {_command(entry.path)}")
    return found


def _fds(proc: str) -> list[str]:
    try:
        return os.listdir(f"{proc}/fd")
    except OSError:  # gone, or not ours to read
        return []


def _writes(proc: str, fd: str, link: str) -> bool:
    try:
        if os.readlink(f"{proc}/fd/{fd}") != link:
            return False
        flags = Path(f"{proc}/fdinfo/{fd}").read_text().split("flags:", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return int(flags, 8) & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR)


def _command(proc: str) -> str:
    try:
        raw = Path(f"{proc}/cmdline").read_bytes()
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
