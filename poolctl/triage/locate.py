"""Each failure block's raw lines, to quote evidence with its input line number.

Parsers keep a failure's fields, not the raw lines they came from; the text parsers' scan
records each block's lines and the lines after it as it reads them (`ParsedLog.blocks` and
`.after`), and `BlockLines.of` serves them. Only a failure the scan did not record (a JUnit test
case) is read back from its file: in one pass per file, keeping only those lines (newlines are
counted in large chunks, so the lines between blocks cost little).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from poolctl.logs import jsonlines
from poolctl.logs.ansi import strip_ansi
from poolctl.logs.blocks import AFTER, MAX_BLOCK, MAX_LINE
from poolctl.logs.prefixes import strip_prefixes
from poolctl.logs.pytest_timeout import BANNER_RE
from poolctl.logs.records import Lines, ParsedLog
from poolctl.model import Failure

CHUNK = 1 << 20
# a long traceback entry's location line, with the function the parser read from its source
# (`path.py:12: in f`): the log prints `path.py:12: ` alone
_NAMED_FRAME_RE = re.compile(r"^(?P<where>\S+:\d+:) in \w+$")
# a frame as the parser writes it (`path:12: in f`, `<frozen os>:679: KeyError`): printed by
# `--tb=native` as `File "path", line 12, in f`
_FRAME_RE = re.compile(r"^(?P<path>[^\s:][^:]*?):(?P<line>\d+):(?: .*)?$")
# what a parser names in its own words, and the line of the block that printed it
_SAID_AS = {"pytest-timeout": BANNER_RE}
_SPAN = 30  # lines a message joined from several lines may run over


def _strip(text: str) -> str:
    return " ".join(text.split())


def _text(raw: bytes) -> str:
    """A raw line as the parsers saw it: decoded, without ANSI codes or CI prefixes."""
    return strip_prefixes(strip_ansi(raw.decode("utf-8", "replace")))


def _record_text(raw: bytes) -> str:
    """A raw line of a log collector's JSON lines as the parsers saw it: the text it holds."""
    text = jsonlines.text_of(raw.rstrip(b"\r"))
    return _text(raw if text is None else text)


def _key(text: str) -> str:
    """A line's characters without blanks or colons: a parser joins the lines of a message
    with a space or with `: `."""
    return re.sub(r"[\s:]+", "", text)


class _Squeezed:
    """`_strip` of block lines, remembered by the line: thousands of failures print the same
    code lines, frames and assertions (the 200 MB logs of bench/triage.py hold 3,300-3,700
    distinct block lines). Bounded: past `MAX_CHARS` characters held, it starts again."""

    MAX_CHARS = 1_000_000
    ENTRY_CHARS = 100  # what an entry costs besides its two texts

    def __init__(self) -> None:
        self.lines: dict[str, str] = {}  # read directly (`_Rows`): the hot path
        self._chars = 0

    def miss(self, text: str) -> str:
        """`_strip(text)`, remembered (a blank line's empty text is looked up here again)."""
        found = self.lines.get(text)
        if found is None:
            found = _strip(text)
            size = self.ENTRY_CHARS + len(text) + len(found)
            if self._chars + size > self.MAX_CHARS:
                self.lines.clear()
                self._chars = 0
            self.lines[text] = found
            self._chars += size
        return found


class _Rows:
    """One block's lines as `locate` and `printed` compare them: each line blank-squeezed
    (`_strip`), and the non-blank ones with their keys (`_key`) when first asked. A failure's
    quotes are placed one after the other, so the last block's rows serve them all."""

    __slots__ = ("_joined", "_keys", "lines", "nonblank", "numbered")

    def __init__(self, lines: Lines, remembered: _Squeezed | None = None) -> None:
        self.lines = lines
        if remembered is None:
            self.numbered = [(n, _strip(text)) for n, text in lines]
        else:
            known, miss = remembered.lines.get, remembered.miss
            self.numbered = [(n, known(text) or miss(text)) for n, text in lines]
        # a line is blank when its squeezed text is empty (`str.split` drops the same blanks)
        self.nonblank = [
            (n, text, squeezed)
            for (n, text), (_, squeezed) in zip(lines, self.numbered, strict=True)
            if squeezed
        ]
        self._keys: list[str] | None = None
        self._joined: str | None = None

    def first_holding(self, wanted: str) -> int | None:
        """The index in `numbered` of the first line whose squeezed text holds `wanted` (which
        holds no newline: a squeezed text's words are joined by single spaces), found in the
        lines joined, once, by newlines: no match runs across one."""
        joined = self._joined
        if joined is None:
            joined = self._joined = "\n".join(squeezed for _, squeezed in self.numbered)
        at = joined.find(wanted)
        return joined.count("\n", 0, at) if at >= 0 and self.numbered else None

    @property
    def keys(self) -> list[str]:
        """`_key` of each non-blank line."""
        if self._keys is None:
            self._keys = [_key(text) for _, text, _ in self.nonblank]
        return self._keys


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


class BlockLines:
    """The raw lines of each failure block (and a few after it), when the input is a file."""

    def __init__(self) -> None:
        self._blocks: dict[tuple[str, int], list[tuple[int, str]]] = {}
        self._after: dict[tuple[str, int], list[tuple[int, str]]] = {}
        self._rows: _Rows | None = None  # the last block compared (see `_rows_of`)
        self._squeezed = _Squeezed()

    def _rows_of(self, failure: Failure) -> _Rows:
        """`failure`'s block lines as compared, worked out once for its quotes (the block's own
        list, `lines`, is the key: a block given again by `with_lines` is a new list)."""
        lines = self.lines(failure)
        rows = self._rows
        if rows is None or rows.lines is not lines:
            rows = self._rows = _Rows(lines, self._squeezed)
        return rows

    @classmethod
    def of(cls, parsed: ParsedLog) -> BlockLines:
        """The blocks the scan recorded; the others read back from their files."""
        found = cls.read(
            [f for f in parsed.failures if (f.input_file, f.line_start) not in parsed.blocks]
        )
        found._blocks.update(parsed.blocks)
        found._after.update(parsed.after)
        return found

    @classmethod
    def of_one(cls, failure: Failure, lines: Lines) -> BlockLines:
        """Only `failure`'s block, as recorded."""
        return cls().with_lines(failure, lines)

    def with_lines(self, failure: Failure, lines: Lines) -> BlockLines:
        """These blocks, and `failure`'s as recorded (its lines, no lines after it)."""
        self._blocks[(failure.input_file, failure.line_start)] = lines
        return self

    @classmethod
    def read(cls, failures: Iterable[Failure]) -> BlockLines:
        """Read every block of every failure whose input is a regular file."""
        found = cls()
        by_file: dict[str, list[Failure]] = {}
        for f in failures:
            if f.input_file and f.line_start > 0:
                by_file.setdefault(f.input_file, []).append(f)
        for file, items in by_file.items():
            path = Path(file)
            try:
                if path.is_file():
                    found._read_file(path, file, sorted(items, key=lambda f: f.line_start))
            except OSError:
                continue  # quotes keep the block's range as their origin
        return found

    def _read_file(self, path: Path, file: str, failures: list[Failure]) -> None:
        blocks: dict[int, tuple[int, int]] = {}
        after: dict[int, tuple[int, int]] = {}
        for i, f in enumerate(failures):
            end = min(max(f.line_end, f.line_start), f.line_start + MAX_BLOCK - 1)
            blocks[f.line_start] = (f.line_start, end)
            nxt = failures[i + 1].line_start if i + 1 < len(failures) else end + AFTER + 1
            after[f.line_start] = (max(f.line_end, f.line_start) + 1, min(end + AFTER, nxt - 1))
        keep = self._scan(path, _merge([*blocks.values(), *after.values()]))
        for start, (lo, hi) in blocks.items():
            self._blocks[(file, start)] = [(n, keep[n]) for n in range(lo, hi + 1) if n in keep]
        for start, (lo, hi) in after.items():
            self._after[(file, start)] = [(n, keep[n]) for n in range(lo, hi + 1) if n in keep]

    @staticmethod
    def _scan(path: Path, wanted: list[tuple[int, int]]) -> dict[int, str]:
        """The lines of `path` inside the sorted, disjoint `wanted` ranges."""
        keep: dict[int, str] = {}
        idx = 0
        line_no = 1  # the number of the line that `tail` begins
        tail = b""
        clipped = False  # `tail` holds only the start of a giant line
        with path.open("rb") as fh:
            text = _record_text if jsonlines.wrapped(fh.read(CHUNK)) else _text
            fh.seek(0)
            while idx < len(wanted):
                chunk = fh.read(CHUNK)
                if not chunk:
                    if tail and wanted[idx][0] <= line_no <= wanted[idx][1]:
                        keep[line_no] = text(tail[:MAX_LINE])
                    break
                newlines = chunk.count(b"\n")
                if newlines == 0:
                    if not clipped:
                        tail += chunk
                        if len(tail) > MAX_LINE:
                            tail, clipped = tail[:MAX_LINE], True
                    continue
                last = chunk.rfind(b"\n")
                if line_no + newlines - 1 < wanted[idx][0]:  # no wanted line ends here
                    line_no += newlines
                    tail, clipped = chunk[last + 1 :][: MAX_LINE + 1], False
                    continue
                parts = chunk[:last].split(b"\n")
                parts[0] = (tail if clipped else tail + parts[0]) if tail else parts[0]
                first, final = line_no, line_no + len(parts) - 1
                while idx < len(wanted) and wanted[idx][0] <= final:
                    for n in range(max(wanted[idx][0], first), min(wanted[idx][1], final) + 1):
                        keep[n] = text(parts[n - first][:MAX_LINE])
                    if wanted[idx][1] > final:
                        break
                    idx += 1
                line_no = final + 1
                tail, clipped = chunk[last + 1 :][: MAX_LINE + 1], False
        return keep

    def lines(self, failure: Failure) -> list[tuple[int, str]]:
        """The block's raw lines as (line number, text); empty when it could not be read."""
        return self._blocks.get((failure.input_file, failure.line_start), [])

    def after(self, failure: Failure) -> list[tuple[int, str]]:
        """Up to `AFTER` lines printed after the block, before the next failure."""
        return self._after.get((failure.input_file, failure.line_start), [])

    def locate(self, failure: Failure, quote: str) -> int | None:
        """The line of `failure`'s block that holds `quote`, or None when it cannot be found."""
        if not quote:
            return None
        rows = self._rows_of(failure)
        if not rows.lines:
            return None
        wanted = _strip(quote)
        numbered = rows.numbered
        found = rows.first_holding(wanted)
        if found is not None:
            return numbered[found][0]
        named = _NAMED_FRAME_RE.match(wanted)
        where = named["where"] if named else None
        for n, squeezed in numbered if where else ():
            if squeezed == where:
                return n
        # a quote built from a field the parser joined: find its first 40 characters
        head = wanted[:40]
        found = rows.first_holding(head) if head else None
        return numbered[found][0] if found is not None else None

    def said_at(self, failure: Failure, quote: str = "") -> int | None:
        """The line of `failure`'s block that printed its message's first line after its kind
        (the line ends with it: `** (EXIT from #PID<0.918.0>) shutdown`, `E   KeyError: 'x'`)
        and holds `quote`: a short message's words may also be in the test's name on the
        header line before it."""
        said, wanted = _strip(failure.message.partition("\n")[0]), _strip(quote)
        for n, line in self._rows_of(failure).numbered if said else ():
            if line.endswith(said) and wanted in line:
                return n
        return None

    def printed(self, failure: Failure, quote: str, match: str = "") -> tuple[int, str] | None:
        """The block's line that printed `quote` when no line holds it whole (the parser built it
        from several lines or in its own words), as (line number, the line as printed): the
        line `--tb=native` prints a frame on, a long entry's location line (`path.py:12: `;
        the parser added the function from the entry's source), the first line of a message
        joined from several (the one holding `match`, the text a rule matched, when one does),
        or the line that printed what the parser named. None when none is found, when a line
        holds `quote` (`locate` places it), or for a JUnit report (XML lines, which the parser
        unescaped)."""
        if failure.source == "junit":
            return None
        rows = self._rows_of(failure)
        wanted = _strip(quote)
        if not rows.nonblank or not wanted or rows.first_holding(wanted) is not None:
            return None
        named = _NAMED_FRAME_RE.match(wanted)
        for n, text, squeezed in rows.nonblank if named else ():
            if named and squeezed == named["where"]:
                return n, text.strip()  # a long entry's location line, without the function
        frame = _FRAME_RE.match(wanted)
        if frame:
            native = f'File "{frame["path"]}", line {frame["line"]}'
            for n, text, squeezed in rows.nonblank:
                if squeezed.startswith(native):
                    return n, text.strip()
        found = self._spanning(rows, _key(wanted), _strip(match))
        if found is not None:
            return found
        banner = _SAID_AS.get(wanted)
        for n, text, _ in rows.nonblank if banner else ():
            if banner and banner.search(text):
                return n, text.strip()
        return None

    @staticmethod
    def _spanning(rows: _Rows, wanted: str, match: str) -> tuple[int, str] | None:
        """The first of the consecutive non-blank lines whose text, joined, holds `wanted` (a
        key: see `_key`) from inside that first line on; of those lines, the one holding
        `match`."""
        if len(wanted) < 8:
            return None
        keys = rows.keys
        for i, key in enumerate(keys):
            if not key:
                continue
            joined, j = key, i
            while len(joined) < len(key) + len(wanted) and j + 1 < min(len(keys), i + _SPAN):
                j += 1
                joined += keys[j]
            at = joined.find(wanted)
            if not 0 <= at < len(key):
                continue
            end, last = at + len(wanted) - len(key), i
            while end > 0 and last < j:
                last += 1
                end -= len(keys[last])
            span = rows.nonblank[i : last + 1]
            holding = [(n, t) for n, t, squeezed in span if match and match in squeezed]
            n, text = holding[0] if holding else span[0][:2]
            return n, text.strip()
        return None
