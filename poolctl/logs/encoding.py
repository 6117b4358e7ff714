"""Inputs in UTF-16, read as UTF-8: Windows PowerShell 5 writes `>` redirections (a pytest run's
console output, say) in UTF-16 with a byte order mark. The parsers read UTF-8 bytes; such an
input is decoded as it is read and given to them as UTF-8, line for line."""

from __future__ import annotations

import codecs
import io
import re
from typing import Any, BinaryIO

_BOMS = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}
CHUNK = 1 << 20  # bytes of the input decoded at a time
# an XML declaration naming UTF-16: the bytes it heads are UTF-8 now
_XML_ENCODING = re.compile(rb"""^(<\?xml[^>]*?encoding=)(["'])utf-16(?:-?[lb]e)?\2""", re.I)


def utf16_encoding(stream: BinaryIO) -> str | None:
    """The UTF-16 codec of `stream` when it starts with a UTF-16 byte order mark (looked at
    without taking it off, where the stream allows it)."""
    peek = getattr(stream, "peek", None)
    if peek is None:
        return None
    return _BOMS.get(bytes(peek(2)[:2]))


class Utf16AsUtf8(io.RawIOBase):
    """A UTF-16 stream (after its byte order mark) read as UTF-8 bytes."""

    def __init__(self, source: BinaryIO, encoding: str) -> None:
        self.source = source
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
    if encoding is None:
        return stream
    return io.BufferedReader(Utf16AsUtf8(stream, encoding), CHUNK)
