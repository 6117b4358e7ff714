"""Inputs as CI services hand them out: compressed logs are read as they decompress.

GitLab's and Jenkins' archived job logs, and many `*.log.gz` artifacts, are gzip files; `xz` and
`bzip2` turn up too. Each is recognised by its magic bytes (not its name: a downloaded file is
often renamed) and decompressed a chunk at a time, so a 1 GB log is never held whole. A
compressed file cut short (a download that stopped) is read up to where it ends, and a note
says so: what was read is still triaged. A zip archive (GitHub Actions' "Download log archive")
holds several logs: a file of one is read member by member (`poolctl.logs.archive`); on standard
input (which cannot be read twice) it is refused with what to do. zstd, lz4, 7z and rar files
are named, with the command that decompresses them.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
from typing import Any, BinaryIO

from poolctl.errors import InputError
from poolctl.logs.archive import MAGIC as ZIP_MAGIC
from poolctl.logs.encoding import CHUNK, as_utf8
from poolctl.logs.jsonlines import unwrapped

# each kind's magic bytes (bzip2's with its block header: "BZh" alone could start a text)
_MAGIC = {
    "gzip": re.compile(rb"\A\x1f\x8b\x08"),
    "xz": re.compile(rb"\A\xfd7zXZ\x00"),
    "bzip2": re.compile(rb"\A(?s:BZh[1-9]1AY&SY)"),
}

# compressed in a way the standard library cannot read: named, with the command that can
_UNREAD = {
    "zstd": (rb"\A\x28\xb5\x2f\xfd", "zstd -dc {name} | poolctl triage -"),
    "lz4": (rb"\A\x04\x22\x4d\x18", "lz4 -dc {name} | poolctl triage -"),
    "7z": (rb"\A7z\xbc\xaf\x27\x1c", "7z x {name}, then poolctl triage on the files"),
    "rar": (rb"\ARar!\x1a\x07", "unrar x {name}, then poolctl triage on the files"),
}


class _Decompressed(io.RawIOBase):
    """A compressed stream's bytes; where the compressed data ends early or is corrupt, the
    bytes decompressed so far, then the end (the problem is kept in `problem`)."""

    def __init__(self, source: Any, kind: str) -> None:
        self.source = source
        self.kind = kind
        self.problem = ""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.problem:
            return 0
        try:
            data = self.source.read1(len(buffer))  # what one step gives: none of it is lost
        except (EOFError, OSError, lzma.LZMAError) as error:
            self.problem = (
                f"the {self.kind} data ends early or is corrupt ({error}): read up to there"
            )
            return 0
        buffer[: len(data)] = data
        return len(data)


def _peek(stream: BinaryIO, size: int) -> bytes:
    peek = getattr(stream, "peek", None)
    return bytes(peek(size)[:size]) if peek is not None else b""


def readable_input(stream: BinaryIO, name: str) -> tuple[BinaryIO, _Decompressed | None]:
    """`stream` decompressed when it is compressed, read as UTF-8 (see `as_utf8`), and as the
    text of a log collector's JSON lines when it is theirs (`jsonlines`); with the
    decompressing reader, whose `problem` tells afterwards whether it ended early."""
    head = _peek(stream, 10)
    if head.startswith(ZIP_MAGIC):  # a file's is read member by member (`poolctl.logs.archive`)
        raise InputError(
            f"{name}: a zip archive on standard input: save it to a file and pass its path "
            "(each file in it is then read)"
        )
    for kind, magic in _MAGIC.items():
        if magic.match(head):
            raw = _Decompressed(_decompressing(kind, stream), kind)
            return unwrapped(as_utf8(io.BufferedReader(raw, CHUNK))), raw
    for kind, (start, command) in _UNREAD.items():
        if re.match(start, head):  # binary to the format sniffing: "format not recognised"
            raise InputError(
                f"{name}: {kind}-compressed, which poolctl does not decompress (it reads gzip, "
                f"xz, bzip2 and zip): {command.format(name=name)}"
            )
    return unwrapped(as_utf8(stream)), None


def _decompressing(kind: str, stream: BinaryIO) -> Any:
    # closed with `stream`, which the caller opened and closes (hence no `with`)
    if kind == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if kind == "xz":
        return lzma.LZMAFile(stream, "rb")
    return bz2.BZ2File(stream, "rb")
