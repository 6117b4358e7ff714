"""A worker's stdout as it came: the first MiB kept with arrival times and on disk as it
arrives, the rest counted."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

TRANSCRIPT_LIMIT = 1024 * 1024  # raw stdout kept per worker; the rest is counted, not kept


class Transcript:
    """The first `limit` bytes a worker wrote to stdout, with arrival times; the rest is counted.

    Once `open`ed on a file, every byte kept is written there as it arrives: a poolctl killed
    mid-run still leaves what the worker wrote. A `deferred` transcript (the pool's) leaves
    the writing to its owner's `flush`, at most 0.1 s later, and to `close`."""

    def __init__(self, limit: int = TRANSCRIPT_LIMIT) -> None:
        self.limit = limit
        self.data = bytearray()
        self.total = 0
        self.chunks: list[tuple[float, int]] = []  # (monotonic time, offset) of each chunk kept
        self.deferred = False
        self._fd: int | None = None
        self._written = 0  # bytes of `data` on disk
        self._lock = threading.Lock()  # the pool flushes from its loop and closes from a thread

    def open(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        self.flush()

    def add(self, chunk: bytes, at: float) -> None:
        room = self.limit - len(self.data)
        if room > 0:
            self.chunks.append((at, len(self.data)))
            self.data += chunk[:room]
            if not self.deferred:
                self.flush()
        self.total += len(chunk)

    @property
    def unwritten(self) -> bool:
        return self._fd is not None and self._written < len(self.data)

    def flush(self) -> None:
        """Write what is kept and not on disk yet."""
        with self._lock:
            if self._fd is None or self._written >= len(self.data):
                return
            rest = bytes(self.data[self._written :])
            self._written = len(self.data)
            with contextlib.suppress(OSError):  # a full disk loses the copy, not the run
                view = memoryview(rest)
                while view:
                    view = view[os.write(self._fd, view) :]

    def close(self) -> None:
        self.flush()
        with self._lock:
            fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    @property
    def dropped(self) -> int:
        return self.total - len(self.data)
