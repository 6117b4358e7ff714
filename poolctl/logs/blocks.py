"""Each failure block's lines as the parser read them, and the lines printed after it.

The scan hands every line it looks at to a `BlockRecorder`: a block's lines are kept from its
header to its end (at most `MAX_BLOCK` lines of `MAX_LINE` characters), then the `AFTER` lines
that follow it (where a runner often logs the pool's state), up to the next failure. The
triage quotes evidence from them with its line number and reads them as the `block` and
`related` fields: the log is never read a second time.

Past the first megabyte of an input (which the identifier index covers whole), a failure's lines
before its header and after its block are where the lines naming its pool and pids are looked
for (`ParsedLog.near`): a 1 GB log costs no more to index than the failures it holds.
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
        if block is None and not self._after:
            return
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
        """The input ended: store what is left, and cut each block's after-lines at the next
        failure."""
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

    def forget(self, failure: Failure) -> Lines:
        """The lines of a failure that is not kept (given to the overflow), removed."""
        key = (self.name, failure.line_start)
        self.out.after.pop(key, None)
        return self.out.blocks.pop(key, [])
