"""A wait on a worker's stdout that another thread can end early, saying why: the evidence that
settles why no answer comes arrived while the request was still awaited."""

from __future__ import annotations

import contextlib
import os
import threading


class WaitEnd:
    """The reason a wait ended early ("" while none), and the pipe that wakes the wait to say
    so (made on first use, closed by `close`; neither end blocks)."""

    def __init__(self) -> None:
        self.reason = ""
        self._lock = threading.Lock()
        self._pipe: tuple[int, int] | None = None
        self._closed = False

    def fd(self) -> int:
        """The end a wait polls along with stdout: readable once `end` is called."""
        with self._lock:
            return self._ends()[0]

    def end(self, reason: str) -> None:
        """End the wait on now (the first reason holds)."""
        with self._lock:
            if self.reason or self._closed:
                return
            self.reason = reason
            with contextlib.suppress(OSError):
                os.write(self._ends()[1], b"!")

    def renew(self) -> None:
        """A new wait: what ended an earlier one ends it no more."""
        with self._lock:
            self.reason = ""
            if self._pipe is not None:
                with contextlib.suppress(BlockingIOError):
                    os.read(self._pipe[0], 64)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._pipe is not None:
                for fd in self._pipe:
                    os.close(fd)
                self._pipe = None

    def _ends(self) -> tuple[int, int]:
        if self._pipe is None:
            self._pipe = os.pipe()
            for fd in self._pipe:
                os.set_blocking(fd, False)
        return self._pipe
