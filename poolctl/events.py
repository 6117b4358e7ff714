"""The pool's trace: every event with a monotonic time, kept in memory and written to events.jsonl.

Progress reaches the user through a small observer, so the core never prints (the CLI plugs a
rich live display or plain lines into it).
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import orjson  # ten times faster than json here: the pool emits five events per request


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
        body: dict[str, Any] = {"seq": self.seq, "t": round(self.t, 6), "type": self.type}
        if self.worker is not None:
            body["worker"] = self.worker
        if self.caller is not None:
            body["caller"] = self.caller
        if self.session is not None:
            body["session"] = self.session
        body.update(self.data)
        try:
            return orjson.dumps(body, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
        except TypeError:  # an integer over 64 bits, say: the standard library takes it
            return json.dumps(body, default=str)

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
    every 0.1 s by a background flusher) so the hot path stays cheap and a run killed
    mid-way loses at most a tenth of a second of its trace."""

    def __init__(self, path: Path | None = None, observers: list[Observer] | None = None) -> None:
        self.start = time.monotonic()
        self.events: list[Event] = []
        self.observers = list(observers or [])
        self._file: IO[str] | None = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115
        self._written = 0
        # experiments in fresh processes report from their own threads (and the pool's
        # diagnosis runs off the loop): one event at a time keeps `seq` unique and in order
        self._lock = threading.RLock()
        self._closed = threading.Event()
        if self._file is not None:
            flusher = threading.Thread(
                target=_flush_often, args=(weakref.ref(self), self._closed), daemon=True
            )
            flusher.start()

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
            event = Event(len(self.events) + 1, self.now(), type, worker, caller, session, data)
            self.events.append(event)
            for observer in self.observers:
                observer.on_event(event)
            if self._file is not None and len(self.events) - self._written >= FLUSH_EVENTS:
                self._flush()
        return event

    def flush(self) -> None:
        """Write what is not written yet (in batches, every 0.1 s, at the end)."""
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        if self._file is None:
            return
        pending = self.events[self._written :]
        if pending:
            self._file.write("".join(e.to_json() + "\n" for e in pending))
            self._file.flush()
            self._written += len(pending)

    def close(self) -> None:
        self._closed.set()
        self.flush()
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def of_type(self, *types: str) -> Iterator[Event]:
        return (e for e in self.events if e.type in types)


def _flush_often(trace: weakref.ref[Trace], closed: threading.Event) -> None:
    """Flush the trace every FLUSH_SECONDS until it is closed (or dropped unclosed)."""
    while not closed.wait(FLUSH_SECONDS):
        alive = trace()
        if alive is None:
            return
        alive.flush()
        del alive
