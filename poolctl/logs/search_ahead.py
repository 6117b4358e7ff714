"""A big log's trigger search (`scan.search`) run ahead of its parse, on the machine's other CPU.

Reading a 200 MB log is one core's work, and RE2's search for the parser's triggers, with the
counting of the lines between the candidates, is close to half of it, while the second core
idles (when no history is read beside the triage). The search needs no parser: `SearchAhead`
forks, before the triage reads (before a progress bar's thread runs: `forked.can_fork`), a
process that opens the same file, takes its head and format as the triage does, reads it with
the same chunking (a `ChunkReader`) and writes each chunk's `Found` to a pipe while the parser
reads and parses the chunks before it.

The parser (`TextParser.parse`) takes a chunk's `Found` only when it is the one its own search
would give: the same file, unchanged since the child opened it (its size and modification time,
looked at once both have read the chunk), read from the same offset as the same format; the same
chunk (its first line, length, and cleaned or not); searched with the same regex. The parser
searches itself, as it always did, for a chunk holding a CI marker (cleaned first, as before),
for a chunk the child searched with every trigger when the parser leaves out the traceback
triggers (`TextParser._regex`: the child is told through a shared byte and follows from the
chunk it reads next), and from a chunk on that does not match or a child that died. Standard
input, several inputs, archives, compressed and UTF-16 inputs are never searched ahead, nor is
a triage's input when the history reads it beside the triage (`poolctl.history.ahead`): that
process holds the second CPU, and beside it the search ahead measured no faster.

The process is a `poolctl.forked.Forked`: it never outlives the triage (see there), and it is
stopped as soon as the parse of its input ends.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import io
import mmap
import os
import struct
from collections.abc import Iterator, Sequence
from typing import IO, Any, BinaryIO

from poolctl.forked import Forked, can_fork, files_size
from poolctl.logs.lines import Chunk, ChunkReader
from poolctl.logs.scan import Found, Marked, reduced_triggers, search, trigger_regex

# below this many bytes the fork costs what the search ahead saves: the reading of a generated
# ExUnit log took 0.28 s with it against 0.18 s without at 16 MB, 0.26 against 0.25 s at 32 MB,
# 0.21 against 0.28 s at 64 MB (medians of 11 alternating rounds at load 2.5; a `pytest -vv`
# log's, 0.13 against 0.10 s at 16 MB, even at 32 and 64 MB at that load)
MIN_BYTES = 64 * 1024 * 1024
# the input: its format, the offset its chunks start at, the file (device, inode, size,
# modification time) and its head (length, sha256)
_INPUT = struct.Struct("<8sQQQqqQ32s")
# a chunk: first line, length, lines, how it was searched, cleaned, number of candidates
_CHUNK = struct.Struct("<QIIBBI")
FULL, REDUCED, MARKED = 0, 1, 2  # every trigger; without the traceback ones; not searched
# chunks the child searches ahead of the one the parse takes: it stays close, so that a chunk it
# searched before the parse left out the traceback triggers is seldom searched again
LEAD = 4


def worth_it(paths: Sequence[str]) -> bool:
    """Whether to search ahead: another CPU, one input, a file large enough."""
    if not can_fork() or len(paths) != 1:
        return False
    size = files_size(paths)
    return size is not None and size >= MIN_BYTES


def _parser_class(fmt: str | None) -> Any:
    """The text parser of `fmt` (None for JUnit XML, which has no trigger search)."""
    if fmt == "exunit":
        from poolctl.logs.exunit import ExUnitParser

        return ExUnitParser
    if fmt == "pytest":
        from poolctl.logs.pytest_log import PytestParser

        return PytestParser
    return None


def searched(data: bytes, regex: Any, clean: bool) -> Found:
    """The child's search of one chunk (the parse's own `search`)."""
    return search(data, regex, clean=clean)


def _search_file(path: str, fmt: str, reduce: mmap.mmap, out: IO[bytes], credits: int) -> None:
    """The child's work: the input's head and format as `read_logs` takes them, then every
    chunk's `Found`, written to `out` as it is found, at most `LEAD` chunks ahead of the parse
    (a byte on `credits` for each chunk it took)."""
    from poolctl.logs import _head
    from poolctl.logs.archive import is_zip
    from poolctl.logs.unpack import readable_input

    with open(path, "rb") as stream:
        info = os.fstat(stream.fileno())
        if is_zip(stream) or readable_input(stream, path)[0] is not stream:
            return  # read member by member, or unpacked: the parse searches itself
        head, detected = _head(stream)
        chosen = detected if fmt == "auto" else fmt
        parser = _parser_class(chosen)
        if chosen is None or parser is None or not head:
            return
        regexes = {
            FULL: trigger_regex(parser.triggers),
            REDUCED: trigger_regex(reduced_triggers(parser.triggers, parser.traceback_triggers)),
        }
        out.write(
            _INPUT.pack(
                chosen.encode(),
                stream.tell(),
                info.st_dev,
                info.st_ino,
                info.st_size,
                info.st_mtime_ns,
                len(head),
                hashlib.sha256(head).digest(),
            )
        )
        out.flush()
        reader = ChunkReader(stream, path, [], head=head)
        reader.count_lines = False  # counted by the search, as the parse does
        for index, chunk in enumerate(reader):
            if index >= LEAD and not os.read(credits, 1):
                return  # the parse no longer takes them
            kind = REDUCED if reduce[0] else FULL
            try:
                found = searched(chunk.data, regexes[kind], chunk.cleaned)
            except Marked as marked:  # the parse cleans this chunk and searches it itself
                lines = reader.clean(chunk, marked.at).data.count(b"\n")
                reader.lines = chunk.first_line + lines - 1
                head_of = (chunk.first_line, len(chunk.data), lines, MARKED, chunk.cleaned, 0)
                out.write(_CHUNK.pack(*head_of))
                out.flush()
                continue
            reader.lines = chunk.first_line + found.lines - 1
            count = len(found.starts)
            head_of = (chunk.first_line, len(chunk.data), found.lines, kind, chunk.cleaned, count)
            out.write(_CHUNK.pack(*head_of))
            if count:
                out.write(array.array("I", found.starts).tobytes())
                out.write(array.array("I", found.numbers).tobytes())
            out.flush()


class SearchAhead:
    """A forked search of one input (see the module's docstring): `start` before the read,
    `take` by the parse of that input, `found` for each of its chunks, `stop` in any case."""

    def __init__(self) -> None:
        self.forked = Forked()
        self.path = ""
        self.pipe: BinaryIO | None = None
        self._reduce = mmap.mmap(-1, 1)  # shared with the child: set once the parse reduces
        self._file: tuple[int, int] = (0, 0)  # the input's size and modification time
        self._fd = -1
        self._credits = self._credit = -1  # the pipe of the parse's credits: read, write ends
        self._next = b""  # the next chunk's record, read ahead of `found` by `plain`

    def start(self, path: str, fmt: str) -> None:
        self.path = path
        read_end, write_end = os.pipe()
        # the parse's credits: its end is kept open for reading too, so that a credit written
        # once the child ended is neither refused nor a SIGPIPE
        self._credits, credit = os.pipe()
        os.set_blocking(credit, False)
        try:

            def work(_: IO[bytes]) -> None:
                os.close(read_end)
                os.close(credit)
                with os.fdopen(write_end, "wb", buffering=1 << 16) as out:
                    _search_file(path, fmt, self._reduce, out, self._credits)

            self.forked.start(work)
        except BaseException:
            os.close(read_end)
            os.close(credit)
            raise
        finally:
            os.close(write_end)
        self._credit = credit
        self.pipe = os.fdopen(read_end, "rb", buffering=1 << 16)

    def take(self, name: str, source: str, stream: BinaryIO, head: bytes) -> bool:
        """Whether the parse of `name` by the `source` parser, whose chunks come from `stream`
        after `head`, can take the child's results (they are for that parse only)."""
        pipe = self.pipe
        if pipe is None:
            return False
        raw = b""
        if name == self.path and isinstance(getattr(stream, "raw", None), io.FileIO):
            raw = pipe.read(_INPUT.size)  # none: an input the child leaves to the parse
        if len(raw) == _INPUT.size:
            fmt, offset, dev, ino, size, mtime, length, digest = _INPUT.unpack(raw)
            info = os.fstat(stream.fileno())
            if (
                fmt.rstrip(b"\0").decode() == source
                and offset == stream.tell()
                and (dev, ino, size, mtime)
                == (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
                and (length, digest) == (len(head), hashlib.sha256(head).digest())
            ):
                self._file, self._fd = (size, mtime), stream.fileno()
                return True
        self.stop()  # another input, or another reading of it
        return False

    def reduce(self) -> None:
        """The parse leaves the traceback triggers out from now on: the child too, from the
        next chunk it reads."""
        self._reduce[0] = 1

    def plain(self, first_line: int, data: bytes) -> bool | None:
        """True when the child took the parse's next chunk, `data` from line `first_line`, as
        it is: the same bytes of the same file passed the reader's cheap test there, and the
        parse's reader need not run it again. None when the child cleaned it, read another
        chunk, died or the file changed: the reader tests the bytes itself. (Its record is
        kept for `found`.)"""
        if self.pipe is None:
            return None
        if not self._next:
            self._next = self.pipe.read(_CHUNK.size)
        if len(self._next) != _CHUNK.size:
            return None
        first, length, _, _, cleaned, _ = _CHUNK.unpack(self._next)
        info = os.fstat(self._fd)  # both have read the chunk: did the file change since?
        if cleaned or (first, length) != (first_line, len(data)):
            return None
        return True if (info.st_size, info.st_mtime_ns) == self._file else None

    def found(self, chunk: Chunk, reduced: bool) -> Found | None:
        """The child's `Found` for `chunk`, the parse's next, when it is the one the parse's
        search with its regex (reduced or not) would give; None: the parse searches itself."""
        pipe = self.pipe
        if pipe is None:
            return None
        raw, self._next = self._next or pipe.read(_CHUNK.size), b""
        first, length, lines, kind, cleaned, count = (
            _CHUNK.unpack(raw) if len(raw) == _CHUNK.size else (0, 0, 0, 0, 0, 0)
        )
        starts, numbers = array.array("I"), array.array("I")
        with contextlib.suppress(EOFError):
            starts.fromfile(pipe, count)
            numbers.fromfile(pipe, count)
        with contextlib.suppress(OSError):  # the child may search one chunk more (a full
            os.write(self._credit, b"\0")  # pipe: it ended, and takes no more credits)
        info = os.fstat(self._fd)  # both have read the chunk: did the file change since?
        if (
            len(numbers) != count
            or (first, length, bool(cleaned)) != (chunk.first_line, len(chunk.data), chunk.cleaned)
            or (info.st_size, info.st_mtime_ns) != self._file
        ):  # the child died, or read something else: the parse searches alone from here
            self.stop()
            return None
        if kind != (REDUCED if reduced else FULL):
            return None
        return Found(starts.tolist(), numbers.tolist(), lines)

    def stop(self) -> None:
        """Kill the child if it still runs, reap it, close the pipe."""
        if self.pipe is not None:
            pipe, self.pipe = self.pipe, None
            pipe.close()
        self.forked.stop()
        for fd in (self._credits, self._credit):
            if fd >= 0:
                os.close(fd)
        self._credits = self._credit = -1


@contextlib.contextmanager
def searching_ahead(paths: Sequence[str], fmt: str, *, forks: bool) -> Iterator[SearchAhead | None]:
    """While the logs are read, the search of a single large file's chunks runs ahead of the
    parse in a process of its own (when it pays, and `forks`: poolctl the program); that
    process ends with the block."""
    if not forks or not worth_it(paths):
        yield None
        return
    ahead = SearchAhead()
    try:
        ahead.start(paths[0], fmt)
        yield ahead
    finally:
        ahead.stop()
