"""Runs of `mix test` whose output is interleaved in one log: two partitions run at once
(`MIX_TEST_PARTITION=1 … & MIX_TEST_PARTITION=2 … &`, as a CI job runs its shards in the
background), each printing its failure blocks as its tests fail. Each run numbers its failures
from 1, so the headers' counters go 1, 1, 2, 2, 3…: a counter no higher than the one before
that continues the run a "numbering restart" ended (its last counter is one less) says the runs
are interleaved, not pasted one after another. Then each header goes to the run its counter
continues, and a closing line counts the run it closes (`3 tests, 3 failures`: the one at 3),
the others going on to the next closing line: none of their failures counted twice or said to
be unread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from poolctl.logs.records import RunSummary


@dataclass
class Shard:
    """One of the interleaved runs: its last failure's counter, its failure blocks and those of
    them kept, and its first line."""

    last: int
    failures: int
    read: int
    start: int


@dataclass
class Untold:
    """A closing line several interleaved runs fit alike: its note's index, and the modules of
    their failures (ExUnit runs each module in one partition)."""

    note: int
    modules: frozenset[str]


class Shards:
    """The interleaved runs not closed yet, and the one the block being read belongs to."""

    def __init__(self) -> None:
        self.open: list[Shard] = []
        self.current: Shard | None = None

    @property
    def active(self) -> bool:
        return bool(self.open)

    def interleaves(
        self, summaries: list[RunSummary], counter: int, restarted_last: int, run: Shard
    ) -> bool:
        """Whether header `counter` continues the run a numbering restart just ended (the last
        of `summaries`, its last counter `restarted_last`) though `run`, read since, is at
        `counter` or past it: two runs interleaved. If so both are open, and the restart's
        summary is taken back."""
        ended = summaries[-1] if summaries else None
        if (
            counter == 1
            or counter > run.last
            or ended is None
            or ended.source != "numbering restart"
            or restarted_last != counter - 1
            or ended.failures is None
        ):
            return False
        summaries.pop()
        self.open = [Shard(counter - 1, ended.failures, ended.read or 0, ended.start), run]
        return True

    def merged(self) -> Shard:
        """The open runs as one stretch of the log: their failures, those kept, first line."""
        return _merged(self.open)

    def header(self, counter: int, number: int) -> None:
        """A failure header numbered `counter`, at line `number`: the run it continues (its
        last counter one less), else a new run when it is 1, else the open run nearest below."""
        going_on = [s for s in self.open if s.last == counter - 1]
        below = [s for s in self.open if s.last < counter]
        if going_on:
            shard = going_on[0]
        elif counter == 1 or not below:
            shard = Shard(0, 0, 0, number)
            self.open.append(shard)
        else:
            shard = max(below, key=lambda s: s.last)
        shard.last = counter
        self.current = shard

    def done(self, kept: int, *, counted: bool) -> None:
        """The current block ended (`kept`: 1 when it was kept; `counted`: a test's, not a
        `setup_all` failure's, which its run does not count)."""
        if self.current is not None and counted:
            self.current.failures += 1
            self.current.read += kept
        self.current = None

    def close(self, failures: int | None) -> tuple[Shard, int]:
        """The run a closing line counting `failures` closes: the open one that many failures
        long, else the longest; taken out of the open runs. When several are that long, the log
        does not tell which (ExUnit prints no partition, and the seed and `Finished in` lines
        name none of the runs' blocks): each of them is said to begin where the first of them
        does, and how many they are is returned (else 1)."""
        fits = [s for s in self.open if s.failures == failures]
        shard = fits[0] if fits else max(self.open, key=lambda s: s.failures)
        if len(fits) > 1:
            for fit in fits:
                fit.start = min(f.start for f in fits)
        self.open.remove(shard)
        return shard, max(len(fits), 1)

    def left(self) -> Shard | None:
        """After a close, the runs still open as one (None when none is); a single one is no
        longer interleaved: read on as any run."""
        if not self.open:
            return None
        left = _merged(self.open)
        if len(self.open) == 1:
            self.open = []
        return left


def _merged(shards: Sequence[Shard]) -> Shard:
    return Shard(
        max(s.last for s in shards),
        sum(s.failures for s in shards),
        sum(s.read for s in shards),
        min(s.start for s in shards),
    )


def told(untold: Untold, module: str, notes: list[str]) -> bool:
    """A failure header of `module` after such a closing line: when the runs' failures before
    it are of that module, the run still open is the one that ran it, the one closed the other
    (each taken to run from the first one's start already, both as long): the note that the
    log did not tell is dropped."""
    if module not in untold.modules:
        return False
    del notes[untold.note]
    return True
