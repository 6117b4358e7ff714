"""The streaming engine shared by the text parsers (ExUnit, pytest).

Outside any block, the parser's trigger regexes, as one RE2 regex, are searched over each chunk
of bytes: an ordinary line costs no Python work at all, is never decoded, and only the lines
they match go to `outside`. A parser that finds the start of a multi-line block (a failure, a
traceback) installs a `Consumer`, which then gets the following lines one by one until it
declines one. A `BlockRecorder` keeps each failure block's lines and the lines after it. The
first megabyte of an input feeds the identifier index whole; past it, the lines around each
failure are looked at for its pool and pids.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar, Protocol

import re2

from poolctl import redact
from poolctl.logs.blocks import BlockRecorder
from poolctl.logs.identifiers import IDENTIFIER_PATTERNS, key_of
from poolctl.logs.lines import Chunk, ChunkReader, Progress
from poolctl.logs.prefixes import MARKERS
from poolctl.logs.records import IdentifierIndex, Lines, LogLine, ParsedLog, WorkerTraceback
from poolctl.model import ContextLine, Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.search_ahead import SearchAhead

MAX_TEXT = 400  # characters of a line kept in a context line or the identifier index
NEARBY = 15  # non-blank lines before a failure header kept as its context
NEARBY_SPAN = 60  # ... looked for at most this many lines back
MAX_TRACEBACKS = 200
MAX_TRACEBACK_LINES = 120
MAX_BLOCK_LINES = 2_000  # a failure block longer than this is cut (its text, not the scan)
MAX_FIELD = 20_000  # characters kept per detail field
# Failures kept whole across all inputs; past that each one is classified and counted in its
# group (`ParsedLog.overflow`), never kept: a log of 50,000 failures stays in bounded memory.
MAX_FAILURES = 5_000
# Bytes at the start of an input whose lines all feed the identifier index; past them, only the
# lines around each failure are looked at for its pool and pids (`ParsedLog.near`).
FULL_INDEX = 1 << 20


def keep_failure(out: ParsedLog, failure: Failure, recorder: BlockRecorder | None = None) -> bool:
    """Append `failure` to `out` unless `MAX_FAILURES` are kept already (then see
    `overflow_failure`); True when it was read."""
    if len(out.failures) < MAX_FAILURES:
        out.failures.append(failure)
        return True
    return overflow_failure(out, failure, recorder)


def overflow_failure(
    out: ParsedLog, failure: Failure, recorder: BlockRecorder | None = None
) -> bool:
    """A failure past the cap: given with its block's lines to `out.overflow` (classified and
    counted there), or only noted when nothing takes it; True when it was read."""
    lines = recorder.forget(failure) if recorder is not None else []
    noted = any(note.startswith("failures past the first") for note in out.skipped[-3:])
    if out.overflow is not None:
        out.overflow(failure, lines)
        out.overflowed += 1
        if not noted:
            out.skipped.append(
                f"failures past the first {MAX_FAILURES:,} are classified and counted in "
                f"their groups, not kept whole (from {failure.origin} on)"
            )
        return True
    if not noted:
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


def block_failure(
    source: Source,
    input_file: str,
    lines: Lines,
    *,
    name: str,
    group: str,
    location: str,
    kind: str,
    message: str,
    details: dict[str, str],
    frames: Iterable[str],
) -> Failure:
    """A failure read from a block's `lines` (its span theirs), its message and frames clipped
    as every block reader clips them."""
    return Failure(
        source=source,
        name=name,
        group=group,
        location=location,
        kind=kind,
        message=clip(message, MAX_FIELD),
        details=details,
        stacktrace=tuple(clip(f, 1_000) for f in frames),
        input_file=input_file,
        line_start=lines[0][0],
        line_end=lines[-1][0],
    )


def line_failure(
    source: Source,
    input_file: str,
    line: tuple[int, str],
    *,
    name: str,
    group: str,
    location: str,
    message: str,
    details: dict[str, str],
) -> Failure:
    """A failure known by one line of the log alone (a run stopped before the runner printed
    its block): no kind, no frames, `message` saying why."""
    return block_failure(
        source, input_file, [line], name=name, group=group, location=location, kind="",
        message=message, details=details, frames=(),
    )  # fmt: skip


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False


@functools.cache
def trigger_regex(triggers: tuple[str, ...]) -> Any:
    """The CI markers and the parser's triggers, as one RE2 regex over bytes (`^` starts a
    line), called directly (see `poolctl.patterns.regex.Re2Regex`). No capturing group: RE2
    finds a match with its DFA alone, where a group made it run a submatch engine on each match
    (20,000 in a 200 MB `pytest -vv` log); `candidate_lines` tells a marker apart itself."""
    union = "|".join(f"(?:{t})" for t in triggers)
    markers = "|".join(MARKERS)
    return re2._re2.RE2(f"(?m){markers}|{union}".encode(), _OPTIONS)


@functools.cache
def _marker_regex() -> Any:
    """The CI markers alone, tried where `trigger_regex` matched (the markers come first in it:
    a marker there is what it matched)."""
    return re2._re2.RE2(f"(?m){'|'.join(MARKERS)}".encode(), _OPTIONS)


def reduced_triggers(triggers: tuple[str, ...], traceback: tuple[str, ...]) -> tuple[str, ...]:
    """The triggers searched once `MAX_TRACEBACKS` are kept: the traceback ones left out."""
    return tuple(t for t in triggers if t not in traceback)


class Marked(Exception):
    """A CI marker in a chunk searched as it is, at offset `at`: it must be cleaned first."""

    def __init__(self, at: int) -> None:
        super().__init__(at)
        self.at = at


@dataclass
class Found:
    """A chunk's candidate lines: their start offsets, the line number of each (from the
    chunk's first, 0), and the chunk's number of lines."""

    starts: list[int]
    numbers: list[int]
    lines: int


def search(data: bytes, regex: Any, *, clean: bool = True) -> Found:
    """`candidate_lines` of `data` with their line numbers, and its line count: the part of a
    chunk's scan that needs no parser."""
    starts = candidate_lines(data, regex, clean=clean)
    numbers: list[int] = []
    number = pos = 0
    count = data.count
    for start in starts:
        number += count(b"\n", pos, start)
        numbers.append(number)
        pos = start
    return Found(starts, numbers, number + count(b"\n", pos))


def candidate_lines(data: bytes, regex: Any, pos: int = 0, *, clean: bool = True) -> list[int]:
    """Sorted start offsets of the lines of `data` from `pos` on that `regex` matches (a line
    once); `Marked` when a CI marker is found in lines not cleaned (`clean` false)."""
    starts: list[int] = []
    size = len(data)
    match, anchor = regex.Match, re2._Anchor.UNANCHORED
    marker, at_start = _marker_regex().Match, re2._Anchor.ANCHOR_START
    rfind, find = data.rfind, data.find
    while pos < size:
        at = match(anchor, data, pos, size)[0][0]
        if at < 0:
            break
        end = marker(at_start, data, at, size)[0][1]
        if end >= 0:  # leftmost-first: a marker that starts here is what the regex matched
            if not clean:
                raise Marked(at)
            pos = end + (end == at)
            continue
        start = rfind(b"\n", 0, at) + 1
        if not starts or start != starts[-1]:
            starts.append(start)
        pos = find(b"\n", at) + 1  # the rest of this line is a candidate already
        if pos == 0:
            break
    return starts


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
    # Outside any block, only the lines these match go to `outside` (regex sources, RE2 syntax;
    # `^` starts a line). Each starts with a literal, so that the search skips ahead fast.
    triggers: ClassVar[tuple[str, ...]]
    # ... of them, those that only start a worker traceback or a crash report: once
    # `MAX_TRACEBACKS` are kept, they are not searched (nor the tracebacks read) any more
    traceback_triggers: ClassVar[tuple[str, ...]] = ()

    def __init__(self, name: str, out: ParsedLog) -> None:
        self.name = name
        self.out = out
        self.consumer: Consumer | None = None
        self.barrier = 0  # last line of the previous failure block: nearby context stops there
        self.recorder = BlockRecorder(name, out)
        self.reader: ChunkReader | None = None
        self._tail: list[tuple[int, str]] = []  # last non-blank lines of the previous chunk
        self._data = b""
        self._line_start = 0
        self._line_number = 0
        self._reduced = False  # the traceback triggers are left out of the search

    # -- the loop ---------------------------------------------------------------------------
    def parse(self, stream: BinaryIO, head: bytes, progress: Progress | None = None) -> ChunkReader:
        reader = ChunkReader(stream, self.name, self.out.skipped, head=head, progress=progress)
        self.reader = reader
        reader.count_lines = False  # the search counts them, once
        # each chunk is searched with the regex wanted before the chunk ahead of it is parsed
        # (a search in a thread ran there once: RE2's `Match` holds the interpreter's lock, so
        # the thread ran beside nothing and only added its switches), or by a process ahead of
        # this loop, on another CPU (`poolctl.logs.search_ahead`)
        ahead = self.out.search_ahead
        if ahead is not None and not ahead.take(self.name, self.source, stream, head):
            ahead = None
        reader.told_plain = ahead.plain if ahead is not None else None  # its child tests them
        chunks = iter(reader)
        chunk = next(chunks, None)
        regex = self._regex()
        try:
            self._chunks(reader, chunks, chunk, regex, ahead)
        finally:
            if ahead is not None:
                ahead.stop()
        while self.consumer is not None:
            consumer, self.consumer = self.consumer, None
            for number, line in consumer.close():
                self._dispatch(number, line)
        self.finish()
        self.recorder.finish()
        return reader

    def _chunks(
        self,
        reader: ChunkReader,
        chunks: Iterator[Chunk],
        chunk: Chunk | None,
        regex: Any,
        ahead: SearchAhead | None,
    ) -> None:
        indexed = 0  # bytes of the input the identifier index covers
        while chunk is not None:
            if indexed < FULL_INDEX and chunk.cleaned:  # while the child searches it (a
                indexed = self._index(chunk, indexed)  # cleaned chunk is searched as it is)
            if ahead is not None and self._reduced:
                ahead.reduce()
            found = None
            if ahead is not None:
                found = ahead.found(chunk, regex is not trigger_regex(self.triggers))
            if found is None:
                try:
                    found = search(chunk.data, regex, clean=chunk.cleaned)
                except Marked as marked:  # CI line prefixes or markers: cleaned first
                    chunk = reader.clean(chunk, marked.at)
                    found = search(chunk.data, self._regex())
            reader.lines = chunk.first_line + found.lines - 1
            if indexed < FULL_INDEX:  # a chunk the search may have cleaned: indexed as it is now
                indexed = self._index(chunk, indexed)
            following = next(chunks, None)  # read before this one is parsed
            if following is not None:
                regex = self._regex()
            self._scan(chunk, found)
            chunk = following

    def _index(self, chunk: Chunk, indexed: int) -> int:
        """The input's first megabyte feeds the identifier index: `chunk`'s part of it, when
        `indexed` bytes are already; returns the bytes indexed after it."""
        data = chunk.data
        if len(data) > FULL_INDEX - indexed:  # up to its last whole line there
            data = data[: data.rfind(b"\n", 0, FULL_INDEX - indexed) + 1]
            indexed = FULL_INDEX
        else:
            indexed += len(data)
        if data:
            text = data.decode("utf-8", "replace")
            index_lines(self.out.identifiers, self.name, chunk.first_line, text)
            self.out.indexed_to[self.name] = chunk.first_line + data.count(b"\n") - 1
        return indexed

    @property
    def tracebacks_full(self) -> bool:
        """`MAX_TRACEBACKS` are kept: further tracebacks and crash reports are not read."""
        return len(self.out.tracebacks) >= MAX_TRACEBACKS

    def _regex(self) -> Any:
        if self.tracebacks_full and self.traceback_triggers:
            self._reduced = True
            return trigger_regex(reduced_triggers(self.triggers, self.traceback_triggers))
        return trigger_regex(self.triggers)

    def _scan(self, chunk: Chunk, found: Found) -> None:
        """Dispatch the chunk's candidate lines (every line while a block is read)."""
        data = chunk.data
        self._data = data
        decode = self.reader.decode if self.reader is not None else _decode
        recorder = self.recorder
        candidates, numbers = found.starts, found.numbers
        next_candidate = 0
        first = chunk.first_line
        number = first
        pos = 0
        size = len(data)
        while pos < size:
            if self.consumer is None and not recorder.capturing:
                while next_candidate < len(candidates) and candidates[next_candidate] < pos:
                    next_candidate += 1
                if next_candidate == len(candidates):
                    break
                start = candidates[next_candidate]
                number = first + numbers[next_candidate]
                next_candidate += 1
                matched = True
            else:
                start = pos
                while next_candidate < len(candidates) and candidates[next_candidate] < start:
                    next_candidate += 1
                matched = next_candidate < len(candidates) and candidates[next_candidate] == start
            end = data.index(b"\n", start)
            self._line_start = start
            self._line_number = number
            line = decode(number, data[start:end])
            if matched or self.consumer is not None:
                self._dispatch(number, line)
            else:  # a line after a block, for the recorder, that no trigger matched
                recorder.take(number, line)
                self.unmatched(number, line)
            pos = end + 1
            number += 1
            if (
                not self._reduced
                and self.traceback_triggers
                and len(self.out.tracebacks) >= MAX_TRACEBACKS
            ):  # the traceback triggers are not wanted any more: the rest searched again
                rest = search(data[pos:], self._regex())
                candidates = [pos + start for start in rest.starts]
                numbers = [number - first + n for n in rest.numbers]
                next_candidate = 0
        self._tail = self._preceding(data, size, first + found.lines)

    def _dispatch(self, number: int, line: str) -> None:
        self.recorder.take(number, line)
        consumer = self.consumer
        if consumer is None:
            self.outside(number, line)
        elif not consumer.feed(number, line):
            self.consumer = None
            for given_number, given_line in consumer.close():
                self._dispatch(given_number, given_line)
            self._dispatch(number, line)

    # -- hooks ------------------------------------------------------------------------------
    def outside(self, number: int, line: str) -> None:
        """A line outside any block that the trigger matched (or a block declined)."""
        raise NotImplementedError

    def unmatched(self, number: int, line: str) -> None:
        """A line outside any block that no trigger matched, passed only because the lines
        after a failure block are kept (`BlockRecorder.capturing`): read as `outside` reads any
        line, unless the parser knows that it reads nothing there."""
        self.outside(number, line)

    def finish(self) -> None:
        """The input ended."""

    # -- helpers for subclasses ---------------------------------------------------------------
    def last_line(self) -> tuple[int, str] | None:
        """Once the input has ended: its last non-blank line, if it is no failure block's."""
        return self._tail[-1] if self._tail else None

    def last_lines(self) -> list[tuple[int, str]]:
        """Once the input has ended: its last non-blank lines (at most NEARBY) after the last
        failure block."""
        return list(self._tail)

    def keep(self, failure: Failure, lines: Lines | None = None) -> bool:
        """A failure read: its block's lines (or `lines`) recorded, and kept (see
        `keep_failure`); True when it was read. The lines after a failure past the cap are
        not taken: the overflow counts it from its block alone, and taking them would pass every
        line after it through the parser."""
        self.recorder.done(failure, lines, after=len(self.out.failures) < MAX_FAILURES)
        return keep_failure(self.out, failure, self.recorder)

    def nearby_before(self, number: int) -> list[ContextLine]:
        """Non-blank lines shortly before line `number` (the current line), oldest first."""
        pos, current = self._line_start, self._line_number
        data = self._data
        while current > number and pos > 0:  # a line given back by a block, before this one
            pos = data.rfind(b"\n", 0, pos - 1) + 1
            current -= 1
        found = self._preceding(data, pos, number)
        return [ContextLine(n, t, "before the header") for n, t in found]

    def _preceding(self, data: bytes, pos: int, number: int) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        decode = self.reader.decode if self.reader is not None else _decode
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
            start = data.rfind(b"\n", 0, pos - 1) + 1
            raw = data[start : pos - 1]
            if raw.strip():
                found.append((n, clip(decode(n, raw))))
            pos = start
        found.reverse()
        return found

    def add_traceback(self, traceback: WorkerTraceback) -> None:
        if len(self.out.tracebacks) < MAX_TRACEBACKS:
            self.out.tracebacks.append(traceback)


def _decode(number: int, raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


_EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(?::(?: |$)|$)")


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
        # The unindented line that closes a traceback: `SomeError: message`. Any other line
        # (pytest's `path.py:12: SomeError` after an exception group, say) is not the
        # traceback's: it ends it, and is read as a line of its own.
        if not _EXCEPTION_LINE.match(stripped):
            return False
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
