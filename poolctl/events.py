"""The pool's trace: every event with a monotonic time, kept in memory and written to events.jsonl.

Progress reaches the user through a small observer, so the core never prints (the CLI plugs a
rich live display or plain lines into it).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import orjson  # ten times faster than json here: the pool emits five events per request

LINE_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE


@dataclass(slots=True)
class Event:
    """One thing that happened: `t` is seconds since the trace began (monotonic clock).

    Not frozen: a frozen dataclass costs twice as much to create, and the pool emits five
    events per request.
    """

    seq: int
    t: float
    type: str
    worker: str | None = None
    caller: str | None = None
    session: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return self.json_line().decode().rstrip("\n")

    def json_line(self) -> bytes:
        """The event as one line of events.jsonl, newline included."""
        body: dict[str, Any] = {"seq": self.seq, "t": round(self.t, 6), "type": self.type}
        if self.worker is not None:
            body["worker"] = self.worker
        if self.caller is not None:
            body["caller"] = self.caller
        if self.session is not None:
            body["session"] = self.session
        body.update(self.data)
        try:
            return orjson.dumps(body, default=str, option=LINE_OPTIONS)
        except TypeError:  # an integer over 64 bits, say: the standard library takes it
            return (json.dumps(body, default=str) + "\n").encode()

    @property
    def ref(self) -> str:
        """How evidence cites this event."""
        return f"events.jsonl #{self.seq} (t={self.t:.3f} s)"


class Observer(Protocol):
    """Receives every event as it happens (progress display, tests)."""

    def on_event(self, event: Event) -> None: ...


FLUSH_EVENTS = 64  # the trace reaches its file after at most this many events…
FLUSH_SECONDS = 0.1  # …or this long: a poolctl killed mid-run leaves its trace on disk


class Trace:
    """Records events; writes them to a JSONL file in small batches (every 64 events, and
    0.1 s after an event by a background flusher, which sleeps while nothing waits) so the
    hot path stays cheap and a run killed mid-way loses at most a tenth of a second of its
    trace."""

    def __init__(
        self,
        path: Path | None = None,
        observers: list[Observer] | None = None,
        *,
        keep: bool = True,
        let_go: frozenset[str] = frozenset(),
    ) -> None:
        self.start = time.monotonic()
        # every event, for a reader of the run (the scenario's classifier); with `keep` False
        # (a ping's, a doctor's trace: read back from the file) those written are let go, so
        # `ping --count 200000` does not hold 600,000 events
        self.events: list[Event] = []
        self.keep = keep or path is None
        # with `keep`, the types let go all the same once written (a scenario's routine
        # per-request events, which its classifier only counts): their count and last event stay
        self.let_go = let_go if path is not None else frozenset()
        self.let_go_counts: dict[str, int] = {}
        self.last_let_go: dict[str, Event] = {}
        self._count = 0
        self.observers = list(observers or [])
        self._file: IO[bytes] | None = open(path, "ab") if path else None  # noqa: SIM115
        self._written = 0
        # experiments in fresh processes report from their own threads (and the pool's
        # diagnosis runs off the loop): one event at a time keeps `seq` unique and in order
        self._lock = threading.RLock()
        self._closed = threading.Event()
        self._waiting = threading.Event()  # set while events wait to be written
        self._flush_due = False  # the same, read without a lock on the hot path
        self._held: dict[str, Any] | None = None  # a signal's event, waiting for the lock
        # why the file could not be written (a full disk, a file-size limit), while a pool's
        # run set `on_write_error`: raised by `close`, not by `emit`, which runs in the pool's
        # callbacks (asyncio would print the error and run on); the run is told to end
        self.write_error: OSError | None = None
        self.on_write_error: Callable[[], object] | None = None
        self._flusher: threading.Thread | None = None
        if self._file is not None:
            weakref.finalize(self, _stop_flusher, self._closed, self._waiting)
            self._flusher = threading.Thread(
                target=_flush_often,
                args=(weakref.ref(self), self._closed, self._waiting),
                daemon=True,
            )
            self._flusher.start()

    def now(self) -> float:
        return time.monotonic() - self.start

    def emit(
        self,
        type: str,
        worker: str | None = None,
        caller: str | None = None,
        session: str | None = None,
        **data: Any,
    ) -> Event:
        with self._lock:
            events = self.events
            seq = self._count = self._count + 1
            event = Event(seq, time.monotonic() - self.start, type, worker, caller, session, data)
            events.append(event)
            if self.observers:
                for observer in self.observers:
                    observer.on_event(event)
            if self._file is not None:
                if len(events) - self._written >= FLUSH_EVENTS:
                    self._flush()
                elif not self._flush_due:
                    self._flush_due = True
                    self._waiting.set()  # the flusher writes it within FLUSH_SECONDS
        if self._held is not None:
            self._emit_held()
        return event

    def interrupted(self, signal_name: str, at: float) -> None:
        """Record the signal that cut the run short, from its handler: that runs on the main
        thread between two of its steps, maybe in the middle of this trace's own `emit` or
        flush, which it must not re-enter; then the event waits until the main thread lets
        go of the trace (another thread's hold is only waited for)."""
        if self._closed.is_set():
            return
        data: dict[str, Any] = {"signal": signal_name, "at": round(max(0.0, at - self.start), 6)}
        if self._lock._is_owned():  # type: ignore[attr-defined]  # held by this very thread
            self._held = data
        else:
            self.emit("interrupted", **data)
            self.flush()  # the run ends soon, maybe before the flusher's next write

    def _emit_held(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            self.emit("interrupted", **held)
            self.flush()

    def flush(self, timeout: float = -1) -> None:
        """Write what is not written yet (in batches, every 0.1 s, at the end); with a
        `timeout`, not if another thread holds the trace that long."""
        if not self._lock.acquire(timeout=timeout):
            return
        try:
            self._flush()
        finally:
            self._lock.release()
        if self._held is not None:
            self._emit_held()

    def _flush(self) -> None:
        if self._file is None:
            return
        pending = self.events[self._written :]
        self._flush_due = False
        if not self._closed.is_set():  # once closed, the flusher must see it and end
            self._waiting.clear()
        if pending and self.write_error is None:
            try:
                self._file.write(b"".join([e.json_line() for e in pending]))
                self._file.flush()
            except OSError as exc:
                if self.on_write_error is None:  # said by the command that wrote (ping, doctor)
                    raise
                # a pool's run: the events stay in memory; the run ends, then says so
                self.write_error = exc
                with contextlib.suppress(RuntimeError):  # its loop has closed: ending
                    self.on_write_error()
                return
            self._written += len(pending)
            if not self.keep:
                del self.events[: self._written]
                self._written = 0
            elif self.let_go:
                self._let_go(pending)

    def _let_go(self, written: list[Event]) -> None:
        """Drop the events of the `let_go` types among those just written, counted."""
        kept = []
        counts, last = self.let_go_counts, self.last_let_go
        for event in written:
            if event.type in self.let_go:
                counts[event.type] = counts.get(event.type, 0) + 1
                last[event.type] = event
            else:
                kept.append(event)
        if len(kept) < len(written):
            del self.events[self._written - len(written) :]
            self.events.extend(kept)
            self._written = len(self.events)

    def close(self) -> None:
        with self._lock:
            _stop_flusher(self._closed, self._waiting)
        self.flush()
        with self._lock:
            if self._file is not None:
                self._flush()  # an event a signal's handler held while the flush above ran
                with contextlib.suppress(OSError):  # what could not be written: said below
                    self._file.close()
                self._file = None
        flusher = self._flusher
        if flusher is not None and flusher is not threading.current_thread():
            # ended with the trace: a thread left behind, even for a moment, keeps the process
            # from forking (`forked.can_fork`: a triage after it in the same process)
            flusher.join(timeout=1.0)
        if self.write_error is not None:
            raise self.write_error

    @property
    def count(self) -> int:
        """How many events the trace has recorded (those let go included)."""
        return self._count

    def count_of(self, type: str) -> int:
        """How many events of `type` were recorded, held or let go."""
        held = sum(1 for e in self.events if e.type == type)
        return held + self.let_go_counts.get(type, 0)

    def of_type(self, *types: str) -> Iterator[Event]:
        return (e for e in self.events if e.type in types)


def _flush_often(
    trace: weakref.ref[Trace], closed: threading.Event, waiting: threading.Event
) -> None:
    """Flush the trace FLUSH_SECONDS after events begin to wait, until it is closed (or
    dropped unclosed); while nothing waits, sleep."""
    while True:
        waiting.wait()
        if closed.wait(FLUSH_SECONDS):
            return
        alive = trace()
        if alive is None:
            return
        try:
            alive.flush()
        except OSError:  # a full disk: the command's own next write meets it, and says so
            return
        del alive


def _stop_flusher(closed: threading.Event, waiting: threading.Event) -> None:
    closed.set()
    waiting.set()
