"""The streaming engine shared by the text parsers (ExUnit, pytest).

Outside any block, one compiled `trigger` regex is searched over each chunk, so an ordinary line
costs no Python work at all; only the lines it matches go to `outside`. A parser that finds the
start of a multi-line block (a failure, a traceback) installs a `Consumer`, which then gets the
following lines one by one until it declines one. A second regex pass over each chunk feeds
the identifier index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import BinaryIO, ClassVar, Protocol

from poolctl.logs.identifiers import IDENTIFIER_RE, key_of
from poolctl.logs.lines import Chunk, ChunkReader
from poolctl.logs.records import LogLine, ParsedLog, WorkerTraceback
from poolctl.model import ContextLine

MAX_TEXT = 400  # characters of a line kept in a context line or the identifier index
NEARBY = 15  # non-blank lines before a failure header kept as its context
NEARBY_SPAN = 60  # ... looked for at most this many lines back
MAX_TRACEBACKS = 200
MAX_TRACEBACK_LINES = 120
MAX_BLOCK_LINES = 2_000  # a failure block longer than this is cut (its text, not the scan)
MAX_FIELD = 20_000  # characters kept per detail field


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Consumer(Protocol):
    """A multi-line block being read: takes lines until one is not part of it."""

    def feed(self, number: int, line: str) -> bool:
        """Take `line`; False means the block ended before it (the line is handled elsewhere)."""
        ...

    def close(self) -> list[tuple[int, str]]:
        """The block ended (declined a line, or the input ended); return lines it gives back."""
        ...


class TextParser:
    """Base of the line-oriented parsers: chunk loop, consumers, nearby lines and identifiers."""

    source: ClassVar[str]
    trigger: ClassVar[re.Pattern[str]]

    def __init__(self, name: str, out: ParsedLog) -> None:
        self.name = name
        self.out = out
        self.consumer: Consumer | None = None
        self.barrier = 0  # last line of the previous failure block: nearby context stops there
        self._tail: list[tuple[int, str]] = []  # last non-blank lines of the previous chunk
        self._text = ""
        self._line_start = 0
        self._line_number = 0

    # -- the loop ---------------------------------------------------------------------------
    def parse(self, stream: BinaryIO, head: bytes) -> ChunkReader:
        reader = ChunkReader(stream, self.name, self.out.skipped, head=head)
        for chunk in reader:
            self._index(chunk)
            self._scan(chunk)
        while self.consumer is not None:
            consumer, self.consumer = self.consumer, None
            for number, line in consumer.close():
                self._dispatch(number, line)
        self.finish()
        return reader

    def _scan(self, chunk: Chunk) -> None:
        text = chunk.text
        self._text = text
        search = self.trigger.search
        number = chunk.first_line
        pos = 0
        size = len(text)
        while pos < size:
            if self.consumer is None:
                match = search(text, pos)
                if match is None:
                    break
                start = text.rfind("\n", pos, match.start()) + 1 or pos
                number += text.count("\n", pos, start)
            else:
                start = pos
            end = text.index("\n", start)
            self._line_start = start
            self._line_number = number
            self._dispatch(number, text[start:end])
            pos = end + 1
            number += 1
        self._tail = self._preceding(text, size, chunk.first_line + text.count("\n"))

    def _dispatch(self, number: int, line: str) -> None:
        consumer = self.consumer
        if consumer is None:
            self.outside(number, line)
        elif not consumer.feed(number, line):
            self.consumer = None
            for given_number, given_line in consumer.close():
                self._dispatch(given_number, given_line)
            self._dispatch(number, line)

    def _index(self, chunk: Chunk) -> None:
        text = chunk.text
        index = self.out.identifiers
        name = self.name
        number = chunk.first_line
        counted = 0
        last_start = -1
        logline: LogLine | None = None
        for match in IDENTIFIER_RE.finditer(text):
            at = match.start()
            number += text.count("\n", counted, at)
            counted = at
            start = text.rfind("\n", 0, at) + 1
            if start != last_start or logline is None:
                last_start = start
                end = text.find("\n", at)
                if end - start > MAX_TEXT and at - start > MAX_TEXT // 2:
                    start = at - MAX_TEXT // 2
                logline = LogLine(name, number, clip(text[start:end]))
            index.add(key_of(match), logline)

    # -- hooks ------------------------------------------------------------------------------
    def outside(self, number: int, line: str) -> None:
        """A line outside any block that the trigger matched (or a block declined)."""
        raise NotImplementedError

    def finish(self) -> None:
        """The input ended."""

    # -- helpers for subclasses ---------------------------------------------------------------
    def nearby_before(self, number: int) -> list[ContextLine]:
        """Non-blank lines shortly before line `number` (the current line), oldest first."""
        pos, current = self._line_start, self._line_number
        while current > number and pos > 0:  # a line given back by a block, before this one
            pos = self._text.rfind("\n", 0, pos - 1) + 1
            current -= 1
        found = self._preceding(self._text, pos, number)
        return [ContextLine(n, t, "before the header") for n, t in found]

    def _preceding(self, text: str, pos: int, number: int) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        n = number
        while len(found) < NEARBY and number - n < NEARBY_SPAN:
            if pos <= 0:
                for line_number, line in reversed(self._tail):
                    if len(found) >= NEARBY or number - line_number > NEARBY_SPAN:
                        break
                    if line_number > self.barrier:
                        found.append((line_number, line))
                break
            n -= 1
            if n <= self.barrier:
                break
            start = text.rfind("\n", 0, pos - 1) + 1
            line = text[start : pos - 1]
            if line.strip():
                found.append((n, clip(line)))
            pos = start
        found.reverse()
        return found

    def add_traceback(self, traceback: WorkerTraceback) -> None:
        if len(self.out.tracebacks) < MAX_TRACEBACKS:
            self.out.tracebacks.append(traceback)


class PythonTraceback:
    """A `Traceback (most recent call last):` block, chained exceptions included."""

    _CHAIN = ("During handling of the above exception", "The above exception was the direct")

    def __init__(self, parser: TextParser, number: int, line: str) -> None:
        self.parser = parser
        self.start = number
        self.end = number
        self.lines = [line[line.index("Traceback (most recent call last):") :]]
        self.exception = ""
        self.after_exception = False

    def feed(self, number: int, line: str) -> bool:
        stripped = line.strip()
        if self.after_exception:
            # Only a chained traceback continues the block after the exception line.
            if not stripped:
                return len(self.lines) < MAX_TRACEBACK_LINES
            if stripped.startswith(self._CHAIN) or stripped.startswith("Traceback (most recent"):
                self.after_exception = False
                self._keep(number, stripped)
                return True
            return False
        if not stripped:
            return False
        if line[0] in " \t" or stripped.startswith(self._CHAIN):
            self._keep(number, line)
            return True
        if stripped.startswith("Traceback (most recent"):
            self._keep(number, line)
            return True
        # The unindented line that closes a traceback: `SomeError: message`.
        self._keep(number, line)
        self.exception = clip(stripped, 2_000)
        self.after_exception = True
        return True

    def _keep(self, number: int, line: str) -> None:
        self.end = number
        if len(self.lines) < MAX_TRACEBACK_LINES:
            self.lines.append(clip(line, 2_000))

    def close(self) -> list[tuple[int, str]]:
        self.parser.add_traceback(
            WorkerTraceback(
                self.parser.name,
                self.start,
                self.end,
                "\n".join(self.lines).rstrip("\n"),
                self.exception,
            )
        )
        return []


def joined(lines: Iterable[str]) -> str:
    """Lines joined by newlines, without leading or trailing blank lines, capped."""
    return clip("\n".join(lines).strip("\n"), MAX_FIELD)
