"""A worker's stderr log held to a bounded size on disk while the worker writes to it.

The worker writes to its file by file descriptor (no pipe: it never blocks on poolctl), so a
flood there once filled 11 GB in 18 s. Past `POOLCTL_STDERR_CAP` bytes on disk (128 MiB by
default) the middle of the file is punched out (`fallocate(FALLOC_FL_PUNCH_HOLE |
FALLOC_FL_KEEP_SIZE)`): the first half of the cap stays, and the latest half; the file's size
stays the count of bytes the worker wrote, and the dropped range is a hole, which every reader
skips (`poolctl.holes`). The caps are checked every `CHECK_EVERY` seconds while their workers
run (by a thread that sleeps in between: a diagnosis dumps stacks and starts experiments for
seconds on end, and checks in the waits on stdout alone let a flood write 3.4 GB), and once
more when each has stopped. Between writes the thread sleeps until a log is written to
(inotify, Linux): a pool whose workers write nothing to stderr is not woken 50 times a second.
Where the filesystem refuses to punch a hole, the worker is stopped instead (SIGKILL to its
process group), and that is said: the disk stays bounded either way, and the report says what
was dropped.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from poolctl.inotify import Writes
from poolctl.units import bytes_from_env, fmt_bytes, fmt_seconds

if TYPE_CHECKING:
    from poolctl.events import Trace

CAP_ENV = "POOLCTL_STDERR_CAP"
DEFAULT_CAP = 128 * 1024 * 1024  # the first 64 MiB and the last 64 MiB
LEAST_CAP = 1024 * 1024  # each half still holds the quotes poolctl reads (16 KiB at either end)
MOST_CAP = 1024**4
# Seconds between two checks, a quarter of it while a log is past its cap: a flood of 2.7 GB/s
# peaked at 186-214 MiB on disk under the 128 MiB cap (256-269 MiB checked every 20 ms).
CHECK_EVERY = 0.02
# Seconds the thread sleeps while no log is written to, where inotify says when one is (a
# safety net only: where it cannot, or a log could not be watched, it checks every CHECK_EVERY)
IDLE_CHECK = 0.25
FALLOC_FL_KEEP_SIZE = 1
FALLOC_FL_PUNCH_HOLE = 2


@functools.cache
def _fallocate() -> Callable[[int, int, int, int], int] | None:
    """libc's `fallocate`, or None where there is none (not Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the C library poolctl runs on
        call = libc.fallocate
    except (OSError, AttributeError):
        return None
    call.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64)
    call.restype = ctypes.c_int
    return call


def punch_hole(fd: int, start: int, length: int) -> None:
    """Free the disk behind `[start, start + length)` of `fd`, its size kept; OSError if the
    filesystem (or the system) cannot."""
    call = _fallocate()
    if call is None:
        raise OSError(95, "fallocate is not available here")
    if call(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, start, length) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _inotify() -> Writes | None:
    """What tells of writes to the logs, or None where nothing can (not Linux, or inotify's
    limit reached): the caps are then checked by the clock."""
    try:
        return Writes()
    except OSError:
        return None


@dataclass
class Dropped:
    """What a cap did: the range punched out, or the worker stopped because it could not."""

    at: float  # monotonic: when the cap was first reached
    start: int = 0  # `[start, end)` dropped, 0-0 when nothing was
    end: int = 0
    refused: str = ""  # why the filesystem would not punch a hole: the worker was stopped


class StderrCap:
    """The cap on one stderr log: `check` it often while its worker runs, `close` it at the
    end (a last check, once the worker has stopped writing)."""

    def __init__(self, path: Path, cap: int, started: float) -> None:
        self.path = path
        self.cap = cap
        self.started = started  # monotonic: the spawn
        self.closed = False
        self.pid: int | None = None  # the worker's process group, stopped if no hole can be made
        self.stopped = False  # that group was sent SIGKILL
        self.size = 0  # bytes written, as last seen
        self.last_seen = started
        self.dropped: Dropped | None = None
        self.on_capped: Callable[[StderrCap], None] | None = None  # its trace's event
        self.announced = False  # that event was emitted
        self.watch: int | None = None  # its inotify watch, while it is checked
        self._lock = threading.Lock()

    def check(self) -> bool:
        """Punch out what lies past the cap's first half and before its last half; True if
        the log was past its cap."""
        if self.closed or not self._lock.acquire(blocking=False):
            return False  # closed, or another thread is checking it now
        try:
            return self._check()
        finally:
            self._lock.release()

    def _check(self) -> bool:
        st = os.stat(self.path)  # no descriptor held: a pool of many workers may be near its limit
        self.size, self.last_seen = st.st_size, time.monotonic()
        before = self.dropped
        if before is not None and before.refused:
            self._stop_worker()  # again: a refusal seen before the spawn gave its pid
            return False
        if st.st_blocks * 512 <= self.cap:
            return False
        block = st.st_blksize or 4096
        head = -(-(self.cap // 2) // block) * block
        start = before.end if before is not None else head
        end = (st.st_size - self.cap // 2) // block * block
        if end <= start:
            return True
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CLOEXEC)
        except OSError:  # no descriptor to spare now (a pool at its limit): the next check
            return True
        dropped = self.dropped = before or Dropped(self.last_seen, head, head)
        try:
            punch_hole(fd, start, end - start)
            dropped.end = end
        except OSError as exc:
            dropped.refused = exc.strerror or str(exc)
            self._stop_worker()
        finally:
            os.close(fd)
        self._announce()
        return True

    def _announce(self) -> None:
        """The trace's event, once: when the cap is reached, or when the trace is given if the
        cap was reached before (a flood between the spawn and the trace's `spawned`)."""
        if self.dropped is not None and self.on_capped is not None and not self.announced:
            self.announced = True
            self.on_capped(self)

    def _stop_worker(self) -> None:
        """SIGKILL to the worker's process group, once its pid is known."""
        if self.pid is not None and not self.stopped:
            self.stopped = True
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)

    def traced(self, trace: Trace, worker: str) -> None:
        """When the cap is reached, a `stderr_capped` event of `worker` goes to `trace`."""

        def emit(cap: StderrCap) -> None:
            d = cap.dropped
            assert d is not None
            trace.emit(
                "stderr_capped",
                worker=worker,
                log=f"{cap.path.parent.name}/{cap.path.name}",
                written=cap.size,
                cap=cap.cap,
                dropped=[d.start, d.end],
                refused=d.refused or None,
            )

        with self._lock:  # not between a check's punch and its `_announce`
            self.on_capped = emit
            self._announce()

    def close(self) -> None:
        """The last check: its worker has stopped writing."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            with contextlib.suppress(OSError):
                self._check()

    def note(self) -> str:
        """What the report says of it: what was dropped, or why the worker was stopped."""
        assert self.dropped is not None
        name = f"{self.path.parent.name}/{self.path.name}"
        wrote = (
            f"the worker wrote {fmt_bytes(self.size)} ({self.size:,} bytes) to stderr by "
            f"{fmt_seconds(self.last_seen - self.started)} after it started"
        )
        setting = f"{CAP_ENV}={fmt_bytes(self.cap)}"
        if self.dropped.refused:
            return (
                f"{name}: {wrote}; past {setting} the filesystem refused to punch a hole in "
                f"it ({self.dropped.refused}), so poolctl stopped the worker (SIGKILL) "
                f"{fmt_seconds(self.dropped.at - self.started)} after it started; every byte "
                "it wrote is kept"
            )
        d = self.dropped
        return (
            f"{name}: {wrote}; bytes {d.start:,}-{d.end:,} ({fmt_bytes(d.end - d.start)}) were "
            f"dropped to bound the disk ({setting}); the first {fmt_bytes(d.start)} and the "
            f"last {fmt_bytes(self.size - d.end)} are kept"
        )

    @property
    def said(self) -> bool:
        """Something was dropped, or the worker stopped: the report says so."""
        d = self.dropped
        return d is not None and (d.end > d.start or bool(d.refused))

    def summary(self) -> dict[str, object]:
        """For the worker's summary in report.json."""
        d = self.dropped
        return {
            "stderr_bytes": self.size,
            "stderr_bytes_dropped": [d.start, d.end] if d and d.end > d.start else None,
            "stderr_cap_refused": d.refused if d and d.refused else None,
        }


class StderrCaps:
    """The capped stderr logs of one run, each checked every `CHECK_EVERY` seconds while its
    worker writes to it, by one thread that sleeps in between (until a log is written to, where
    inotify tells) and ends with the last of them."""

    def __init__(self) -> None:
        self.all: list[StderrCap] = []
        self._live: list[StderrCap] = []
        self._cap: int | None = None
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._inotify: Writes | None = None  # the watcher's: made with it, closed as it ends

    def setting(self) -> int:
        """`POOLCTL_STDERR_CAP`, read once a run (a bad value: UsageProblem, exit 2): the
        commands that start workers read it first, so that no worker start fails on it."""
        if self._cap is None:
            self._cap = bytes_from_env(CAP_ENV, DEFAULT_CAP, LEAST_CAP, MOST_CAP)
        return self._cap

    def open(self, path: Path) -> StderrCap:
        """The cap on the log at `path` (made if need be), checked from now on."""
        cap = StderrCap(path, self.setting(), time.monotonic())
        with contextlib.suppress(OSError):  # made now, so that it can be watched from the start
            path.touch()
        with self._lock:
            self.all.append(cap)
            self._live.append(cap)
            if self._watcher is None:
                self._inotify = _inotify()
                self._watcher = threading.Thread(
                    target=self._watch, name="poolctl-stderr-cap", daemon=True
                )
                self._watcher.start()
            if self._inotify is not None:
                with contextlib.suppress(OSError):  # (the watches' limit: checked by the clock)
                    cap.watch = self._inotify.watch(path)
        return cap

    def close(self, cap: StderrCap | None) -> None:
        """`cap`'s log is complete (its worker stopped, or never started): its last check."""
        if cap is None:
            return
        cap.close()
        with self._lock, contextlib.suppress(ValueError):
            self._live.remove(cap)
            if cap.watch is not None and self._inotify is not None:
                with contextlib.suppress(OSError):  # wakes the thread: it may be the last
                    self._inotify.unwatch(cap.watch)
                cap.watch = None

    def close_all(self) -> None:
        """The end of the run: every log still checked, complete."""
        with self._lock:
            live = list(self._live)
        for cap in live:
            self.close(cap)

    def _watch(self) -> None:
        while True:
            with self._lock:
                live = list(self._live)
                if not live:
                    self._watcher = None
                    if self._inotify is not None:
                        self._inotify.close()
                        self._inotify = None
                    return
                changes = self._inotify
                if any(cap.watch is None for cap in live):
                    changes = None  # a log not watched: checked by the clock
            flooded = False
            for cap in live:
                with contextlib.suppress(OSError):
                    flooded = cap.check() or flooded
            time.sleep(CHECK_EVERY / 4 if flooded else CHECK_EVERY)  # a flood: sooner
            if changes is not None and not flooded:
                # until a log is written to (at once if one was during the sleep), or a log's
                # watch is removed as its worker ends
                with contextlib.suppress(OSError):
                    changes.wait(IDLE_CHECK)

    def notes(self, folder: Path) -> list[str]:
        """What the caps of the logs under `folder` dropped (or stopped), one line each."""
        return [c.note() for c in self.all if c.said and folder in c.path.parents]
