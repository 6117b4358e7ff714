"""Each failure block's lines as the parser read them, and the lines printed after it.

The scan hands every line it looks at to a `BlockRecorder`: a block's lines are kept from its
header to its end (at most `MAX_BLOCK` lines of `MAX_LINE` characters), then the `AFTER` lines
that follow it (where a runner often logs the pool's state), up to the next failure. The
triage quotes evidence from them with its line number and reads them as the `block` and
`related` fields: the log is never read a second time.

The identifier index covers the first chunk of an input whole; past it, the recorder indexes
the lines around each failure (its context before the header, its block, the lines after it),
so that a 1 GB log costs no more to index than the failures it holds.
"""

from __future__ import annotations

from poolctl.logs.records import Lines, ParsedLog
from poolctl.model import Failure

MAX_BLOCK = 400  # lines kept per block: a longer block is quoted by its range
AFTER = 15  # lines kept after a block (up to the next failure)
MAX_LINE = 4096  # characters kept of one line


class _After:
    """The lines after one block, taken as the scan passes them."""

    __slots__ = ("first", "key", "last", "lines")

    def __init__(self, key: tuple[str, int], first: int, last: int) -> None:
        self.key = key
        self.first = first  # the line after the block
        self.last = last  # the last line wanted
        self.lines: Lines = []


class BlockRecorder:
    """Keeps the lines of one input's failure blocks, and the lines after each."""

    def __init__(self, name: str, out: ParsedLog) -> None:
        self.name = name
        self.out = out
        self._block: Lines | None = None  # the block being read
        self._after: list[_After] = []
        self.indexed_to = 0  # the last line the index covers whole

    @property
    def capturing(self) -> bool:
        """Lines after a block are still wanted: the scan must pass every line here."""
        return bool(self._after)

    def begin(self, number: int, line: str) -> None:
        """A failure block starts at its header, line `number`."""
        self._block = [(number, line[:MAX_LINE])]

    def take(self, number: int, line: str) -> None:
        """One more line the scan looked at (each line once, in order; a line given back by a
        block comes again)."""
        block = self._block
        if block is not None and number > block[-1][0] and len(block) < MAX_BLOCK:
            block.append((number, line[:MAX_LINE]))
        if self._after:
            for after in self._after:
                if after.first <= number <= after.last and (
                    not after.lines or number > after.lines[-1][0]
                ):
                    after.lines.append((number, line[:MAX_LINE]))
            if number >= self._after[0].last:
                self._flush(number)

    def done(self, failure: Failure, lines: Lines | None = None, *, after: bool = True) -> None:
        """The block of `failure` ended: keep its lines (or `lines`, for a failure that is not a
        block: a summary line), and take the lines after it (unless not `after`)."""
        block = lines if lines is not None else (self._block or [])
        if lines is None:
            self._block = None
        start = failure.line_start
        end = min(max(failure.line_end, start), start + MAX_BLOCK - 1)
        key = (self.name, start)
        self.out.blocks[key] = [(n, text[:MAX_LINE]) for n, text in block if start <= n <= end]
        if after:
            self._after.append(_After(key, max(failure.line_end, start) + 1, end + AFTER))

    def _flush(self, number: int) -> None:
        """Store the after-lines that are complete once line `number` is passed."""
        while self._after and self._after[0].last <= number:
            after = self._after.pop(0)
            if after.key in self.out.blocks:  # not a failure given to the overflow
                self.out.after[after.key] = after.lines

    def finish(self) -> None:
        """The input ended: store what is left, cut each block's after-lines at the next
        failure, and index the lines around the failures past the whole-indexed part."""
        for after in self._after:
            if after.key in self.out.blocks:
                self.out.after[after.key] = after.lines
        self._after = []
        self._block = None
        starts = sorted(f.line_start for f in self.out.failures if f.input_file == self.name)
        for i, start in enumerate(starts):
            key = (self.name, start)
            nxt = starts[i + 1] if i + 1 < len(starts) else None
            if nxt is not None and key in self.out.after:
                self.out.after[key] = [(n, t) for n, t in self.out.after[key] if n < nxt]
        self._index_near_lines()

    def forget(self, failure: Failure) -> Lines:
        """The lines of a failure that is not kept (given to the overflow), removed."""
        key = (self.name, failure.line_start)
        self.out.after.pop(key, None)
        return self.out.blocks.pop(key, [])

    def _index_near_lines(self) -> None:
        from poolctl.logs.scan import index_lines  # scan imports this module

        index = self.out.identifiers
        for failure in self.out.failures:
            if failure.input_file != self.name or failure.line_start <= self.indexed_to:
                continue
            key = (self.name, failure.line_start)
            near: dict[int, str] = {
                c.line: c.text for c in failure.context if c.why == "before the header"
            }
            near.update(self.out.blocks.get(key, []))
            near.update(self.out.after.get(key, []))
            for first, text in _runs(sorted(near.items())):
                index_lines(index, self.name, first, text)


def _runs(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Consecutive lines joined: (first line number, their text, each line ending in \\n)."""
    runs: list[tuple[int, list[str]]] = []
    previous = -1
    for number, text in lines:
        if runs and number == previous + 1:
            runs[-1][1].append(text)
        else:
            runs.append((number, [text]))
        previous = number
    return [(first, "\n".join(texts) + "\n") for first, texts in runs]
