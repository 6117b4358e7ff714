"""What every other runner's failure block starts with (`poolctl.logs.other_blocks`): its first
line, the input it is read from, its runner's source, and where its failure goes when it ends."""

from __future__ import annotations

from collections.abc import Callable

from poolctl.logs.records import Lines
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
