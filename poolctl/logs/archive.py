"""Zip archives of logs: GitHub Actions' "Download log archive" is one file per job step.

Each file of the archive is read as an input of its own, named `archive.zip/member` (the
member's path inside the archive), a member at a time, decompressed as it is read. Most
members of a job's archive are set-up steps with no test-runner output: they are named together
in one note, not one "format not recognised" each. The history's pass reading opens a member
again by that name (`open_input`).
"""

from __future__ import annotations

import contextlib
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, cast

from poolctl.logs.records import ParsedLog

MAGIC = b"PK\x03\x04"
MAX_NAMED = 8  # members without runner output named in the note; the rest are counted

ReadOne = Callable[[BinaryIO, str, str, ParsedLog], bool]
# what reading a member raises when the archive is damaged (a CRC, a stream cut short), the
# member encrypted (RuntimeError) or compressed with a method Python lacks
_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError)


def is_zip(stream: BinaryIO) -> bool:
    """Whether `stream` (a file opened for reading, at its start) is a zip archive."""
    peek = getattr(stream, "peek", None)
    return peek is not None and bytes(peek(4)[:4]) == MAGIC


def read_archive(path: str, fmt: str, out: ParsedLog, read_one: ReadOne) -> bool:
    """Read every file of the zip archive at `path` with `read_one`; True when one was read."""
    read_any = False
    without: list[str] = []
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        out.skipped.append(f"{path}: cannot read the zip archive: {error}")
        return False
    on_read = out.progress
    read_before = 0  # the compressed bytes of the members read so far
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = f"{path}/{info.filename}"
            if on_read is not None:  # in the archive's bytes, not the member's unpacked ones
                ratio = info.compress_size / max(1, info.file_size)
                out.progress = lambda n, at=read_before, r=ratio: on_read(at + int(n * r))
            read_before += info.compress_size
            skipped = len(out.skipped)
            try:
                with archive.open(info) as member:
                    read = read_one(cast(BinaryIO, member), name, fmt, out)  # it can peek
            except _BROKEN as error:  # a member corrupt, encrypted or compressed unknowingly
                out.skipped.append(f"{name}: cannot read it from the archive: {error}")
                continue
            read_any |= read
            if not read and fmt == "auto" and _only_unrecognised(out.skipped[skipped:]):
                del out.skipped[skipped:]  # a set-up step's log: named below, with the others
                without.append(info.filename)
    out.progress = on_read
    if without:
        shown = ", ".join(without[:MAX_NAMED])
        more = f", and {len(without) - MAX_NAMED} more" if len(without) > MAX_NAMED else ""
        out.skipped.append(
            f"{path}: {len(without)} file(s) in the archive hold no test-runner output "
            f"(set-up steps and the like): {shown}{more}"
        )
    return read_any


def _only_unrecognised(notes: list[str]) -> bool:
    return all("format not recognised" in n or n.endswith(": empty input") for n in notes)


@contextlib.contextmanager
def open_input(name: str) -> Iterator[BinaryIO]:
    """An input by the name the triage gave it: a file, or `archive.zip/member`."""
    archive, member = _split(name)
    if archive is None:
        with open(name, "rb") as stream:
            yield stream
        return
    with zipfile.ZipFile(archive) as opened, opened.open(member) as stream:
        yield cast(BinaryIO, stream)


def _split(name: str) -> tuple[str | None, str]:
    """(archive, member) for a member's name: the archive is the part before a `/` that is a
    file, not a folder; (None, name) for a file's name."""
    at = name.find("/", 1)
    while at >= 0:
        if Path(name[:at]).is_file():
            return name[:at], name[at + 1 :]
        at = name.find("/", at + 1)
    return None, name
