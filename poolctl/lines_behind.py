"""Progress lines written to standard error by a thread of their own, so that a reader who does
not read (`poolctl run-scenario … 2>&1 | sleep 30`, a CI step's pipe nobody drains) blocks that
thread, never the run. A pool that printed its events itself stalled once the pipe was full: a
run of worker restarts stopped for 10.6 s until the reader went away, and a checkout timed out
meanwhile, a finding the pool did not cause. Lines past MOST_WAITING are dropped and counted,
and the count is said once the reader takes lines again. The writer uses the file descriptor
itself (`os.write`), holding no lock of the stream's: a thread still blocked in it when poolctl
exits costs nothing at the interpreter's end."""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from typing import IO

MOST_WAITING = 1000  # lines that wait for the reader; more are dropped
_END = None


def lines_behind(stream: IO[str] | None) -> LinesBehind | None:
    """`stream`'s lines written on a thread, or None when it has no file descriptor (a
    stream in memory: writing to it cannot block)."""
    try:
        fd = stream.fileno() if stream is not None else -1
    except (OSError, ValueError, AttributeError):  # io.UnsupportedOperation among them
        return None
    return LinesBehind(stream, fd) if stream is not None and fd >= 0 else None


class LinesBehind:
    """A text stream for a console (`write`, `flush`, `isatty`) whose lines go out on a thread."""

    def __init__(self, stream: IO[str], fd: int) -> None:
        self.stream = stream
        self._fd = fd
        self._lines: queue.Queue[str | None] = queue.Queue(MOST_WAITING)
        self._dropped = 0
        self._lock = threading.Lock()
        self._writer = threading.Thread(target=self._write_on, name="poolctl-stderr", daemon=True)
        self._writer.start()

    def write(self, text: str) -> int:
        try:
            self._lines.put_nowait(text)
        except queue.Full:  # the reader is behind: the run goes on without the line
            with self._lock:
                self._dropped += 1
        return len(text)

    def flush(self) -> None:
        """Nothing to do: the writer writes each line as soon as the reader takes it."""

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self._fd

    def close(self, wait: float = 0.5) -> None:
        """Let the writer end once the lines waiting are out (`wait` seconds at most: a reader
        still not reading keeps them)."""
        with contextlib.suppress(queue.Full):
            self._lines.put(_END, timeout=wait)
        self._writer.join(wait)

    def _write_on(self) -> None:
        with contextlib.suppress(OSError):  # the reader gone, or the stream closed: no more
            while (text := self._lines.get()) is not _END:
                with self._lock:
                    dropped, self._dropped = self._dropped, 0
                if dropped:
                    said = f"({dropped:,} progress lines dropped: standard error was not read)"
                    text = f"{said}\n{text}"
                self._write_all(text.encode("utf-8", "replace"))

    def _write_all(self, data: bytes) -> None:
        while data:
            data = data[os.write(self._fd, data) :]
