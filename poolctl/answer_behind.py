"""The answer right behind stray output: what a tolerant client (one that skips what is no
message) reads on to once the stream broke on text.

It is a whole message of the protocol, carrying the request's id, whose frame begins where the
stray bytes end: at a following line in line framing, at a following frame boundary (a
Content-Length header, a length header whose frame holds JSON) otherwise. The request's id found
anywhere is not enough: it is in an answer pretty-printed over lines, in an answer written in
another framing, in a log line quoting a reply, none of which a client reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from poolctl.errors import ProtocolError
from poolctl.framing import ERROR_CONTEXT, Framing, quote
from poolctl.protocol import Response, StrayOutput, parse_message

if TYPE_CHECKING:
    from poolctl.worker import WorkerProcess

SCANNED = ERROR_CONTEXT  # bytes behind the text looked through for where the answer begins
MAX_HEADERS = 64  # Content-Length headers tried (each decodes the rest of the stream)


@dataclass(frozen=True)
class Behind:
    """The answer's frame, found behind the stray bytes starting at `text_at`."""

    text_at: int  # where the stray bytes start in stdout
    at: int  # where the answer's frame starts
    frame: bytes  # the answer's frame, header (or newline) included
    framing: Framing
    text_lines: int  # lines the stray bytes before it end (line framing)
    head: int = 0  # bytes of its header (quoted whole, before its message's first bytes)

    @property
    def where(self) -> str:
        """Where its frame begins, in words."""
        if self.framing.is_line:
            lines = self.text_lines
            return "on the next line" if lines == 1 else f"after {lines} lines of text"
        noun = "Content-Length header" if self.framing.kind == "content-length" else "frame"
        return f"whose {noun} begins {self.at - self.text_at} bytes after the text did"

    def sentence(self) -> str:
        """The evidence: the whole message, quoted, where it is."""
        return (
            f"its answer arrived right behind the text, a whole message {self.where}: "
            f"{quote(self.frame, self.head + 100)}: the text alone broke the stream"
        )

    def span(self) -> str:
        return f"bytes {self.at}-{self.at + len(self.frame) - 1}"


def answer_behind(
    data: bytes, text_at: int, framing: Framing, request_id: Any, envelope: str
) -> Behind | None:
    """The answer to `request_id` as a whole message beginning where the stray bytes that start
    at `text_at` end, or None."""
    end = min(len(data), text_at + SCANNED)
    for at in _boundaries(data, text_at, end, framing):
        frame, payload = _frame_at(data, at, framing)
        if payload is not None and _answers(payload, request_id, envelope):
            head = len(frame) - len(payload) if not framing.is_line else 0
            return Behind(text_at, at, frame, framing, data.count(b"\n", text_at, at), head)
    return None


def behind_stray(worker: WorkerProcess, request_id: Any, envelope: str) -> Behind | None:
    """The answer right behind what broke `worker`'s stream (None: it broke on no stray
    output, or no whole answer came behind it)."""
    error = worker.frame_error
    data = bytes(worker.transcript.data)
    if isinstance(error, StrayOutput):  # a frame read whole: where it first is
        text_at = data.find(error.payload)
    elif error is not None or worker.pending_stdout():  # the decoder's own bytes start there
        text_at = worker.decoder.consumed  # (text read as a length it waits to fill, too)
    else:
        return None
    if text_at < 0:
        return None
    return answer_behind(data, text_at, worker.framing, request_id, envelope)


def _boundaries(data: bytes, text_at: int, end: int, framing: Framing) -> list[int]:
    """Where a frame could begin behind the stray bytes: after each newline (line framing), at
    each Content-Length header, at each length header right before a `{`."""
    if framing.is_line:
        found, nl = [], data.find(b"\n", text_at, end)
        while 0 <= nl < end - 1:
            found.append(nl + 1)
            nl = data.find(b"\n", nl + 1, end)
        return found
    if framing.kind == "content-length":
        lowered = data[:end].lower()
        found, at = [], lowered.find(b"content-length:", text_at + 1)
        while at >= 0 and len(found) < MAX_HEADERS:
            found.append(at)
            at = lowered.find(b"content-length:", at + 1)
        return found
    size = framing.header_size
    return [q - size for q in _all(data, b"{", text_at + size + 1, end)]


def _all(data: bytes, byte: bytes, start: int, end: int) -> list[int]:
    found, at = [], data.find(byte, start, end)
    while at >= 0:
        found.append(at)
        at = data.find(byte, at + 1, end)
    return found


def _frame_at(data: bytes, at: int, framing: Framing) -> tuple[bytes, bytes | None]:
    """The frame starting at `at`, whole, and its payload (None: no whole frame there)."""
    if framing.is_line:
        nl = data.find(b"\n", at)
        if nl < 0:
            return b"", None
        return data[at : nl + 1], data[at:nl].rstrip(b"\r")
    if framing.kind == "content-length":
        frames = framing.decoder().feed(data[at:])
        if not frames:
            return b"", None
        head = data.find(b"\r\n\r\n", at) + 4 - at
        return data[at : at + head + len(frames[0])], frames[0]
    size = framing.header_size  # read here: a decoder's copy of the rest, at every `{`, was not
    length = int.from_bytes(data[at : at + size], "big")
    payload = data[at + size : at + size + length]
    return (data[at : at + size + length], payload) if len(payload) == length else (b"", None)


def _answers(payload: bytes, request_id: Any, envelope: str) -> bool:
    if b'"id"' not in payload:  # (no parse of every line of a long text behind it)
        return False
    try:
        message = parse_message(payload, request_id, envelope)
    except ProtocolError:
        return False
    return isinstance(message, Response)
