"""A run's trace (`events.jsonl`) read for its pictures in bounded memory, whatever its size.

The report step used to read the file whole: a trace of a long run is gigabytes, and a trace
that is no file at all (linked to `/dev/full` or `/dev/zero`, whose reads never end) grew
poolctl until the kernel's OOM killer ended it. Only a regular file is read, up to the size it
had when opened; past `MAX_EVENTS` its first half and its last half are kept (the start and the
end of the run, where a failure usually is), and what was left out is said.
"""

from __future__ import annotations

import os
import stat
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from poolctl.units import fmt_bytes

MAX_EVENTS = 50_000  # kept for the pictures: about 110 MB at peak drawing them, whatever the size
MAX_LINE = 1 << 20  # a longer line is no event poolctl wrote: skipped, not held
CHUNK = 1 << 16


@dataclass
class TraceRead:
    """The events kept, and what a note must say about the rest."""

    events: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0  # bytes of the file when it was opened
    skipped_bytes: int = 0  # between the first half and the last half
    first_left_out: int | None = None  # seq numbers of the gap, when the events carry them
    last_left_out: int | None = None
    refused: str = ""  # why the file was not read at all
    kept: int = MAX_EVENTS  # the most events read

    def note(self, name: str) -> str:
        """One line for the report's notes; empty when every event was read."""
        if self.refused:
            return f"{name} was not read for the run's pictures: {self.refused}"
        if not self.skipped_bytes:
            return ""
        which = ""
        if self.first_left_out is not None and self.last_left_out is not None:
            which = f" (events #{self.first_left_out:,} to #{self.last_left_out:,})"
        first, last = self.kept - self.kept // 2, self.kept // 2
        return (
            f"{name} is {fmt_bytes(self.size)}: the timeline and trace.json are drawn from its "
            f"first {first:,} and last {last:,} events; {fmt_bytes(self.skipped_bytes)} between "
            f"them{which} were left out of the pictures (the file itself is whole)"
        )


def _event(line: bytes) -> dict[str, Any] | None:
    try:
        event = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None  # a run cut short as it wrote, or junk: skipped
    if isinstance(event, dict) and isinstance(event.get("t"), int | float):
        return event
    return None


def _lines(f: IO[bytes], end: int) -> Any:
    """(offset, line) up to byte `end`; a line longer than MAX_LINE is passed over in chunks,
    never held."""
    pos = f.tell()
    while pos < end:
        line = f.readline(min(MAX_LINE, end - pos))
        if not line:
            return
        start, pos = pos, pos + len(line)
        if len(line) == MAX_LINE and not line.endswith(b"\n"):
            while pos < end:  # the rest of the long line
                rest = f.readline(min(CHUNK, end - pos))
                if not rest:
                    return
                pos += len(rest)
                if rest.endswith(b"\n"):
                    break
            continue
        yield start, line


def read_trace(path: Path, max_events: int | None = None) -> TraceRead:
    """The events of `path` for the pictures, at most `max_events` (`MAX_EVENTS`) of them."""
    max_events = max_events or MAX_EVENTS
    out = TraceRead(kept=max_events)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO nobody writes: not waited on
    except FileNotFoundError:
        return out
    except OSError as exc:
        out.refused = f"cannot open it: {exc.strerror or exc}"
        return out
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            out.refused = "it is not a regular file (a device or a pipe, whose reads may never end)"
            return out
        out.size = end = info.st_size  # what a writer adds meanwhile is not waited for
        head = max_events - max_events // 2
        for _, line in _lines(f, end):
            event = _event(line)
            if event is not None:
                out.events.append(event)
                if len(out.events) >= head:
                    break
        if f.tell() >= end:
            return out
        _read_tail(f, end, max_events - head, out)
    return out


def _read_tail(f: IO[bytes], end: int, keep: int, out: TraceRead) -> None:
    """The last `keep` events, read from a start guessed from the first half's line length
    (moved back while it holds too few), and the gap between the halves."""
    head_end = f.tell()
    back = max(1, head_end // max(1, len(out.events))) * keep * 2
    while True:
        start = max(head_end, end - back)
        f.seek(start)
        if start > head_end:
            f.readline(MAX_LINE)  # the rest of the line the seek fell in
        tail: deque[dict[str, Any]] = deque(maxlen=keep)
        offsets: deque[int] = deque(maxlen=keep)  # where each kept event begins
        seen = 0
        for offset, line in _lines(f, end):
            event = _event(line)
            if event is not None:
                tail.append(event)
                offsets.append(offset)
                seen += 1
        if len(tail) >= keep or start == head_end:
            break
        back *= 4
    if not tail:
        return
    if start > head_end or seen > keep:  # else every event after the first half is kept
        out.skipped_bytes = offsets[0] - head_end
    last_head = out.events[-1].get("seq") if out.events else None
    first_tail = tail[0].get("seq")
    if isinstance(last_head, int) and isinstance(first_tail, int) and first_tail > last_head + 1:
        out.first_left_out, out.last_left_out = last_head + 1, first_tail - 1
    out.events.extend(tail)
