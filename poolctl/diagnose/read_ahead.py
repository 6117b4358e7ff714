"""A worker that reads its stdin on a thread of its own while its main thread does something
else: the reader takes each whole request out of the pipe, hands it on, and goes back to its
read. Its stdin pipe then shows the request taken (FIONREAD 0) and a thread blocked reading
for more, whether the request was cut short or handed to a main thread still starting (or
handling it slowly): the pipe and the read cannot tell these apart. Said only when the main
thread is busy with something of its own (asleep, or on a CPU): a main thread waiting in a
lock or queue, as a JVM's launcher thread or a consumer of the reader's queue does, waits on
the reader, and the read means what it means for a single thread."""

from __future__ import annotations

from .live import Live
from .procinfo import SLEEPS

# the main thread's calls that show it busy with work of its own, not waiting on the reader
_BUSY = SLEEPS | {"running", "not in a system call"}


def read_ahead(live: Live) -> str:
    """In words, the thread that reads the worker's stdin ahead of a busy main thread (`thread
    31 of pid 30 (python3), not its main thread, is blocked in read(fd 0 = pipe:[9]) while its
    main thread is sleeping in clock_nanosleep`); empty when the stdin reader is the main
    thread, or the main thread waits (on the reader, or on anything else)."""
    wait = live.stdin_wait()
    if wait is None or not wait.target or wait.thread.tid == wait.process.pid:
        return ""
    process, main = wait.process, wait.process.main
    if main is None or main.syscall is None or main.syscall.name not in _BUSY:
        return ""
    if main.syscall.name in SLEEPS:
        doing = f"sleeping in {main.syscall.name}"
    else:
        doing = "running on a CPU"
    reader = wait.thread.syscall.describe(process.fds) if wait.thread.syscall else "a read"
    return (
        f"thread {wait.thread.tid} of pid {process.pid} ({process.comm}), not its main "
        f"thread, is blocked in {reader} while its main thread is {doing}"
    )
