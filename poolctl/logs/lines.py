"""Reading a byte stream as chunks of whole lines, within fixed memory.

A chunk holds about `CHUNK_SIZE` bytes of complete lines, as bytes: the scan searches them at C
speed, and only the lines a parser reads are decoded (`ChunkReader.decode`). Every line of a
chunk ends with `\\n`, and `first_line` numbers them. A chunk is cleaned only when a cheap test
says it needs it: ANSI colours and CI line prefixes (`logs/prefixes.py`) removed, `\\r\\n` turned
into `\\n`, the rows of a line a terminal wrapped joined back (`logs/unwrap.py`), NUL bytes
dropped, and binary lines (mostly control bytes or invalid UTF-8) emptied so that the numbering
of the lines after them stays true.

What could not be read as text is noted in `notes` (file:line), never raised: a line over
`max_line` bytes is cut, and invalid UTF-8 is replaced (noted once). The first chunk of an input
is checked whole; after it, only the lines a parser reads are (a 200 MB log is not decoded to
be searched).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, BinaryIO

from poolctl.logs.ansi import NOTE_NO_ESC_BYTES, strip_ansi
from poolctl.logs.prefixes import strip_prefixes
from poolctl.logs.unwrap import unwrap, wrap_width

MAX_LINE = 1 << 20  # bytes; a longer line is cut and noted
CHUNK_SIZE = 4 << 20  # bytes read at a time
MARKED_LINE = 4096  # bytes of the line holding a CI marker looked at to decide the prefixes
MAX_JUNK_NOTES = 20  # binary ranges noted one by one per file, then only counted

Progress = Callable[[int], None]  # told the bytes read so far, after each chunk


@dataclass(frozen=True)
class Chunk:
    """Complete lines: `data` ends with a newline and its first line is `first_line`."""

    first_line: int
    data: bytes
    cleaned: bool = True  # False: taken as it is (nothing a cheap test saw needed cleaning)

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


def _utf8_boundary(data: bytes, end: int) -> int:
    """The largest index <= `end` that does not split a UTF-8 sequence."""
    back = end
    while back > 0 and end - back < 4 and (data[back] & 0xC0) == 0x80:
        back -= 1
    return back if end - back < 4 else end


# what `junk` counts, deleted by str.translate (at C speed: a chunk of junk is 4 MB)
_DROP_CONTROLS = dict.fromkeys([c for c in range(32) if chr(c) not in "\t\x1b"] + [0xFFFD])


def junk(line: str) -> bool:
    """A line that is binary data, not text: mostly control or replacement characters (its
    NUL bytes already dropped: `ChunkReader` keeps the text a NUL is glued to)."""
    if not line:
        return False
    if line.count("\ufffd") * 3 > len(line):
        return True  # random bytes: over half of them are not UTF-8
    if line.isprintable():
        return False  # the usual text line: no control character at all
    return (len(line) - len(line.translate(_DROP_CONTROLS))) * 3 > len(line)


class ChunkReader:
    """Iterates over `Chunk`s of `stream`; `lines` and `size` count what was read."""

    def __init__(
        self,
        stream: BinaryIO,
        name: str,
        notes: list[str],
        *,
        head: bytes = b"",
        max_line: int = MAX_LINE,
        chunk_size: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.stream = stream
        self.name = name
        self.notes = notes
        self.head = head
        self.max_line = max_line
        # No line that fits in one read can exceed max_line, so only the first line of a
        # buffer (the carried part plus the new data) needs a length check.
        self.chunk_size = max(1, min(chunk_size or CHUNK_SIZE, max_line))
        self.progress = progress
        # False when the caller counts each chunk's lines itself and sets `lines` before the
        # next chunk is read (the scan counts them anyway: counting twice costs a pass)
        self.count_lines = True
        # the search ahead's word that a chunk (its first line, its bytes) needs no cleaning:
        # it tested the same bytes (`SearchAhead.plain`); else the reader tests them itself
        self.told_plain: Callable[[int, bytes], bool | None] | None = None
        self.lines = 0
        self.size = 0
        self._bad_utf8_noted = False
        self._nul_noted = False
        self._junk: tuple[int, int] | None = None
        self._junk_ranges = 0
        self._width: int | None = None  # the terminal width the log was wrapped at
        self._width_known = False

    def __iter__(self) -> Iterator[Chunk]:
        carry = self.head
        self.size = len(carry)
        discarding_from = 0  # line number of an overlong line whose rest is being skipped
        discarded = 0
        eof = False
        while not eof:
            data = self.stream.read(self.chunk_size)
            if not data:
                eof = True
            self.size += len(data)
            if self.progress is not None:
                self.progress(self.size)
            if discarding_from:
                newline = data.find(b"\n")
                if newline < 0 and not eof:
                    discarded += len(data)
                    continue
                discarded += len(data) if newline < 0 else newline
                self._note_cut(discarding_from, self.max_line + discarded)
                discarding_from, discarded = 0, 0
                data = b"" if newline < 0 else data[newline + 1 :]
            cut = data.rfind(b"\n")
            if cut >= 0:  # the usual case: the carried part and the data up to its last newline
                # joined in one copy (a `carry + data` and a slice of it copied each chunk twice)
                complete = (
                    b"".join((carry, memoryview(data)[: cut + 1])) if carry else data[: cut + 1]
                )
                carry, data = data[cut + 1 :], b""  # the read's bytes not held while parsed
                yield self._complete(complete)
                complete = b""  # nor the chunk's, once the next one is asked for
                continue
            buf = carry + data if carry else data
            if eof and buf and not buf.endswith(b"\n"):
                buf += b"\n"
            cut = buf.rfind(b"\n")
            if cut < 0:
                if len(buf) > self.max_line:
                    discarding_from = self.lines + 1
                    discarded = len(buf) - self.max_line
                    yield self._chunk(buf[: _utf8_boundary(buf, self.max_line)] + b"\n")
                    carry = b""
                else:
                    carry = buf
                continue
            complete, carry = buf[: cut + 1], buf[cut + 1 :]
            yield self._complete(complete)
        if discarding_from:
            self._note_cut(discarding_from, self.max_line + discarded)
        self._flush_junk()
        if self._junk_ranges > MAX_JUNK_NOTES:
            more = self._junk_ranges - MAX_JUNK_NOTES
            self.notes.append(f"{self.name}: {more} more binary ranges skipped")

    def _complete(self, complete: bytes) -> Chunk:
        """The chunk of `complete` lines, its first line cut when it is too long (only the first
        can be: it begins with the part carried from the read before)."""
        first = complete.find(b"\n")
        if first > self.max_line:
            self._note_cut(self.lines + 1, first)
            head = complete[: _utf8_boundary(complete, self.max_line)]
            complete = head + complete[first:]
        return self._chunk(complete)

    def _note_cut(self, line: int, length: int) -> None:
        self.notes.append(
            f"{self.name}:{line}: line of {length:,} bytes cut to its first {self.max_line:,}"
        )

    # -- one chunk ------------------------------------------------------------------------------
    def _chunk(self, complete: bytes) -> Chunk:
        first_line = self.lines + 1
        if self.count_lines:
            self.lines += complete.count(b"\n")
        if first_line == 1 and complete.startswith(b"\xef\xbb\xbf"):
            complete = complete[3:]
        if self._width_known and self._width is None:
            told = self.told_plain is not None and self.told_plain(first_line, complete)
            if told or self._plain(complete):
                return Chunk(first_line, complete, False)  # the usual case: searched as it is
        return self.clean(Chunk(first_line, complete))

    def clean(self, chunk: Chunk, marker: int = -1) -> Chunk:
        """The chunk's lines cleaned (the scan asks for it when it finds a CI marker, at offset
        `marker`)."""
        text = self._clean(chunk.data, chunk.first_line, marker)
        if text is None:
            return Chunk(chunk.first_line, chunk.data)
        return Chunk(chunk.first_line, text.encode("utf-8", "surrogatepass"))

    @staticmethod
    def _plain(data: bytes) -> bool:
        """Nothing a cheap test can see needs cleaning (CI markers: see `prefixes.MARKERS`; the
        rest is checked line by line)."""
        return (
            b"\x1b" not in data
            and b"\r" not in data
            and b"\x00" not in data
            and _note_no_esc().search(data) is None  # Jenkins' notes without their ESC bytes
        )

    def _clean(self, complete: bytes, first_line: int, marker: int = -1) -> str | None:
        """The chunk's text, cleaned; None when the bytes need no change at all. The line of
        offset `marker` (a CI marker the scan found) is looked at with the chunk's head and
        tail to decide which prefixes it has: a timestamped CI log may begin past the head of
        a chunk and end before its tail."""
        bad = False
        try:
            text = complete.decode("utf-8")
        except UnicodeDecodeError as error:
            bad = True
            text = complete.decode("utf-8", "replace")
            if not self._bad_utf8_noted:
                self._bad_utf8_noted = True
                line = first_line + complete.count(b"\n", 0, error.start)
                self.notes.append(
                    f"{self.name}:{line}: invalid UTF-8, decoded with replacement characters"
                )
        original = text
        if bad or "\x00" in text:
            text = self._blank_binary_lines(text, first_line)
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        text = strip_prefixes(strip_ansi(text), _marked_line(complete, marker))
        if not self._width_known:  # a log copied from a terminal: decided on its first chunk
            self._width_known = True
            self._width = wrap_width(text)
        if self._width is not None:
            text = unwrap(text, self._width)
        return None if text is original and not bad else text

    # -- one line -------------------------------------------------------------------------------
    def decode(self, number: int, raw: bytes) -> str:
        """Line `number` of a chunk as text (invalid UTF-8 replaced and noted once; a binary
        line read as empty, and noted)."""
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "replace")
        if not self._bad_utf8_noted:
            self._bad_utf8_noted = True
            self.notes.append(
                f"{self.name}:{number}: invalid UTF-8, decoded with replacement characters"
            )
        if junk(text):
            self._junk_line(number)
            return ""
        return text

    def _blank_binary_lines(self, text: str, first_line: int) -> str:
        lines = text.split("\n")
        for index, line in enumerate(lines):
            nul = "\x00" in line
            if nul:
                # NULs glued to text (a log truncated under its writer, a NUL printed after a
                # FAILED line) are dropped, the text kept: blanking the line lost its failure
                line = lines[index] = line.replace("\x00", "")
            if junk(line):
                lines[index] = ""
                self._junk_line(first_line + index)
            elif nul:
                self._note_nul(first_line + index)
        return "\n".join(lines)

    def _note_nul(self, number: int) -> None:
        if not self._nul_noted:
            self._nul_noted = True
            self.notes.append(f"{self.name}:{number}: NUL bytes dropped (here first)")

    def _junk_line(self, number: int) -> None:
        if self._junk is not None and self._junk[1] == number - 1:
            self._junk = (self._junk[0], number)
            return
        self._flush_junk()
        self._junk = (number, number)

    def _flush_junk(self) -> None:
        if self._junk is None:
            return
        start, end = self._junk
        self._junk = None
        self._junk_ranges += 1
        if self._junk_ranges <= MAX_JUNK_NOTES:
            where = f"{start}" if start == end else f"{start}-{end}"
            count = end - start + 1
            self.notes.append(
                f"{self.name}:{where}: binary data skipped ({count} line{'s' * (count != 1)})"
            )


def iter_lines(chunks: Iterator[Chunk]) -> Iterator[tuple[int, str]]:
    """`(line number, text)` for each line of `chunks`, without the newline."""
    for chunk in chunks:
        number = chunk.first_line
        for line in chunk.text.split("\n")[:-1]:
            yield number, line
            number += 1


def _marked_line(complete: bytes, marker: int) -> str:
    """The line of `complete` at offset `marker` (a CI marker the scan found), or the first line
    a CI timestamp begins when the scan did not search it; "" when there is none."""
    if marker < 0 and b"Z " in complete:
        stamped = _stamped().search(complete)
        marker = stamped.start() if stamped else -1
    if marker < 0:
        return ""
    start = complete.rfind(b"\n", 0, marker) + 1
    end = complete.find(b"\n", marker)
    held = complete[start : end if end >= 0 else len(complete)][:MARKED_LINE]
    return strip_ansi(held.decode("utf-8", "replace"))


@cache
def _note_no_esc() -> Any:
    """`NOTE_NO_ESC_BYTES` as RE2 finds it: it skips from `[` to `[` at memchr speed, where
    `bytes.__contains__` took 0.17-0.30 s for 200 MB of a generated ExUnit or pytest log
    (`:` is everywhere in them), against 0.025 s."""
    import re2

    return re2.compile(re2.escape(NOTE_NO_ESC_BYTES))


@cache
def _stamped() -> Any:
    """A CI timestamp beginning a line (GitHub Actions', GitLab's), as RE2 finds it over a whole
    chunk the scan did not search (the first, a coloured one), where a timestamped part may lie
    in its middle (imported when first needed: most inputs never need it)."""
    import re2

    return re2.compile(rb"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ")
