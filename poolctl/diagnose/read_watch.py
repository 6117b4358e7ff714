"""When a worker took its first request off its stdin pipe, watched while doctor waits for its
answer, and while ping's diagnosis first looks at a worker whose request lay unread at its
timeout (`FIONREAD` on the pipe, sampled every few milliseconds): a start-up that is over once
the request is read, and an answer slow to come after it, are told apart. A worker already
waiting on its stdin takes the request within a sample of its write: a pipe found empty after
the write is read then."""

from __future__ import annotations

import threading
import time
from types import TracebackType

from poolctl.pipe_fill import unread_bytes
from poolctl.worker import WorkerProcess

EVERY = 0.005  # seconds between samples: the request waits in the pipe while the worker starts


class ReadWatch:
    """`read_at`: seconds after spawn when the request, written or seen waiting in the pipe,
    was gone from it (None when it was never read)."""

    def __init__(self, worker: WorkerProcess) -> None:
        assert worker.proc is not None and worker.proc.stdin is not None
        self._fd = worker.proc.stdin.fileno()
        self._worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="ping-read-watch", daemon=True)
        self.read_at: float | None = None

    def __enter__(self) -> ReadWatch:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        waiting = False
        began = time.monotonic()  # a request written before the watch is no longer its own
        while not self._stop.wait(EVERY):
            sampled = time.monotonic()
            unread = unread_bytes(self._fd)
            if unread is None:
                return
            if unread:
                waiting = True
            elif waiting or began < self._worker.request_written < sampled:
                self.read_at = self._worker.elapsed()
                return
