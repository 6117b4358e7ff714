"""Writing a request to a worker's stdin pipe: all of it before a deadline, draining its stdout
while the pipe is full (so that neither side blocks the other), and counting what a closed pipe
(EPIPE: the worker closed its stdin or exited) or the deadline left unwritten."""

from __future__ import annotations

import errno
import os
import select
import time
from collections.abc import Callable


def write_all(
    fd: int,
    data: bytes,
    deadline: float,
    stdout_fd: int,
    read_stdout: Callable[[float], object],
    given_up: Callable[[], bool] | None = None,
) -> tuple[int, int]:
    """Write `data` to `fd` before `deadline` (monotonic), reading the worker's stdout
    (`read_stdout(0)`) whenever `stdout_fd` is readable while `fd` is full, and looking at
    `given_up` every 50 ms then; the bytes written, and those left unwritten (0: all went in)."""
    view = memoryview(data)
    written = 0
    while view:
        try:
            n = os.write(fd, view)
            view = view[n:]
            written += n
            continue
        except BlockingIOError:
            pass
        except (BrokenPipeError, OSError) as exc:
            if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
                return written, len(view)  # no reader: it closed its stdin or exited
            raise
        remaining = deadline - time.monotonic()
        if remaining <= 0 or (given_up is not None and given_up()):
            return written, len(view)
        if given_up is not None:
            remaining = min(remaining, 0.05)
        readable, _, _ = select.select([stdout_fd], [fd], [], remaining)
        if readable:
            read_stdout(0)
    return written, 0
