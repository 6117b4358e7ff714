"""Logs as log collectors store them: one JSON object a line, the runner's line in one field.

Docker's json-file driver writes `{"log":"text\\n","stream":"stdout","time":"…"}` for each line
a container printed; a Kubernetes node's log shipper (fluent-bit, fluentd) keeps the same `log`
with `kubernetes: {…}` beside it; `journalctl -o json` gives each entry's `MESSAGE` (a list of
byte values where the text holds control bytes: a coloured runner's ESC; none for an empty
line); Loki's `logcli query --forward --output jsonl` a `line` (without `--forward`, logcli
lists the newest line first: the run is read backwards). Such an input, told by its first
lines (each one such object), is read as its text: each record's text is one line, so that
every line number the report gives is the wrapped file's. A record's text that holds a
newline (no driver above splits one so) is joined into one line with spaces. A line that is no
such record (a blank line, a line the collector cut) is read as it is.
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO

from poolctl import json_text

# each collector's field of the line's text: Docker and the Kubernetes shippers, journald, Loki
FIELDS = ("log", "MESSAGE", "line")
SAMPLE = 16  # the first lines that must all be records for an input to be read as wrapped
CHUNK = 1 << 20  # bytes of the wrapped input read at a time


def text_of(line: bytes) -> bytes | None:
    """The runner's text a record line holds (no line end), or None when it is no record."""
    if not line.startswith(b"{"):
        return None
    try:
        record = json_text.loads(line)
    except ValueError:  # (UnicodeDecodeError is one)
        return None
    return _record_text(record)


def _record_text(record: Any) -> bytes | None:
    """The text a parsed record holds (no line end), or None when it is no record."""
    if not isinstance(record, dict):
        return None
    for field in FIELDS:
        value = record.get(field)
        if isinstance(value, str):
            text = value.encode("utf-8", "surrogatepass")
            break
        if isinstance(value, list) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
            text = bytes(value)  # journald's MESSAGE with control bytes in it
            break
    else:
        if "__CURSOR" not in record:
            return None
        text = b""  # a journal entry with no MESSAGE: an empty line the runner printed
    if text.endswith(b"\n"):
        text = text[:-1]
    if text.endswith(b"\r"):
        text = text[:-1]
    return text.replace(b"\r\n", b" ").replace(b"\n", b" ") if b"\n" in text else text


def wrapped(head: bytes) -> bool:
    """Whether an input starting with `head` is a collector's JSON lines: its first complete
    lines (up to `SAMPLE`, blank ones aside) are all records."""
    if head.lstrip()[:1] != b"{":
        return False  # (most inputs: the 1 MB head is not split into lines)
    lines = [line for line in head.split(b"\n", SAMPLE * 2)[:-1] if line.strip()][:SAMPLE]
    return bool(lines) and all(text_of(line.rstrip(b"\r")) is not None for line in lines)


class Unwrapped(io.RawIOBase):
    """A collector's JSON lines read as the text they hold, line for line."""

    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self._pending = memoryview(b"")
        self._tail = b""
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._ended:
            data = self.source.read(CHUNK)
            self._ended = not data
            data = self._tail + data
            cut = len(data) if self._ended else data.rfind(b"\n") + 1
            self._tail = data[cut:]
            self._pending = memoryview(_unwrap(data[:cut]))
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _unwrap(data: bytes) -> bytes:
    """Whole lines of records, as the lines of text they hold: parsed as one JSON array when
    every line is a record (one call for a chunk: line by line took 9 µs a line), else line by
    line."""
    lines = data.split(b"\n")
    tail = lines.pop()  # empty when `data` ends with a newline
    if lines and tail == b"" and all(line[:1] == b"{" for line in lines):
        try:
            records = json_text.loads(b"[" + b",".join(lines) + b"]")
        except ValueError:  # a line that is no JSON (or not UTF-8): each on its own
            records = None
        texts = [_record_text(r) for r in records] if records is not None else [None]
        if None not in texts:
            return b"\n".join(t for t in texts if t is not None) + b"\n"
    return _by_line(data)


def _by_line(data: bytes) -> bytes:
    """`_unwrap`, a line at a time: a line that is no record is read as it is."""
    out = []
    for line in data.splitlines(keepends=True):
        body = line.rstrip(b"\r\n")
        text = text_of(body)
        out.append(line if text is None else text + line[len(body) :].replace(b"\r", b""))
    return b"".join(out)


def unwrapped(stream: BinaryIO) -> BinaryIO:
    """`stream` itself, or, when its first lines are a collector's records, their text."""
    peek = getattr(stream, "peek", None)
    if peek is None or not wrapped(bytes(peek(CHUNK))):
        return stream
    return io.BufferedReader(Unwrapped(stream), CHUNK)
