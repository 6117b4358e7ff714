"""Frames on a byte stream: Erlang-compatible `{packet, N}` length headers and newline JSON.

Only the standard library is imported here: the reference worker uses this module too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from poolctl.errors import FrameTooLarge, FramingError, UsageProblem

DEFAULT_MAX_FRAME = 64 * 1024 * 1024  # a bogus header must never allocate more than this


ERROR_CONTEXT = 64 * 1024  # bytes kept from a bad header on, to explain them


class Decoder(Protocol):
    """Incremental decoder: bytes go in as they arrive, complete frames come out.

    A header announcing more than the maximum sets `error` (a `FrameTooLarge`) instead of
    allocating: the frames before it are returned, nothing after it is decoded, and
    `pending()` keeps the offending bytes (up to `ERROR_CONTEXT`) for `explain`.
    """

    error: FrameTooLarge | None

    def feed(self, data: bytes) -> list[bytes]: ...

    @property
    def buffered(self) -> int: ...

    def pending(self) -> bytes: ...


@dataclass(frozen=True)
class Framing:
    """A framing: `packet-N` (big-endian N-byte length, as Erlang's `{packet, N}`) or `line`."""

    name: str
    header_size: int  # 0 for `line`

    @property
    def max_payload(self) -> int:
        """The largest payload the header can announce."""
        return (1 << (8 * self.header_size)) - 1 if self.header_size else DEFAULT_MAX_FRAME

    def encode(self, payload: bytes) -> bytes:
        """Frame one payload; raises `FramingError` when it cannot be framed."""
        if self.header_size == 0:
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
        if self.header_size == 0:
            return LineDecoder(max_frame)
        return PacketDecoder(self.header_size, max_frame)


FRAMINGS: dict[str, Framing] = {
    f.name: f
    for f in (
        Framing("packet-4", 4),
        Framing("packet-2", 2),
        Framing("packet-1", 1),
        Framing("line", 0),
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
        self.error: FrameTooLarge | None = None

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
        self.error: FrameTooLarge | None = None

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


# --- explaining bytes that are not what was expected ----------------------------------------


@dataclass(frozen=True)
class Explanation:
    """What a byte string is, in words, when read in a given framing.

    `kind` is one of: `empty`, `frames`, `text`, `json-without-header`, `line-json`,
    `other-framing`, `truncated`, `binary`. `declared_length` is what the first bytes
    read as in the expected framing; `other_framing` names the framing the bytes do fit.
    """

    kind: str
    text: str
    declared_length: int | None = None
    header: bytes = b""
    other_framing: str | None = None


def quote(data: bytes, limit: int = 80) -> str:
    """Quote bytes readably: printable ASCII as is, the rest escaped, cut at `limit` bytes."""
    shown = repr(data[:limit])[1:]  # b'...' -> '...'
    return shown + (f" … (+{len(data) - limit:,} bytes)" if len(data) > limit else "")


def _is_text(data: bytes) -> bool:
    """Printable text, judged on the first line (stray text is often followed by real frames)."""
    sample = data[:256]
    nl = sample.find(b"\n")
    if nl > 0:
        sample = sample[:nl]
    if not sample:
        return False
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in sample)
    return printable / len(sample) >= 0.9


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


def _whole_frames(data: bytes, framing: Framing, byteorder: str = "big") -> list[bytes] | None:
    """Split `data` into frames of `framing` if it is exactly a sequence of JSON frames."""
    if framing.header_size == 0:
        if not data.endswith(b"\n"):
            return None
        lines = [ln.rstrip(b"\r") for ln in data[:-1].split(b"\n")]
        return lines if all(ln and _is_json(ln) for ln in lines) else None
    frames, pos, size = [], 0, framing.header_size
    while pos < len(data):
        if len(data) - pos < size:
            return None
        length = int.from_bytes(data[pos : pos + size], byteorder)  # type: ignore[arg-type]
        payload = data[pos + size : pos + size + length]
        if length == 0 or len(payload) < length or not _is_json(payload):
            return None
        frames.append(payload)
        pos += size + length
    return frames or None


def _fits_other(data: bytes, expected: Framing) -> tuple[str, str] | None:
    """Find another framing (or byte order) in which `data` is valid JSON frames."""
    for other in FRAMINGS.values():
        if other.name != expected.name and _whole_frames(data, other):
            return other.name, "big"
    for other in FRAMINGS.values():
        if other.header_size > 1 and _whole_frames(data, other, "little"):
            return other.name, "little"
    return None


def explain(data: bytes, framing: Framing | str, max_frame: int = DEFAULT_MAX_FRAME) -> Explanation:
    """Say in words what `data` is when it was expected to be frames in `framing`."""
    fr = get_framing(framing) if isinstance(framing, str) else framing
    if not data:
        return Explanation("empty", "nothing arrived")
    if _whole_frames(data, fr):
        n = len(_whole_frames(data, fr) or [])
        return Explanation("frames", f"{n} complete {fr.name} frame(s) of JSON")

    other = _fits_other(data, fr)
    if other is not None:
        name, order = other
        header_size = FRAMINGS[name].header_size
        if order == "little":
            return Explanation(
                "other-framing",
                f"a {name} frame with a little-endian header {quote(data[:header_size])}: "
                f"the sender writes the length in the wrong byte order",
                header=data[:header_size],
                other_framing=f"{name} (little-endian)",
            )
        what = (
            "a newline-delimited JSON line"
            if name == "line"
            else f"a {name} frame (header {data[:header_size].hex(' ')}) holding JSON"
        )
        return Explanation(
            "other-framing" if name != "line" else "line-json",
            f"{what}: the other side speaks {name}, not {fr.name}",
            header=data[:header_size],
            other_framing=name,
        )

    if fr.header_size == 0:
        return _explain_for_line(data)
    return _explain_for_packet(data, fr, max_frame)


def _explain_for_packet(data: bytes, fr: Framing, max_frame: int) -> Explanation:
    size = fr.header_size
    if len(data) < size:
        return Explanation(
            "truncated",
            f"{len(data)} byte(s) {quote(data)}: less than a {size}-byte {fr.name} header",
        )
    header = data[:size]
    length = int.from_bytes(header, "big")
    body = data[size:]
    reads_as = f"its first {size} bytes {quote(header)} read as a {fr.name} length of {length:,}"
    if length > max_frame:
        verdict = f"over the {max_frame:,}-byte maximum: no such frame can be meant"
    else:
        verdict = f"and only {len(body):,} byte(s) follow, so a reader waits for the rest forever"
    if data.lstrip()[:1] in (b"{", b"[") and _is_text(data):
        return Explanation(
            "json-without-header",
            f"JSON without a length header, {quote(data)}: {reads_as}, {verdict}",
            declared_length=length,
            header=header,
        )
    if _is_text(data):
        return Explanation(
            "text",
            f"text {quote(data)}: {reads_as}, {verdict}{_frames_behind(data, fr)}",
            declared_length=length,
            header=header,
        )
    if length <= max_frame and len(body) < length:
        return Explanation(
            "truncated",
            f"a truncated {fr.name} frame: the header announces {length:,} bytes "
            f"and {len(body):,} arrived ({quote(data)})",
            declared_length=length,
            header=header,
        )
    return Explanation(
        "binary",
        f"binary data {quote(data)}: {reads_as}, {verdict}",
        declared_length=length,
        header=header,
    )


def _frames_behind(data: bytes, fr: Framing) -> str:
    """Where valid frames follow stray text, say so: the answer was there, behind the text."""
    pos = data.find(b"\n")
    while 0 <= pos < len(data) - 1:
        if _whole_frames(data[pos + 1 :], fr):
            return f"; after those {pos + 1:,} bytes of text, valid {fr.name} frames follow"
        pos = data.find(b"\n", pos + 1)
    return ""


def _explain_for_line(data: bytes) -> Explanation:
    first, nl, _ = data.partition(b"\n")
    for name, fr in FRAMINGS.items():
        if fr.header_size and len(data) > fr.header_size:
            length = int.from_bytes(data[: fr.header_size], "big")
            payload = data[fr.header_size : fr.header_size + length]
            if 0 < length == len(payload) and _is_json(payload):
                return Explanation(
                    "other-framing",
                    f"a {name} frame (header {data[: fr.header_size].hex(' ')}) before JSON: "
                    f"the other side speaks {name}, not line",
                    header=data[: fr.header_size],
                    other_framing=name,
                )
    if not nl:
        return Explanation(
            "truncated", f"an unterminated line {quote(data)}: no newline arrived after it"
        )
    if _is_text(first):
        return Explanation("text", f"a line of text that is not JSON: {quote(first)}")
    return Explanation("binary", f"binary data that is not a JSON line: {quote(data)}")
