"""The room left on the file system of a SQLite store that failed to write: SQLite says "disk
I/O error" (a write of its -shm or database on a full disk) or "database or disk is full",
and names neither the file system nor what it has left. Read from statvfs(2) as the error is
turned into poolctl's line."""

from __future__ import annotations

import os
from pathlib import Path

from poolctl.units import fmt_bytes

# SQLite's words for a write the file system refused
FULL_WORDS = ("disk I/O error", "database or disk is full")
# Less than this left: room a run's record runs out of (its WAL, -shm and pages grow by 4 KiB
# pages, tens of KiB for one run). More left, the disk is not said to be why.
ROOM_LEAST = 64 * 1024


def store_without_room(store: Path, problem: str) -> str:
    """` (the file system of FOLDER has N free: …)` when SQLite's `problem` is a refused write
    and that file system has less than ROOM_LEAST bytes, or no inode, left for the store; ""
    otherwise, or where it cannot be read."""
    if not any(words in problem for words in FULL_WORDS):
        return ""
    folder = store.parent
    try:
        room = os.statvfs(folder)
    except OSError:
        return ""
    free = room.f_bavail * room.f_frsize
    if room.f_files and not room.f_favail:
        left = "no inode free (no file can be made there)"
    elif free < ROOM_LEAST:
        left = f"{fmt_bytes(free)} free of {fmt_bytes(room.f_blocks * room.f_frsize)}"
    else:
        return ""
    return f" (the file system of {folder} has {left}: make room, or POOLCTL_HISTORY elsewhere)"
