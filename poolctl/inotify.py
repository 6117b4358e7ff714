"""Wait until one of some files is written to: Linux's inotify, through the C library.

A few lines of `ctypes` rather than a library: `inotify_simple` finds the C library with
`ctypes.util.find_library`, which runs `/sbin/ldconfig -p` in a child process, and this is used
while a pool runs. `Writes()` raises OSError where there is no inotify (not Linux, or the
instances' limit reached); `watch` raises it at the watches' limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import select
from pathlib import Path
from typing import Any

IN_MODIFY = 0x2  # the file was written to (or truncated)
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC


@functools.cache
def _libc() -> Any:
    libc = ctypes.CDLL(None, use_errno=True)  # the C library poolctl runs on
    for name in ("inotify_init1", "inotify_add_watch", "inotify_rm_watch"):
        getattr(libc, name).restype = ctypes.c_int  # AttributeError where there is none
    libc.inotify_add_watch.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32)
    return libc


def _checked(result: int) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


class Writes:
    """The writes to the files watched: `wait` returns when one was written to since the last
    `wait` (at once if one was), or a watch was removed, or after `timeout`."""

    def __init__(self) -> None:
        try:
            libc = _libc()
        except (OSError, AttributeError) as exc:
            raise OSError(errno.ENOSYS, "inotify is not available here") from exc
        self._libc = libc
        self.fd = _checked(libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC))
        self._poll = select.poll()
        self._poll.register(self.fd, select.POLLIN)

    def watch(self, path: Path) -> int:
        """Watch `path` for writes; its watch's number."""
        return _checked(self._libc.inotify_add_watch(self.fd, os.fsencode(path), IN_MODIFY))

    def unwatch(self, watch: int) -> None:
        """Stop watching; a `wait` under way returns (the kernel's IN_IGNORED event)."""
        _checked(self._libc.inotify_rm_watch(self.fd, watch))

    def wait(self, timeout: float) -> bool:
        """Until a watched file is written to, or `timeout` seconds; True if it was. The events
        are read and dropped: the caller looks at the files themselves."""
        if not self._poll.poll(int(timeout * 1000)):
            return False
        # One read takes every event queued (a flood's writes are one event until it is
        # read). Not a loop until none is left: a flood queues a new one after every read,
        # and the caller would never get to look at its files.
        with contextlib.suppress(BlockingIOError):
            os.read(self.fd, 65536)
        return True

    def close(self) -> None:
        os.close(self.fd)
