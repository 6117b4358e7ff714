"""The streaming engine shared by the text parsers (ExUnit, pytest).

Outside any block, a few literal-led regexes are searched over each chunk, so an ordinary
line costs no Python work at all; only the lines they match go to `outside`. A parser that
finds the start of a multi-line block (a failure, a traceback) installs a `Consumer`, which
then gets the following lines one by one until it declines one. Another few regexes over each
chunk feed the identifier index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import BinaryIO, ClassVar, Protocol

from poolctl import redact
from poolctl.logs.identifiers import IDENTIFIER_PATTERNS, key_of
from poolctl.logs.lines import Chunk, ChunkReader
from poolctl.logs.records import IdentifierIndex, LogLine, ParsedLog, WorkerTraceback
from poolctl.model import ContextLine, Failure

MAX_TEXT = 400  # characters of a line kept in a context line or the identifier index
NEARBY = 15  # non-blank lines before a failure header kept as its context
NEARBY_SPAN = 60  # ... looked for at most this many lines back
MAX_TRACEBACKS = 200
MAX_TRACEBACK_LINES = 120
MAX_BLOCK_LINES = 2_000  # a failure block longer than this is cut (its text, not the scan)
MAX_FIELD = 20_000  # characters kept per detail field
MAX_FAILURES = 20_000  # failures kept across all inputs; past that they are only counted


def keep_failure(out: ParsedLog, failure: Failure) -> bool:
    """Append `failure` to `out` unless `MAX_FAILURES` are kept already (noted once)."""
    if len(out.failures) < MAX_FAILURES:
        out.failures.append(failure)
        return True
    if not any(note.startswith("failures past the first") for note in out.skipped[-3:]):
        out.skipped.append(
            f"failures past the first {MAX_FAILURES:,} not kept (from {failure.origin} on)"
        )
    return False


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis when cut; never inside a
    secret (a token cut in two would no longer be recognized, and half of it would show)."""
    if len(text) <= limit:
        return text
    return text[: redact.environment().cut_point(text, limit - 1)] + "…"


def candidate_lines(text: str, triggers: tuple[re.Pattern[str], ...]) -> list[int]:
    """Sorted start offsets of the lines of `text` that one of `triggers` matches.

    Each trigger starts with a literal, which `re` finds at memory speed, so a line that holds
    none costs nothing in Python. A trigger starting with a newline must start its line.
    """
    starts: set[int] = set()
    for trigger in triggers:
        skip = 1 if trigger.pattern.startswith("\\n") else 0
        if skip and trigger.match("\n" + text[:200]):
            starts.add(0)
        last = -1
        for match in trigger.finditer(text):
            at = match.start() + skip
            if at <= last:
                continue
            start = text.rfind("\n", 0, at) + 1
            starts.add(start)
            last = text.find("\n", at)
    return sorted(starts)


def index_lines(index: IdentifierIndex, name: str, first_line: int, text: str) -> None:
    """Add the lines of `text` (starting at line `first_line` of `name`) naming identifiers.

    The hot loop of a big log: per match only a dict lookup, until a line must be kept.
    """
    lines = index.lines
    full = index.max_identifiers
    keep = index.per_identifier
    made: dict[int, LogLine] = {}  # one LogLine per line, shared by its identifiers
    latest: dict[str, int] = {}  # identifiers already full: only their last mention matters
    for pattern, prefix in IDENTIFIER_PATTERNS:
        number = first_line
        counted = 0
        for match in pattern.finditer(text):
            if prefix:
                key = key_of(match, prefix, text)
                if key is None:
                    continue
            else:
                key = match.group(match.lastindex or 0)  # the whole match, or its one group
            kept = lines.get(key)
            if kept is None:
                if len(lines) >= full:
                    continue
            elif len(kept) >= keep:
                latest[key] = match.start()
                continue
            at = match.start()
            number += text.count("\n", counted, at)
            counted = at
            line = _logline(made, name, number, text, at)
            if kept is None or kept[-1] is not line:
                index.add(key, line)
    if latest:
        number = first_line
        counted = 0
        for at, key in sorted((at, key) for key, at in latest.items()):
            number += text.count("\n", counted, at)
            counted = at
            index.add(key, _logline(made, name, number, text, at))


def _logline(made: dict[int, LogLine], name: str, number: int, text: str, at: int) -> LogLine:
    start = text.rfind("\n", 0, at) + 1
    line = made.get(start)
    if line is None:
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        cut = start
        if end - start > MAX_TEXT and at - start > MAX_TEXT // 2:
            cut = at - MAX_TEXT // 2  # keep the part around the identifier
        line = made[start] = LogLine(name, number, clip(text[cut:end]))
    return line


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
    # Outside any block, only the lines these match go to `outside` (see `candidate_lines`).
    triggers: ClassVar[tuple[re.Pattern[str], ...]]

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
        candidates = candidate_lines(text, self.triggers)
        next_candidate = 0
        number = chunk.first_line
        pos = 0
        size = len(text)
        while pos < size:
            if self.consumer is None:
                while next_candidate < len(candidates) and candidates[next_candidate] < pos:
                    next_candidate += 1
                if next_candidate == len(candidates):
                    break
                start = candidates[next_candidate]
                next_candidate += 1
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
        index_lines(self.out.identifiers, self.name, chunk.first_line, chunk.text)

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
