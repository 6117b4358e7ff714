"""Files opened so that no path hangs or fills memory: a small input's bytes (a scenario, a
pattern file, a report.json) bounded, since a device such as /dev/zero says size 0 and never
ends; a FIFO no process writes to (reads from) blocks its reader's (writer's) `open` for ever.
"""

from __future__ import annotations

import errno
import os
import select
import stat
import time
from pathlib import Path
from typing import BinaryIO

from poolctl.units import seconds_from_env

FIFO_WAIT = 10.0  # seconds a FIFO (`<(cmd)`, a named pipe) is waited on for its first byte
FIFO_WAIT_ENV = "POOLCTL_FIFO_WAIT"  # …unless this says how many


def fifo_wait() -> float:
    """`POOLCTL_FIFO_WAIT` in seconds (`FIFO_WAIT` when unset or empty)."""
    return seconds_from_env(FIFO_WAIT_ENV, FIFO_WAIT)


class TooLong(Exception):
    """The input goes on past the limit; `size` is its size when the file says it."""

    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size


class NoWriter(OSError):
    """A FIFO on which nothing came within `FIFO_WAIT` seconds, and no process holds it open
    for writing (an OSError: where a file that cannot be opened is said, so is this)."""

    def __init__(self, waited: float) -> None:
        super().__init__(
            0, f"a FIFO, and nothing came on it in {waited:g} s: no process writes to it"
        )


class NoReader(OSError):
    """A FIFO given as output that no process opened for reading within `FIFO_WAIT` seconds."""

    def __init__(self, waited: float) -> None:
        super().__init__(0, f"a FIFO, and no process opened it for reading in {waited:g} s")


def open_writable(path: str | Path, append: bool = False) -> BinaryIO:
    """`path` opened as `open(path, "wb")` (`"ab"` to `append`) does, but a FIFO no process
    reads from is `NoReader` once `FIFO_WAIT` seconds have passed."""
    wait = fifo_wait()
    deadline = time.monotonic() + wait
    flags = os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC
    flags |= os.O_APPEND if append else os.O_TRUNC
    while True:
        try:  # without blocking: a FIFO with no reader is ENXIO at once, not a wait for ever
            fd = os.open(path, flags, 0o666)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
            if time.monotonic() > deadline:
                raise NoReader(wait) from None
            time.sleep(0.1)
    os.set_blocking(fd, True)
    return open(fd, "wb")


def open_readable(path: str | Path) -> BinaryIO:
    """`path` opened for reading as `open(path, "rb")` does, but a FIFO no process writes to
    is `NoWriter` once `FIFO_WAIT` seconds have passed (one a writer holds is waited on)."""
    # opened without blocking: `open` of a FIFO waits for a writer, for ever if none comes
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    file = open(fd, "rb")  # noqa: SIM115 - the caller's
    try:
        info = os.fstat(fd)
        if stat.S_ISFIFO(info.st_mode):
            poll = select.poll()
            poll.register(fd, select.POLLIN)
            wait = fifo_wait()
            if not poll.poll(wait * 1000) and not _held_for_writing(info):
                raise NoWriter(wait)
        os.set_blocking(fd, True)
    except BaseException:
        file.close()
        raise
    return file


def _held_for_writing(fifo: os.stat_result) -> bool:
    """Whether another process holds the FIFO open for writing (one that has not written
    yet: a test run still compiling)."""
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        if fd_dir.parent.name == str(os.getpid()):
            continue
        try:
            entries = list(fd_dir.iterdir())
        except OSError:
            continue
        for entry in entries:
            try:
                held = entry.stat()
                if (held.st_ino, held.st_dev) != (fifo.st_ino, fifo.st_dev):
                    continue
                info = (fd_dir.parent / "fdinfo" / entry.name).read_text()
                flags = int(info.split("flags:", 1)[1].split()[0], 8)
            except (OSError, IndexError, ValueError):  # gone meanwhile, or not readable
                continue
            if flags & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR):
                return True
    return False


def read_bounded(path: Path, limit: int, *, regular_limit: bool = True) -> bytes:
    """The bytes of `path`, at most `limit` (not for a regular file when `regular_limit` is
    false: its size is its bound). Raises OSError when it cannot be opened or read, `TooLong`
    past the limit, `NoWriter` for a FIFO no process writes to."""
    with open_readable(path) as file:
        info = os.fstat(file.fileno())
        if stat.S_ISREG(info.st_mode) and not regular_limit:
            return file.read()
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise TooLong(info.st_size)
        raw = file.read(limit + 1)
    if len(raw) > limit:
        raise TooLong(None)
    return raw
