"""Keeping expat from holding one huge token of a JUnit report whole.

expat hands text over as it comes (a 200 MB `<system-out>` or CDATA costs nothing), but holds a
start tag until its `>`, and a comment or processing instruction until its end: a `<failure>`
whose `message` attribute is 200 MB took 735 MB and 23 s of CPU (expat reads the held token again
on each chunk given to it). After each chunk, the bytes expat still holds are those from its
current position on; past `MAX_PENDING`, the token they start is closed right there, in the next
bytes given (an attribute value ended by its quote, a start tag by `>` with its further attributes
left out, a comment by `-->`, a processing instruction by `?>`), and the rest of it in the input
is skipped up to its real end. What was read of it stays (a message is then cut to the report's
cap, as any), and the report's notes say what was cut where. The newlines skipped are counted,
so that every line after stays right.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from poolctl.logs.records import UnreadableInput

MAX_PENDING = 256 << 10  # bytes of one unfinished token expat may hold before it is closed
# bytes given to expat at a time: it holds at most MAX_PENDING + FEED_SIZE of a token (a start
# tag of tiny attributes becomes a dict of them all: 1.5 MB of them took 45 MB)
FEED_SIZE = 256 << 10
MAX_DEPTH = 10_000  # elements open at once: a JUnit report nests a handful
MB = 1_000_000

_START_TAG = re.compile(rb"<([^\s/>!?]+)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*")
_IN_VALUE = re.compile(rb"\s+([^\s=/>]+)\s*=\s*(?:(\")[^\"]*|(')[^']*)\Z")
_NAME_CUT = re.compile(rb"\s+[^\s=/>]+\Z")
_NAME_ONLY = re.compile(rb"\s+[^\s=/>]+\s+\Z")
_NAME_EQUALS = re.compile(rb"\s+[^\s=/>]+\s*=\s*\Z")
_SPACE = re.compile(rb"\s*\Z")
_TAG_REST = re.compile(rb"(?:[^\"'>]+|\"[^\"]*\"|'[^']*')*")
_OPEN_ENTITY = re.compile(rb"&[#\w]{0,40}\Z")


def too_deep(where: str, cases: int, failing: int) -> UnreadableInput:
    """A report nested past MAX_DEPTH elements (expat keeps each open one): refused."""
    return UnreadableInput(
        f"JUnit XML nested more than {MAX_DEPTH:,} elements deep: not a JUnit report; "
        f"{cases} test case(s), {failing} failing, read before it",
        where=where,
    )


@dataclass
class _Skip:
    """The rest of a token closed early, skipped up to its end in the input."""

    what: str  # for the note: `the message attribute of <failure>`, `a comment`
    line: int  # where the token starts
    kept: int  # bytes of it read
    end: bytes  # its end: a quote, `>` (a start tag's), `-->`, `?>`
    tag: bytes = b""  # a start tag's name (its `/>` becomes `</name>`)
    skipped: int = 0
    quote: bytes = b""  # inside a quoted value of the start tag being skipped
    self_closing: bool = False  # the start tag skipped ends with `/>`
    carry: bytes = b""  # the last bytes skipped (an end may straddle two chunks)


class Bounded:
    """Gives a parser its input, closing any token it would hold past `MAX_PENDING` bytes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.notes: list[str] = []
        self.given = 0  # bytes given to the current parser
        self.removed = 0  # bytes of the input not given (skipped, less those added)
        self.closing: tuple[bytes, _Skip] | None = None  # to give before the next bytes
        self.skip: _Skip | None = None
        # (offset of the parser's input, newlines skipped before it in all), in order
        self.shifts: list[tuple[int, int]] = []
        self.skipped_lines = 0
        self.recent: list[bytes] = []  # the last bytes given, enough to hold a pending token

    def begin(self, given: int) -> None:
        """A new parser, `given` bytes given to it already (the tags reopening the suites)."""
        self.given, self.shifts, self.recent, self.skipped_lines = given, [], [], 0

    def stop(self, index: int) -> int:
        """The parser stopped at offset `index` of its input: the newlines skipped before it,
        to count on (a token being skipped is noted as cut there)."""
        lines = self.lines_before(index)
        self.finish()
        return lines

    def lines_before(self, index: int) -> int:
        """Newlines skipped before offset `index` of the parser's input."""
        at = bisect.bisect_right(self.shifts, index, key=lambda shift: shift[0])
        return self.shifts[at - 1][1] if at else 0

    def take(self, data: bytes) -> bytes:
        """The input's next bytes as they are given to the parser: less what is skipped of a
        token closed early, with what closes it first."""
        if self.closing is not None or self.skip is not None:
            data = self._skipping(data)
        self.given += len(data)
        self.recent.append(data)
        while len(self.recent) > 2 and sum(map(len, self.recent[1:])) > 4 * MAX_PENDING:
            del self.recent[0]
        return data

    def check(self, expat: Any, line_base: int) -> None:
        """After the parser read what it was given: past `MAX_PENDING` bytes of one token held,
        the token is closed in the next bytes given."""
        if expat is None or self.skip is not None or self.closing is not None:
            return
        pending = self.given - max(0, int(expat.CurrentByteIndex))
        if MAX_PENDING < pending <= sum(map(len, self.recent)):
            line = line_base + int(expat.CurrentLineNumber) + self.skipped_lines
            self._close(b"".join(self.recent)[-pending:], line)

    def finish(self) -> None:
        """The input ended (or its parser stopped) inside a skipped token: noted as cut there."""
        if self.skip is not None:
            self._note(self.skip, "to the end of what was read")
        self.skip = self.closing = None

    # -- closing a token ------------------------------------------------------------------
    def _close(self, token: bytes, line: int) -> None:
        """What to give next to close `token`, the bytes expat holds, and what to skip after."""
        if token.startswith(b"<!--"):
            self.closing = (b" -->", _Skip("a comment", line, len(token), b"-->"))
        elif token.startswith(b"<?"):
            self.closing = (b" ?>", _Skip("a processing instruction", line, len(token), b"?>"))
        elif token.startswith(b"</"):
            self.closing = (b">", _Skip("an end tag", line, len(token), b">"))
        elif (tag := _START_TAG.match(token)) is not None:
            name, rest = tag.group(1), token[tag.end() :]
            element = f"<{name.decode(errors='replace')}>"
            what = f"the start tag {element} (its attributes)"
            if (value := _IN_VALUE.match(rest)) is not None:
                quote = value.group(2) or value.group(3)
                if len(rest) - value.end(1) > MAX_PENDING // 2:  # the value is what is huge
                    attribute = value.group(1).decode(errors="replace")
                    what = f"the `{attribute}` attribute of {element}"
                    self.closing = (quote, _Skip(what, line, len(token), quote))
                else:  # one of many attributes: the tag is closed after it
                    skip = _Skip(what, line, len(token), b">", tag=name, quote=quote)
                    self.closing = (quote + b">", skip)
                return
            # a name cut by the chunk's end is made one no runner writes (it may be the start of
            # one given before: a duplicate is not well-formed)
            ends = ((_NAME_CUT, b'.poolctl-cut="">'), (_NAME_ONLY, b'="">'), (_NAME_EQUALS, b'"">'))
            for pattern, added in (*ends, (_SPACE, b">")):
                if pattern.match(rest):
                    self.closing = (added, _Skip(what, line, len(token), b">", tag=name))
                    return

    def _skipping(self, data: bytes) -> bytes:
        """`data` less the skipped part of a token closed early, with what closes it first."""
        out = b""
        if self.closing is not None:
            added, closed = self.closing
            self.closing, self.skip = None, closed
            # a character or an entity reference cut by the chunk's end is finished first
            done = _finish_character(data, self.recent[-1] if self.recent else b"", closed)
            out, data = data[:done] + added, data[done:]
            self.removed -= len(added)
        skip = self.skip
        assert skip is not None
        end = _end_of(skip, data)
        if end is None:
            skip.skipped += len(data)
            self._skipped_lines(data.count(b"\n"), len(out))
            self.removed += len(data)
            return out
        self.skip = None
        skip.skipped += end
        self._skipped_lines(data.count(b"\n", 0, end), len(out))
        self.removed += end
        self._note(skip, "")
        end_tag = b"</" + skip.tag + b">" if skip.self_closing else b""
        self.removed -= len(end_tag)
        return out + end_tag + data[end:]

    def _skipped_lines(self, count: int, at: int) -> None:
        if not count:
            return
        self.skipped_lines += count
        offset = self.given + at  # where the skipped bytes would have been
        if self.shifts and self.shifts[-1][0] == offset:  # a token skipped over many chunks
            self.shifts[-1] = (offset, self.skipped_lines)
        else:
            self.shifts.append((offset, self.skipped_lines))

    def _note(self, skip: _Skip, where: str) -> None:
        size = (skip.kept + skip.skipped) / MB
        self.notes.append(
            f"{self.name}:{skip.line}: {skip.what} is {size:,.1f} MB: its first "
            f"{skip.kept / MB:.1f} MB read, the rest skipped{' ' + where if where else ''} "
            "(expat holds a token whole: the report stays in bounded memory)"
        )


def _finish_character(data: bytes, before: bytes, skip: _Skip) -> int:
    """How many bytes of `data` finish a UTF-8 character, or (in an attribute value) an entity
    reference, that the last bytes given (`before`) leave open."""
    done = 0
    while done < min(3, len(data)) and 0x80 <= data[done] < 0xC0:
        done += 1
    in_value = skip.quote or skip.end in (b'"', b"'")
    if in_value and done == 0 and _OPEN_ENTITY.search(before[-42:]):
        semicolon = data.find(b";", 0, 42)
        done = semicolon + 1 if semicolon >= 0 else 0
    return done


def _end_of(skip: _Skip, data: bytes) -> int | None:
    """Where in `data` the skipped token ends, its end skipped too (for a start tag, all but
    its `>`, given as `</name>` after a `/`); None when it goes on past it."""
    if skip.end in (b'"', b"'"):
        at = data.find(skip.end)
        return None if at < 0 else at + 1
    if skip.end == b">":
        return _end_of_tag(skip, data)
    both = skip.carry + data
    at = both.find(skip.end)
    skip.carry = both[-(len(skip.end) - 1) :]
    if at < 0:
        return None
    return at + len(skip.end) - (len(both) - len(data))


def _end_of_tag(skip: _Skip, data: bytes) -> int | None:
    """The end of a start tag's further attributes: its `>` outside quoted values."""
    pos = 0
    if skip.quote:
        at = data.find(skip.quote)
        if at < 0:
            return None
        skip.quote, pos = b"", at + 1
    rest = _TAG_REST.match(data, pos)  # it matches, if only nothing
    stop = rest.end() if rest is not None else pos
    if stop == len(data):
        skip.carry = data[-1:] or skip.carry
        return None
    if data[stop : stop + 1] != b">":  # a quoted value going on past `data`
        skip.quote = data[stop : stop + 1]
        return None
    before = data[stop - 1 : stop] if stop else skip.carry
    skip.self_closing = before == b"/"  # the element opened by the `>` given is closed
    return stop + 1
