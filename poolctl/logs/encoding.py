"""Inputs in UTF-16, read as UTF-8: Windows PowerShell 5 writes `>` redirections (a pytest run's
console output, say) in UTF-16 with a byte order mark. The parsers read UTF-8 bytes; such an
input is decoded as it is read and given to them as UTF-8, line for line. One without the mark
(`cmd /U`'s output, a log's later part cut from the file that held the mark) is told by its
zero bytes: text of the ASCII range in UTF-16 has one in every other byte."""

from __future__ import annotations

import codecs
import io
import re
from typing import Any, BinaryIO

_BOMS = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}
CHUNK = 1 << 20  # bytes of the input decoded at a time
# an XML declaration naming UTF-16: the bytes it heads are UTF-8 now
_XML_ENCODING = re.compile(rb"""^(<\?xml[^>]*?encoding=)(["'])utf-16(?:-?[lb]e)?\2""", re.I)


_SAMPLE = 4096  # bytes looked at for a UTF-16 input without a byte order mark


def utf16_encoding(stream: BinaryIO) -> str | None:
    """The UTF-16 codec of `stream` when it starts with a UTF-16 byte order mark (looked at
    without taking it off, where the stream allows it)."""
    peek = getattr(stream, "peek", None)
    if peek is None:
        return None
    return _BOMS.get(bytes(peek(2)[:2]))


def bomless_utf16(head: bytes) -> str | None:
    """The UTF-16 codec of an input that starts with `head` and no byte order mark: most of its
    characters in the ASCII range, so a zero in most odd bytes (little-endian) or most even ones
    (big-endian), and almost none in the others. Not of UTF-8 text, nor of binary noise."""
    pairs = min(len(head), _SAMPLE) // 2
    sample = head[: 2 * pairs]
    if pairs < 8:
        return None
    even, odd = sample[0::2].count(0) / pairs, sample[1::2].count(0) / pairs
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


class Utf16AsUtf8(io.RawIOBase):
    """A UTF-16 stream (after its byte order mark) read as UTF-8 bytes."""

    def __init__(self, source: BinaryIO, encoding: str, *, bom: bool = True) -> None:
        self.source = source
        if bom:
            source.read(2)  # the byte order mark
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending = memoryview(b"")
        self._first = True
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._ended:
            raw = self.source.read(CHUNK)
            self._ended = not raw
            data = self._decoder.decode(raw, final=self._ended).encode("utf-8")
            if self._first and data:
                self._first = False
                data = _XML_ENCODING.sub(rb"\1\2utf-8\2", data, count=1)
            self._pending = memoryview(data)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def as_utf8(stream: BinaryIO) -> BinaryIO:
    """`stream` itself, or, when it is UTF-16, a buffered UTF-8 reading of it."""
    encoding = utf16_encoding(stream)
    if encoding is not None:
        return io.BufferedReader(Utf16AsUtf8(stream, encoding), CHUNK)
    peek = getattr(stream, "peek", None)
    encoding = bomless_utf16(bytes(peek(_SAMPLE)[:_SAMPLE])) if peek is not None else None
    if encoding is None:
        return stream
    return io.BufferedReader(Utf16AsUtf8(stream, encoding, bom=False), CHUNK)
