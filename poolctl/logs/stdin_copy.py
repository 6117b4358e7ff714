"""Standard input, as `poolctl triage -` reads it, copied into the run folder as it comes.

A piped log exists nowhere else: interrupted while reading (`mix test | poolctl triage -`, then
Ctrl-C), the triage would lose what the test run printed, and no terminal showed it. The copy,
`stdin.log`, stays in the run folder when the triage does not end normally; a normal end
removes it once the history has read the passes from it again (its report cites the log by
line, and the history reads it twice). Writing it costs one write of each chunk read.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, BinaryIO

COPY_NAME = "stdin.log"


class _Tee(io.RawIOBase):
    """Standard input as the triage reads it, every byte also written to `copy` (until a write
    fails: a full disk stops the copy, never the triage)."""

    def __init__(self, source: io.BufferedIOBase, copy: IO[bytes]) -> None:
        self.source = source
        self.copy: IO[bytes] | None = copy

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        # read1: what has come, without waiting to fill `buffer` (an interrupted read of a
        # pipe still open would lose what it had gathered)
        data = self.source.read1(len(buffer))
        if not data:
            return 0
        buffer[: len(data)] = data
        if self.copy is not None:
            try:
                self.copy.write(data)
            except OSError:
                self.copy = None
        return len(data)


class StdinCopy:
    """The copy of standard input a triage made in its run folder (see the module)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / COPY_NAME
        self.file: BinaryIO | None = None
        self._tee: _Tee | None = None

    @contextlib.contextmanager
    def copying(self, inputs: Sequence[str]) -> Iterator[None]:
        """While the logs are read, standard input (when it is one of them) is also written to
        the copy; it is flushed when reading ends, however it ends."""
        saved = sys.stdin
        source = getattr(saved, "buffer", None)
        if "-" not in inputs or source is None:
            yield
            return
        try:
            self.file = self.path.open("w+b")
        except OSError:  # a folder that cannot be written: the triage goes on without a copy
            yield
            return
        self._tee = _Tee(source, self.file)
        sys.stdin = io.TextIOWrapper(
            io.BufferedReader(self._tee), encoding=saved.encoding or "utf-8", errors="replace"
        )
        try:
            yield
        finally:
            sys.stdin = saved
            with contextlib.suppress(OSError):
                self.file.flush()
                if not self.file.tell():  # nothing came: nothing to keep
                    self.discard()

    def whole(self) -> BinaryIO | None:
        """The copy, to read again from its start; None when there is none, or when a write
        failed part way (it lacks the rest)."""
        if self.file is None or self._tee is None or self._tee.copy is None:
            return None
        self.file.seek(0)
        return self.file

    def discard(self) -> None:
        """The triage ended normally: the copy is not needed any more."""
        if self.file is not None:
            self.file.close()
            self.file = None
            self.path.unlink(missing_ok=True)
