"""What every other runner's failure block starts with (`poolctl.logs.other_blocks`): its first
line, the input it is read from, its runner's source, and where its failure goes when it ends."""

from __future__ import annotations

from collections.abc import Callable

from poolctl.logs.records import Lines
from poolctl.logs.scan import MAX_BLOCK_LINES
from poolctl.model import Failure, Source


class RunnerBlock:
    """A failure block begun at line `number` (a consumer of a text parser's scan); a subclass
    notes what its first line says (`begin`), reads its lines (`feed`) and gives its failure to
    `done` when it ends (`close`)."""

    def __init__(
        self,
        number: int,
        line: str,
        input_file: str,
        source: Source,
        done: Callable[[Failure, Lines], object],
    ) -> None:
        self.lines: Lines = [(number, line.rstrip())]
        self.input_file = input_file
        self.source = source
        self.done = done
        self.begin(line)

    def begin(self, line: str) -> None:
        """What the block's first line says, noted by a runner's block that needs it."""

    def ends_before(self, text: str) -> bool:
        """Whether line `text` (its trailing blanks dropped) is no part of the block but ends it:
        a blank line, unless a runner's block says another."""
        return not text

    def feed(self, number: int, line: str) -> bool:
        """Keep `line` in the block, unless it ends the block or the block is full."""
        text = line.rstrip()
        if self.ends_before(text) or len(self.lines) >= MAX_BLOCK_LINES:
            return False
        self.lines.append((number, text))
        return True


class EntriesSection(RunnerBlock):
    """A section of entries, each a failure (Deno's `ERRORS`, PHPUnit's `There were 4
    errors:`): a subclass says where the section ends (`ends`), which line begins an entry
    (`starts_entry`), and reads each entry, its blank lines at the end dropped (`read_entry`)."""

    def begin(self, line: str) -> None:
        self.entry: Lines = []

    def ends(self, text: str) -> bool:
        raise NotImplementedError

    def starts_entry(self, text: str) -> bool:
        raise NotImplementedError

    def read_entry(self, entry: Lines) -> None:
        raise NotImplementedError

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if self.ends(text):
            return False
        if self.starts_entry(text):
            self._end_entry()
            self.entry = [(number, text)]
        elif self.entry and len(self.entry) < MAX_BLOCK_LINES:
            self.entry.append((number, text))
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        self._end_entry()
        return []

    def _end_entry(self) -> None:
        entry, self.entry = self.entry, []
        while entry and not entry[-1][1]:
            entry.pop()
        if entry:
            self.read_entry(entry)


class NoBlock:
    """A line read for what it tells of a run (a `cargo test` target's, node-tap's report
    heading), which begins no block."""

    def feed(self, number: int, line: str) -> bool:
        return False

    def close(self) -> Lines:
        return []


NO_BLOCK = NoBlock()
