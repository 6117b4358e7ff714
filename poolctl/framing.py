"""Frames on a byte stream: Erlang-compatible `{packet, N}` length headers, newline JSON, and
the LSP base protocol's `Content-Length` headers.

Only the standard library is imported here: the reference worker uses this module too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:  # the reference worker imports this module: it must start in milliseconds
    from poolctl.redact import Redactor

from poolctl.errors import BadHeader, FrameTooLarge, FramingError, UsageProblem

DEFAULT_MAX_FRAME = 64 * 1024 * 1024  # a bogus header must never allocate more than this
MAX_HEADER = 8 * 1024  # a content-length header block longer than this is not a header


ERROR_CONTEXT = 64 * 1024  # bytes kept from a bad header on, to explain them


class Decoder(Protocol):
    """Incremental decoder: bytes go in as they arrive, complete frames come out.

    A header announcing more than the maximum sets `error` (a `FrameTooLarge`) instead of
    allocating: the frames before it are returned, nothing after it is decoded, and
    `pending()` keeps the offending bytes (up to `ERROR_CONTEXT`) for `explain`.
    """

    error: FramingError | None
    # bytes of the stream taken off the front (whole frames, their headers): where in the
    # stream `pending()` starts, which a search for its bytes cannot tell in repetitive output
    consumed: int

    def feed(self, data: bytes) -> list[bytes]: ...

    @property
    def buffered(self) -> int: ...

    def pending(self) -> bytes: ...


class Framing(NamedTuple):
    """A framing: `packet-N` (big-endian N-byte length, as Erlang's `{packet, N}`), `line`
    (newline-delimited) or `content-length` (LSP: `Content-Length: N\\r\\n\\r\\n` then N bytes).

    A named tuple, as `Explanation` below, not a dataclass: importing `dataclasses` (and the
    `inspect` it brings) was a fifth of the reference worker's start-up."""

    name: str
    header_size: int  # bytes of a binary length header; 0 for `line` and `content-length`
    kind: str = "packet"  # "packet", "line" or "content-length"

    @property
    def is_line(self) -> bool:
        return self.kind == "line"

    @property
    def max_header(self) -> int:
        """The most header bytes a reader holds before it knows a frame's length."""
        return MAX_HEADER + 4 if self.kind == "content-length" else self.header_size

    @property
    def max_payload(self) -> int:
        """The largest payload the header can announce."""
        return (1 << (8 * self.header_size)) - 1 if self.header_size else DEFAULT_MAX_FRAME

    def encode(self, payload: bytes) -> bytes:
        """Frame one payload; raises `FramingError` when it cannot be framed."""
        if self.kind == "content-length":
            return b"Content-Length: %d\r\n\r\n" % len(payload) + payload
        if self.kind == "line":
            if b"\n" in payload:
                raise FramingError("a line frame cannot contain a newline")
            return payload + b"\n"
        if len(payload) > self.max_payload:
            raise FramingError(
                f"{len(payload):,} bytes do not fit a {self.name} header (max {self.max_payload:,})"
            )
        return len(payload).to_bytes(self.header_size, "big") + payload

    def decoder(self, max_frame: int = DEFAULT_MAX_FRAME) -> Decoder:
        """A fresh incremental decoder for this framing."""
        if self.kind == "content-length":
            return ContentLengthDecoder(max_frame)
        if self.kind == "line":
            return LineDecoder(max_frame)
        return PacketDecoder(self.header_size, max_frame)


FRAMINGS: dict[str, Framing] = {
    f.name: f
    for f in (
        Framing("packet-4", 4),
        Framing("packet-2", 2),
        Framing("packet-1", 1),
        Framing("line", 0, "line"),
        Framing("content-length", 0, "content-length"),
    )
}


def get_framing(name: str) -> Framing:
    """Look up a framing by name; an unknown name is a usage problem naming the choices."""
    try:
        return FRAMINGS[name]
    except KeyError:
        choices = ", ".join(FRAMINGS)
        raise UsageProblem(f"unknown framing {name!r} (choose one of: {choices})") from None


class PacketDecoder:
    """Decoder for big-endian length-prefixed frames."""

    def __init__(self, header_size: int, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self._header_size = header_size
        self._max_frame = max_frame
        self._buf = bytearray()
        self.error: FramingError | None = None
        self.consumed = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return every frame now complete."""
        if self.error is not None:
            return []
        buf = self._buf
        buf += data
        frames: list[bytes] = []
        size = self._header_size
        start = 0
        while len(buf) - start >= size:
            length = int.from_bytes(buf[start : start + size], "big")
            if length > self._max_frame:
                self.error = FrameTooLarge(
                    length, self._max_frame, bytes(buf[start : start + size])
                )
                del buf[start + ERROR_CONTEXT :]
                break
            end = start + size + length
            if len(buf) < end:
                break
            frames.append(bytes(buf[start + size : end]))
            start = end
        if start:
            del buf[:start]
            self.consumed += start
        return frames

    @property
    def buffered(self) -> int:
        """How many bytes wait for the rest of their frame."""
        return len(self._buf)

    def pending(self) -> bytes:
        """The bytes of the incomplete (or bad) frame, header included."""
        return bytes(self._buf)


class LineDecoder:
    """Decoder for newline-delimited frames; a line longer than the maximum is an error."""

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self._max_frame = max_frame
        self._buf = bytearray()
        self.error: FramingError | None = None
        self.consumed = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return every complete line (without its newline, `\\r` stripped)."""
        if self.error is not None:
            return []
        buf = self._buf
        scan_from = len(buf)
        buf += data
        frames: list[bytes] = []
        start = 0
        while True:
            nl = buf.find(b"\n", max(start, scan_from))
            if nl < 0:
                break
            if nl - start > self._max_frame:
                break
            frames.append(bytes(buf[start:nl]).rstrip(b"\r"))
            start = nl + 1
        if start:
            del buf[:start]
            self.consumed += start
        if len(buf) > self._max_frame:
            self.error = FrameTooLarge(len(buf), self._max_frame, bytes(buf[:16]))
            del buf[ERROR_CONTEXT:]
        return frames

    @property
    def buffered(self) -> int:
        """How many bytes wait for their newline."""
        return len(self._buf)

    def pending(self) -> bytes:
        """The bytes of the unterminated (or overlong) line."""
        return bytes(self._buf)


_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]*[^\r\n]*$")


class ContentLengthDecoder:
    """Decoder for the LSP base protocol: header lines (`Content-Length` required,
    `Content-Type` optional) ended by an empty line, then exactly that many bytes.

    A strict reader (vscode-jsonrpc) fails on the first line that is not a `Name: value`
    header, so this one does too, as soon as that line is complete: `error` is a `BadHeader`
    and `pending()` keeps the bytes from the start of the bad message.
    """

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self._max_frame = max_frame
        self._buf = bytearray()
        self.error: FramingError | None = None
        self.consumed = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return every message body now complete."""
        if self.error is not None:
            return []
        buf = self._buf
        buf += data
        frames: list[bytes] = []
        start = 0
        while start < len(buf):
            end = buf.find(b"\r\n\r\n", start)
            header = bytes(buf[start : end if end >= 0 else len(buf)])
            self.error = _header_problem(header, complete=end >= 0, max_frame=self._max_frame)
            if self.error is not None or end < 0:
                break
            length = _content_length(header)
            assert length is not None  # _header_problem checked it
            body_start = end + 4
            if len(buf) < body_start + length:
                break
            frames.append(bytes(buf[body_start : body_start + length]))
            start = body_start + length
        if start:
            del buf[:start]
            self.consumed += start
        if self.error is not None:
            del buf[ERROR_CONTEXT:]
        return frames

    @property
    def buffered(self) -> int:
        """How many bytes wait for the rest of their message."""
        return len(self._buf)

    def pending(self) -> bytes:
        """The bytes of the incomplete (or bad) message, header included."""
        return bytes(self._buf)


def _content_length(header: bytes) -> int | None:
    for line in header.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return int(value.strip())
    return None


_BARE_NEWLINE = re.compile(rb"(?<!\r)\n")
_LSP_HEADERS = (b"content-length", b"content-type")  # the base protocol's header fields


def _text_before_header(header: bytes) -> BadHeader:
    said = f"text where a Content-Length header should start: {quote(header, 60)}"
    return BadHeader(said, header, "text-before-header")


def _header_problem(header: bytes, *, complete: bool, max_frame: int) -> FramingError | None:
    """What is wrong with a (possibly partial) header block, or None while it may be right."""
    lines = header.split(b"\r\n")
    whole = lines if complete else lines[:-1]  # the last line may still be arriving
    last = lines[-1] if not complete else b""
    if not complete and b"\n" in last:  # a line ended by a bare newline
        line = last.split(b"\n", 1)[0]
        if line or not whole:  # not the empty line ending a header (a bare newline, below)
            whole = [*whole, line]
    if not all(_HEADER_LINE.match(line) for line in whole):
        return _text_before_header(header)
    if not complete:
        if _BARE_NEWLINE.search(header):  # a strict reader waits for `\r\n\r\n` forever
            name = re.split(rb"\r?\n", header, maxsplit=1)[0].partition(b":")[0].strip()
            if name.lower() not in _LSP_HEADERS:  # `INFO:pygls…`, `Usage:`: a log or usage line
                return _text_before_header(header)
            return BadHeader(
                "header lines ended by a bare newline (\\n), not \\r\\n: a reader waits for "
                f"the \\r\\n\\r\\n that ends a header forever: {quote(header, 60)}",
                header,
                "bare-newline",
            )
        if len(header) > MAX_HEADER:
            return BadHeader(
                f"{len(header):,} bytes of header and no end of it: {quote(header, 60)}",
                header,
                "text-before-header",
            )
        return None
    values = {ln.partition(b":")[0].strip().lower(): ln.partition(b":")[2].strip() for ln in whole}
    if b"content-length" not in values:
        return BadHeader(
            f"a header without Content-Length: {quote(header, 60)}", header, "no-content-length"
        )
    raw = values[b"content-length"]
    if not raw.isdigit():
        return BadHeader(f"Content-Length is not a number: {quote(raw, 40)}", header, "bad-length")
    if int(raw) > max_frame:
        return FrameTooLarge(int(raw), max_frame, header)
    return None


# --- quoting bytes -------------------------------------------------------------------------


def quote(data: bytes, limit: int = 80, redactor: Redactor | None = None) -> str:
    """Quote bytes readably: printable text (UTF-8 included: a Rich box is text) as is, the rest
    escaped, cut at `limit` bytes; redacted first (the run's `redactor`, else poolctl's
    environment and the token shapes): a token cut in two would no longer be recognized."""
    size = len(data)
    if size > limit:
        if redactor is None:
            from poolctl.redact import environment

            redactor = environment()
        data = redactor.bytes(data)
    cut = data[:limit]
    try:
        text = utf8_cut_at_end(cut)
        if cut and not text:
            raise UnicodeDecodeError("utf-8", cut, 0, len(cut), "nothing whole")
        shown = repr(text)
    except UnicodeDecodeError:
        shown = repr(cut)[1:]  # b'...' -> '...'
    return shown + (f" … (+{size - len(cut):,} bytes)" if size > len(cut) else "")


def utf8_cut_at_end(data: bytes) -> str:
    """`data` as UTF-8, forgiving only a character cut at the end."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data":
            raise
        return data[: exc.start].decode("utf-8")
