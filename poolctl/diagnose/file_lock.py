"""A worker blocked taking a file lock (`flock`, `fcntl` F_SETLKW, `lockf`) that another process
holds, from `/proc/locks`: the kernel lists each lock with its holder's pid, and under it, marked
`->`, each process blocked waiting for it. A worker that locks a file as it starts (a cache, a
database, a pid file) and holds it while it serves stops the next copy of itself there: a pool
of two starts two, and the second waits as long as the first lives, whatever the timeout.
"""

from __future__ import annotations

import contextlib
import os
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from poolctl.children import RUN_ENV
from poolctl.model import Evidence

if TYPE_CHECKING:
    from .observe import Observations

LOCKS = "/proc/locks"
KINDS = {"FLOCK": "flock", "POSIX": "fcntl/lockf", "OFDLCK": "fcntl open-file-description"}


@dataclass(frozen=True)
class LockWait:
    """Process `waiter` waits for a lock on `path` that `holder` holds."""

    waiter: int
    holder: int
    holder_comm: str
    holder_cmdline: str
    ours: bool  # the holder is a process poolctl's run started (a copy of the worker)
    kind: str  # "flock", "fcntl/lockf"
    path: str  # the file, from the waiter's descriptors ("inode DEV:INO" when none matched)
    lines: tuple[str, str]  # /proc/locks' line of the lock, and the waiter's

    same_command: bool  # the holder runs the waiter's very command line

    def said(self) -> str:
        if self.ours and self.same_command:
            who = "another copy of the worker's command, started by this run"
        elif self.ours:
            who = "a process this run started"
        else:
            who = f"a process outside this run: `{self.holder_cmdline or self.holder_comm}`"
        return (
            f"pid {self.waiter} waits to lock {self.path} ({self.kind}), which pid {self.holder} "
            f"({self.holder_comm}, {who}) holds"
        )

    def fix(self) -> str:
        longer = "a longer init timeout only waits longer"
        if self.ours and self.same_command:
            return (
                f"Let copies of the worker run side by side: it locks {self.path} as it starts "
                "and holds it while it serves, so while one copy lives the next waits there (a "
                f"pool of N starts N copies, a replacement may start before the old one is gone), "
                f"and {longer}. Give each copy a file of its own (a path with its pid in it), "
                "lock only around the work that needs it, or run a pool of one."
            )
        return (
            f"Find why pid {self.holder} holds the lock on {self.path}: until it lets go the "
            f"worker does not start, and {longer}. Stop it, or have the worker not wait for it "
            "(a non-blocking lock, `LOCK_NB`, that fails with a message naming the file)."
        )

    def step(self) -> str:
        """The next step, where no hypothesis was confirmed (a request's handler waits)."""
        if self.ours and self.same_command:
            return (
                f"give each copy of the worker a lock file of its own, or lock {self.path} only "
                "around the work that needs it: while one copy holds it the next waits"
            )
        return (
            f"find why pid {self.holder} holds the lock on {self.path}: the request waits until "
            "it lets go, however long the timeout"
        )

    def evidence(self) -> Evidence:
        return Evidence("\n".join(self.lines), LOCKS, "the lock's holder, and its waiter (->)")


def _parse(line: str) -> tuple[str, bool, str, int, str] | None:
    """(number, blocked, kind, pid, dev:ino) of a /proc/locks line."""
    parts = line.split()
    if len(parts) < 6:
        return None
    blocked = parts[1] == "->"
    rest = parts[2:] if blocked else parts[1:]
    try:
        return parts[0], blocked, rest[0], int(rest[3]), rest[4]
    except (IndexError, ValueError):
        return None


def _path(pid: int, where: str) -> str:
    """The file of pid's descriptors whose device and inode are `where` (`fe:00:5139351`: the
    device's major and minor in hex)."""
    try:
        major, minor, inode = where.split(":")
        wanted = (os.makedev(int(major, 16), int(minor, 16)), int(inode))
        fds = os.listdir(f"/proc/{pid}/fd")
    except (ValueError, OSError):
        return f"inode {where}"
    for fd in fds:
        with contextlib.suppress(OSError):
            st = os.stat(f"/proc/{pid}/fd/{fd}")
            if (st.st_dev, st.st_ino) == wanted:
                return os.readlink(f"/proc/{pid}/fd/{fd}")
    return f"inode {where}"


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def lock_wait(pids: Iterable[int], marker: str = "", text: str | None = None) -> LockWait | None:
    """The first of `pids` blocked waiting for a file lock another process holds (`text`: the
    contents of /proc/locks, read now unless given), or None. `marker`, `NAME=VALUE`: the
    environment entry of the processes poolctl's run started, the holder's read for it."""
    wanted = set(pids)
    if text is None:
        text = _read(LOCKS).decode("ascii", "replace")
    held: dict[str, tuple[int, str]] = {}  # lock number -> (holder, its line)
    for line in text.splitlines():
        parsed = _parse(line)
        if parsed is None:
            continue
        number, blocked, kind, pid, where = parsed
        if not blocked:
            held[number] = (pid, line.strip())
            continue
        if pid not in wanted or number not in held or held[number][0] <= 0:
            continue
        holder = held[number][0]
        argv = [a.decode("utf-8", "replace") for a in _read(f"/proc/{holder}/cmdline").split(b"\0")]
        environ = _read(f"/proc/{holder}/environ").split(b"\0")
        return LockWait(
            waiter=pid,
            holder=holder,
            holder_comm=_read(f"/proc/{holder}/comm").decode("utf-8", "replace").strip() or "gone",
            holder_cmdline=shlex.join(argv[:-1]) if len(argv) > 1 else "",
            ours=bool(marker) and marker.encode() in environ,
            same_command=_read(f"/proc/{holder}/cmdline") == _read(f"/proc/{pid}/cmdline"),
            kind=KINDS.get(kind, kind.lower()),
            path=_path(pid, where),
            lines=(held[number][1], line.strip()),
        )
    return None


def worker_waits_on_lock(obs: Observations) -> LockWait | None:
    """The file lock a process of the worker waits for, its holder told apart as one of this
    run's processes (they carry its token) or not."""
    if obs.live is None:
        return None
    marker = f"{RUN_ENV}={obs.worker.context.children.token}"
    return lock_wait([p.pid for p in obs.live.processes], marker)
