"""Bytes that are not what was expected, in words: what a byte string is when read in a given
framing (text, JSON without a header, another framing's frames, a cut frame, binary, too large).

Split from `poolctl.framing`, which the reference worker imports and must start in
milliseconds: only a diagnosis needs this.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

from poolctl import json_text
from poolctl.errors import BadHeader
from poolctl.framing import (
    DEFAULT_MAX_FRAME,
    FRAMINGS,
    ContentLengthDecoder,
    Framing,
    get_framing,
    quote,
    utf8_cut_at_end,
)

# --- explaining bytes that are not what was expected ----------------------------------------


class Explanation(NamedTuple):
    """What a byte string is, in words, when read in a given framing.

    `kind` is one of: `empty`, `frames`, `text`, `json-without-header`, `line-json`,
    `other-framing`, `truncated`, `binary`, `too-large` (with `whole_json`: a header announcing
    more than the whole message behind it), `too-small` (a header announcing less).
    `declared_length` is what the first bytes read as in the expected framing; `other_framing`
    names the framing the bytes do fit, and `what` what they are in it (`a content-length
    message ('Content-Length: 2\\r\\n\\r\\n') holding JSON`).
    """

    kind: str
    text: str
    declared_length: int | None = None
    header: bytes = b""
    other_framing: str | None = None
    what: str = ""
    # a too-large header's: the bytes of the whole JSON message right behind it (0: none), so
    # the header miscounts a message, not a message too large
    whole_json: int = 0
    # a too-small header that counts the message's characters, not its bytes
    counts_characters: bool = False


def _is_text(data: bytes) -> bool:
    """Printable text (UTF-8), judged on the first line (stray text is often followed by real
    frames)."""
    sample = data[:256]
    nl = sample.find(b"\n")
    if nl > 0:
        sample = sample[:nl]
    if not sample:
        return False
    try:
        text = utf8_cut_at_end(sample)
    except UnicodeDecodeError:
        text = sample.decode("latin-1")
        printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in sample)
        return printable / len(sample) >= 0.9
    if not text:
        return False
    printable = sum(ch.isprintable() or ch in "\t\r\n" for ch in text)
    return printable / len(text) >= 0.9


def _is_json(data: bytes) -> bool:
    if data.startswith(codecs.BOM_UTF8):  # json.loads takes it off bytes; no client does
        return False
    try:
        json_text.loads(data)
    except ValueError:
        return False
    return True


def _leading_json(data: bytes) -> int:
    """The length in bytes of the whole JSON value `data` starts with (0 when there is none)."""
    try:
        text = data.decode("utf-8")
        end = json_text.value_end(text)
    except ValueError:
        return 0
    return len(text[:end].encode("utf-8"))


def _whole_frames(data: bytes, framing: Framing, byteorder: str = "big") -> list[bytes] | None:
    """Split `data` into frames of `framing` if it is exactly a sequence of JSON frames."""
    if framing.kind == "content-length":
        decoder = ContentLengthDecoder()
        found = decoder.feed(data)
        ok = decoder.error is None and not decoder.buffered and found
        return found if ok and all(_is_json(f) for f in found) else None
    if framing.kind == "line":
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


def frames_then_cut(data: bytes, framing: Framing) -> tuple[int, int] | None:
    """Whole JSON frames of a length-prefixed `framing` at the start of `data`, then a frame
    cut short (a worker that stopped or died mid-answer): how many whole ones, and the bytes
    of the one cut short; None when `data` is not that (nor is it any text before a frame)."""
    if framing.kind in ("content-length", "line"):
        return None
    count, pos, size = 0, 0, framing.header_size
    while len(data) - pos >= size:
        length = int.from_bytes(data[pos : pos + size], "big")
        payload = data[pos + size : pos + size + length]
        if len(payload) < length:
            break  # the frame cut short
        if length == 0 or not _is_json(payload):
            return None
        count, pos = count + 1, pos + size + length
    if count == 0 or pos == len(data):
        return None
    return count, len(data) - pos


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
        if name == "line":
            what = "a newline-delimited JSON line"
        elif name == "content-length":
            what = f"a content-length message ({quote(data.split(b'{', 1)[0], 40)}) holding JSON"
        else:
            what = f"a {name} frame (header {data[:header_size].hex(' ')}) holding JSON"
        return Explanation(
            "other-framing" if name != "line" else "line-json",
            f"{what}: the other side speaks {name}, not {fr.name}",
            header=data[:header_size],
            other_framing=name,
            what=what,
        )

    if fr.kind == "content-length":
        return _explain_for_content_length(data, max_frame)
    if fr.kind == "line":
        return _explain_for_line(data)
    return _explain_for_packet(data, fr, max_frame)


_HEADER_START = re.compile(rb"[A-Za-z][A-Za-z0-9-]*\Z")  # a header's name, or its start


def _explain_for_content_length(data: bytes, max_frame: int) -> Explanation:
    decoder = ContentLengthDecoder(max_frame)
    decoder.feed(data)
    error = decoder.error
    if error is None:
        first = re.split(rb"\r|\n", data, maxsplit=1)[0]
        if not _HEADER_START.match(first.split(b":", 1)[0] if b":" in first else first):
            # no line end yet, but no header starts so (a banner with no newline, binary)
            if data.lstrip()[:1] in (b"{", b"[") and _is_text(data):
                return Explanation(
                    "json-without-header",
                    f"JSON without a Content-Length header, {quote(data)}: a header reader "
                    "waits for a line end, then fails on it",
                )
            kind = "text" if _is_text(first) else "binary"
            return Explanation(
                kind,
                f"text where a Content-Length header should start: {quote(first)} (no line end "
                "has come: a header reader waits for one, then fails on it)",
            )
        return _miscounted(data, get_framing("content-length")) or Explanation(
            "truncated",
            f"an incomplete content-length message ({quote(data)}): the rest never arrived",
        )
    at = decoder.consumed  # where its bad bytes start (a search may find a repeat before)
    before = f"after {at:,} bytes of valid messages, " if at > 0 else ""
    if isinstance(error, BadHeader) and error.problem == "text-before-header":
        bad = decoder.pending()
        header_at = bad.find(b"Content-Length:")
        behind = (
            f"; a Content-Length header follows after {header_at:,} bytes of text"
            if header_at > 0
            else ""
        )
        kind = "text" if _is_text(bad) else "binary"
        first = bad.split(b"\n", 1)[0]
        return Explanation(
            kind,
            f"{before}text where a Content-Length header should start: {quote(first)}{behind}",
        )
    return Explanation("bad-header", f"{before}{error.message}", header=decoder.pending()[:64])


def counted_in_characters(body_and_after: bytes, declared: int) -> int | None:
    """A content-length message whose `declared` length counts characters, not bytes (a sender
    that measured its text before encoding it, with non-ASCII text in it): the body's true
    length in bytes, when the first `declared` characters of `body_and_after` are one JSON
    value and the first `declared` bytes are not; else None."""
    text = body_and_after.decode("utf-8", "replace")
    body = text[:declared].encode("utf-8")
    if len(body) == declared or not body.lstrip().startswith((b"{", b"[")):
        return None
    try:
        json_text.loads(body)
    except ValueError:
        return None
    return len(body)


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
    # digits where binary bytes should be, though 4 of them may count a whole message too
    if (decimal := _decimal_header(data)) is not None:
        return Explanation(
            "decimal-header",
            f"a length written as decimal text, {quote(data[:decimal])}, before a whole JSON "
            f"message of that many bytes, where a {fr.name} reader takes the length as "
            f"{size} binary bytes: {reads_as}",
            declared_length=length,
            header=data[:decimal],
        )
    whole = _leading_json(body) if length > len(body) and body[:1] in (b"{", b"[") else 0
    # over the maximum, or over a whole message and nothing after it: a header miscounting it
    # (within the maximum, JSON cut short and JSON with more behind are a frame on its way)
    if whole and (length > max_frame or not body[whole:].strip()):
        signed = int.from_bytes(header, "big", signed=True)
        negative = f", {signed:,} as a signed number" if signed < 0 else ""
        return Explanation(
            "too-large",
            f"a {fr.name} header announcing {length:,} bytes{negative} (its header "
            f"{quote(header)}), before a whole JSON message of {whole:,} bytes: the header does "
            "not count the message it leads",
            declared_length=length,
            header=header,
            whole_json=whole,
        )
    if length > max_frame and body[:1] in (b"{", b"["):
        return Explanation(  # a real frame: its header, then the JSON it counts
            "too-large",
            f"a {fr.name} frame of {length:,} bytes of JSON (its header {quote(header)}), "
            f"over the {max_frame:,}-byte maximum a frame may have here",
            declared_length=length,
            header=header,
        )
    cut = length <= max_frame and len(body) < length
    if cut and body[:1] in (b"{", b"["):  # a header no text begins with, then JSON cut short
        return _truncated(data, fr, length)  # (not text, however printable the JSON part)
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
    if cut and not body:  # a header alone: the frame's body may be on its way
        return _truncated(data, fr, length)
    # binary bytes behind a header are no frame on its way, whatever length it reads as: every
    # protocol's message is JSON (a PNG in packet-2 was "a truncated frame", and unnamed)
    return Explanation(
        "binary",
        f"binary data {quote(data)}: {reads_as}, {verdict}",
        declared_length=length,
        header=header,
    )


def reencoded(stream: bytes, fr: Framing) -> Explanation | None:
    """Length-prefixed frames whose every byte over 127 was written as two UTF-8 bytes on the
    way out (bytes taken for Latin-1 text and encoded again: Erlang's and Elixir's standard_io
    in unicode mode, a Python text stdout given bytes decoded as Latin-1): `stream` taken
    back to bytes is whole frames of JSON. None when it is not so."""
    if not fr.header_size:
        return None
    try:
        sent = stream.decode("utf-8").encode("latin-1")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None
    frames = _whole_frames(sent, fr) if sent != stream else None
    if not frames:
        return None
    header = sent[: fr.header_size]
    written = header.decode("latin-1").encode("utf-8")
    header_words = f", its header {header.hex(' ')} as {written.hex(' ')}" * (written != header)
    return Explanation(
        "re-encoded",
        f"every byte over 127 of its output was written as two UTF-8 bytes "
        f"({len(stream) - len(sent):,} more in all{header_words}): decoded as UTF-8 and taken "
        f"back to bytes, its stdout is {len(frames)} whole {fr.name} frame(s) of JSON, "
        f"{quote(frames[0], 60)}",
        header=header,
    )


# a length in decimal digits and what ends it (a newline, a colon, a space), then the message
# digits, then a newline, a colon, a space or nothing (C's `printf("%zu%s", len, body)`)
_DECIMAL_LENGTH = re.compile(rb"(\d{1,9})(?:\r?\n|:| )?")


def _decimal_header(data: bytes) -> int | None:
    """The size of a length header written as decimal text (`54\n`, `54:`, `54`), when the whole
    JSON message right behind it is that many bytes long; else None."""
    found = _DECIMAL_LENGTH.match(data)
    if found is None:
        return None
    body = data[found.end() :]
    length = int(found[1])
    if body[:1] not in (b"{", b"[") or _leading_json(body[:length]) != length:
        return None
    return found.end()


def _miscounted(data: bytes, fr: Framing) -> Explanation | None:
    """A header announcing more than the whole JSON message behind it, and nothing after it:
    a header miscounting the message, no message on its way."""
    end = data.find(b"\r\n\r\n") + 4 if fr.kind == "content-length" else fr.header_size
    header, body = data[:end], data[end:]
    length = _declared(header, fr) if end >= 4 or fr.header_size else None
    whole = _leading_json(body) if body[:1] in (b"{", b"[") else 0
    if length is None or not whole or length <= len(body) or body[whole:].strip():
        return None
    return Explanation(
        "too-large",
        f"a {fr.name} header announcing {length:,} bytes (its header {quote(header)}), before "
        f"a whole JSON message of {whole:,} bytes: the header does not count the message it "
        "leads",
        declared_length=length,
        header=header,
        whole_json=whole,
    )


def header_cut_short(stream: bytes, payload: bytes, fr: Framing) -> Explanation | None:
    """`payload`, a frame of `fr` that was no JSON, is the start of a whole JSON message that
    runs on past it in `stream` (the bytes on stdout): its header counted less than the
    message, and what it left out reads as the next frame. None when it is not so."""
    at = stream.find(payload) if payload else -1
    header = _header_before(stream, at, fr)
    if header is None or _declared(header, fr) != len(payload) or payload[:1] not in b"{[":
        return None
    # what follows the message may be no UTF-8 (the next frame's header): decoded apart
    rest = stream[at : at + len(payload) + 65536].decode("utf-8", "surrogateescape")
    try:
        end = json_text.value_end(rest)
    except ValueError:
        return None
    whole = len(rest[:end].encode("utf-8", "surrogateescape"))
    if whole <= len(payload):
        return None
    left = stream[at + len(payload) : at + whole]
    # a sender that measured its text before encoding it (JavaScript's `body.length`)
    chars = counted_in_characters(stream[at : at + whole], len(payload)) == whole
    counted = (
        f" (it counts the message's {len(payload):,} characters, not its bytes: the message "
        "holds non-ASCII text, more than a byte a character in UTF-8)"
        if chars
        else ""
    )
    return Explanation(
        "too-small",
        f"a {fr.name} header announcing {len(payload):,} bytes (its header {quote(header)}) "
        f"before a whole JSON message of {whole:,} bytes: the header does not count the message "
        f"it leads{counted}, and the {len(left):,} byte(s) it leaves out ({quote(left, 40)}) are "
        "read as the next frame",
        declared_length=len(payload),
        header=header,
        whole_json=whole,
        counts_characters=chars,
    )


def _header_before(stream: bytes, at: int, fr: Framing) -> bytes | None:
    """The header right before byte `at` of `stream` (a packet length, or a content-length
    header block up to its empty line), or None."""
    if fr.kind == "content-length":
        start = stream.rfind(b"Content-Length", 0, at)
        ok = start >= 0 and stream[start:at].endswith(b"\r\n\r\n")
        return stream[start:at] if ok else None
    size = fr.header_size
    return stream[at - size : at] if size and at >= size else None


def _declared(header: bytes, fr: Framing) -> int | None:
    """The length a header announces."""
    if fr.kind != "content-length":
        return int.from_bytes(header, "big")
    for line in header.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return int(value.strip())
    return None


def _truncated(data: bytes, fr: Framing, length: int) -> Explanation:
    body = data[fr.header_size :]
    return Explanation(
        "truncated",
        f"a truncated {fr.name} frame: the header announces {length:,} bytes "
        f"and {len(body):,} arrived ({quote(data)})",
        declared_length=length,
        header=data[: fr.header_size],
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
    if nl and not first.strip():  # an empty message to a line reader, whatever follows
        return Explanation("text", f"a blank line{_after_blank(data)}")
    if not nl and data.lstrip()[:1] in (b"{", b"["):  # JSON on its way, its newline to come
        return Explanation(
            "truncated", f"an unterminated line {quote(data)}: no newline arrived after it"
        )
    if not nl:  # a banner printed without its newline: the answer would be read as its end
        kind = "text" if _is_text(first) else "binary"
        what = "text" if kind == "text" else "binary data"
        return Explanation(
            kind,
            f"{what} that is not JSON, {quote(data)}: no newline arrived after it, so a line "
            "reader takes whatever comes next for the rest of that line",
        )
    if _is_text(first):
        return Explanation("text", f"a line of text that is not JSON: {quote(first)}")
    return Explanation("binary", f"binary data that is not a JSON line: {quote(data)}")


def _after_blank(data: bytes) -> str:
    """What a line reader meets after the blank line(s) `data` starts with, in words."""
    rest = data.lstrip(b" \t\r\n")
    line = rest.split(b"\n", 1)[0].rstrip(b"\r")
    if not line:
        return ", an empty message that JSON readers refuse (JSON.parse(''), json.loads(''))"
    if _is_json(line):
        return f" (an empty message that JSON readers refuse), then JSON: {quote(line, 60)}"
    return f" (an empty message that JSON readers refuse), then text: {quote(line, 80)}"
