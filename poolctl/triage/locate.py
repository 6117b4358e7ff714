"""Find the input line number of a quoted line inside a failure block.

Parsers keep a failure's fields, not the raw lines they came from; to quote evidence with its
input line, the block's lines are read back from the file in one pass per file. Newlines are
counted in large chunks, so skipping the lines between blocks costs little.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from poolctl.logs.ansi import strip_ansi
from poolctl.model import Failure

CHUNK = 1 << 20
MAX_BLOCK = 400  # lines kept per block: a failure block longer than this is quoted by range


def _strip(text: str) -> str:
    return " ".join(text.split())


class BlockLines:
    """The raw lines of each failure block, read from the input files when they are files."""

    def __init__(self) -> None:
        self._blocks: dict[tuple[str, int], list[tuple[int, str]]] = {}

    @classmethod
    def read(cls, failures: Iterable[Failure]) -> BlockLines:
        """Read every block of every failure whose input is a regular file."""
        found = cls()
        wanted: dict[str, list[tuple[int, int]]] = {}
        for f in failures:
            if f.input_file and f.line_start > 0:
                end = max(f.line_end, f.line_start)
                end = min(end, f.line_start + MAX_BLOCK - 1)
                wanted.setdefault(f.input_file, []).append((f.line_start, end))
        for file, ranges in wanted.items():
            path = Path(file)
            try:
                if not path.is_file():
                    continue
                found._read_file(path, file, sorted(set(ranges)))
            except OSError:
                continue  # quotes keep the block's range as their origin
        return found

    def _read_file(self, path: Path, file: str, ranges: list[tuple[int, int]]) -> None:
        lo = ranges[0][0]
        hi = max(end for _, end in ranges)
        keep: dict[int, str] = {}
        line_no = 1  # number of the line that starts at the current chunk position
        tail = b""
        with path.open("rb") as fh:
            while line_no <= hi:
                chunk = fh.read(CHUNK)
                if not chunk:
                    if tail and lo <= line_no <= hi:
                        keep[line_no] = strip_ansi(tail[:4096].decode("utf-8", "replace"))
                    break
                data = tail + chunk
                newlines = data.count(b"\n")
                if line_no + newlines < lo:  # no wanted line completes in this chunk
                    tail = data[data.rfind(b"\n") + 1 :] if newlines else data
                    line_no += newlines
                    if len(tail) > CHUNK * 4:
                        tail = tail[-CHUNK:]  # a giant line is never quoted whole
                    continue
                parts = data.split(b"\n")
                tail = parts.pop()
                for raw in parts:
                    if lo <= line_no <= hi:
                        keep[line_no] = strip_ansi(raw[:4096].decode("utf-8", "replace"))
                    line_no += 1
        for start, end in ranges:
            self._blocks[(file, start)] = [(n, keep[n]) for n in range(start, end + 1) if n in keep]

    def lines(self, failure: Failure) -> list[tuple[int, str]]:
        """The block's raw lines as (line number, text); empty when it could not be read."""
        return self._blocks.get((failure.input_file, failure.line_start), [])

    def locate(self, failure: Failure, quote: str) -> int | None:
        """The line of `failure`'s block that holds `quote`, or None when it cannot be found."""
        lines = self._blocks.get((failure.input_file, failure.line_start))
        if not lines or not quote:
            return None
        wanted = _strip(quote)
        for n, text in lines:
            if wanted in _strip(text):
                return n
        # a quote built from a field that the parser joined: find its first 40 characters
        head = wanted[:40]
        for n, text in lines:
            if head and head in _strip(text):
                return n
        return None
