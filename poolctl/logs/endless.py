"""Inputs whose reading would never end: a device (`/dev/zero`, `/dev/urandom`: reads of it
never reach an end of file), and a stream (a pipe, standard input) of binary bytes. A regular
file is read whole whatever it holds, its size its bound; a device given by its path is refused
before any read; a stream whose first `MAX_HEAD_SIZE` bytes, the most sniffing reads of a
stream, are binary data is refused there, as the sniffing gives up on it (`poolctl.logs`)."""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from poolctl.logs.lines import junk

BINARY_SHARE = 0.9  # of a head's bytes NULs or binary lines: a head of no text


def device(stream: BinaryIO) -> str:
    """What `stream` is when it is a device that is no terminal (`a character device`), else
    ''. A terminal is a person typing a log in, which ends."""
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return ""
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISCHR(mode) and not stream.isatty():
        return "a character device"
    return ""


def binary(head: bytes) -> bool:
    """Whether `head` is binary data, not text: NUL bytes and lines of mostly control bytes or
    invalid UTF-8 (`poolctl.logs.lines.junk`) make nearly all of it."""
    if not head:
        return False
    nuls = head.count(b"\0")
    text = head.replace(b"\0", b"").decode("utf-8", "replace")
    noise = sum(len(line) for line in text.split("\n") if junk(line))
    return nuls + noise >= BINARY_SHARE * len(head)
