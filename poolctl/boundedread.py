"""A small input file's bytes (a scenario, a pattern file, a report.json), read so that no path
hangs or fills memory: a device such as /dev/zero says size 0 and never ends, and a FIFO no
process writes to blocks its reader's `open` forever.
"""

from __future__ import annotations

import os
import select
import stat
from pathlib import Path

FIFO_WAIT = 10.0  # seconds a FIFO (`<(cmd)`, a named pipe) is waited on for its first byte


class TooLong(Exception):
    """The input goes on past the limit; `size` is its size when the file says it."""

    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size


class NoWriter(Exception):
    """A FIFO on which nothing came within `FIFO_WAIT` seconds."""


def read_bounded(path: Path, limit: int, *, regular_limit: bool = True) -> bytes:
    """The bytes of `path`, at most `limit` (not for a regular file when `regular_limit` is
    false: its size is its bound). Raises OSError when it cannot be opened or read, `TooLong`
    past the limit, `NoWriter` for a FIFO nothing comes on."""
    # opened without blocking: `open` of a FIFO waits for a writer, for ever if none comes
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with open(fd, "rb") as file:
        mode = os.fstat(fd).st_mode
        if stat.S_ISFIFO(mode):
            poll = select.poll()
            poll.register(fd, select.POLLIN)
            if not poll.poll(FIFO_WAIT * 1000):
                raise NoWriter
        os.set_blocking(fd, True)
        if stat.S_ISREG(mode) and not regular_limit:
            return file.read()
        size = os.fstat(fd).st_size
        if stat.S_ISREG(mode) and size > limit:
            raise TooLong(size)
        raw = file.read(limit + 1)
    if len(raw) > limit:
        raise TooLong(None)
    return raw
