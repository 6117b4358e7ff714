"""The ranges of a file that hold data, its holes skipped: a capped stderr log's dropped middle
(`poolctl.stderr_cap`) reads as gigabytes of NULs, which no reader should read."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path


def data_ranges(fd: int, size: int) -> list[tuple[int, int]]:
    """The `[start, end)` ranges of the open file `fd` that hold data, up to `size`; all of it
    where the filesystem cannot tell holes apart."""
    ranges: list[tuple[int, int]] = []
    at = 0
    while at < size:
        try:
            start = os.lseek(fd, at, os.SEEK_DATA)
            end = min(os.lseek(fd, start, os.SEEK_HOLE), size)
        except OSError as exc:
            if exc.errno == errno.ENXIO:  # a hole from `at` to the end of the file
                break
            ranges.append((at, size))  # no SEEK_DATA here: read it all
            break
        if start >= size:
            break
        ranges.append((start, end))
        at = end
    return ranges


def has_holes(path: Path) -> bool:
    """Whether some of the file at `path` holds no data (a range punched out)."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        return size > 0 and data_ranges(f.fileno(), size) != [(0, size)]


def read_head(path: Path, limit: int) -> bytes:
    """The first `limit` bytes of the file at `path`, up to its first hole (b"" if it is gone)."""
    with contextlib.suppress(FileNotFoundError), open(path, "rb") as f:
        ranges = data_ranges(f.fileno(), os.fstat(f.fileno()).st_size)
        if not ranges or ranges[0][0] > 0:
            return b""
        f.seek(0)  # (the look for holes moved the offset)
        return f.read(min(limit, ranges[0][1]))
    return b""


def read_tail(path: Path, limit: int) -> bytes:
    """The last `limit` bytes of the file at `path` as it is now (a flooded log grows faster
    than it is read), none of its holes (b"" if it is gone)."""
    with contextlib.suppress(FileNotFoundError), open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        ranges = data_ranges(f.fileno(), size)
        if not ranges or ranges[-1][1] < size:  # it ends in a hole
            return b""
        start = max(size - limit, ranges[-1][0])
        f.seek(start)
        return f.read(size - start)
    return b""
