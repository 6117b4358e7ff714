"""Finding processes through /proc: a process's descendants by parent, and processes by a
variable of their environment (found even after they were re-parented or left the session).

Reading every process's environment is the costly part on a busy machine (hundreds or
thousands of processes, some with large environments, each read copied out of its memory): a
search by a token reads only the environments of processes started at or after the tick the
token was made (`tick_now`), since one started before cannot have inherited it (nor can it
descend from a worker started after). Their start is read from `/proc/PID/stat`, once for each
process: a later search passes an older one by on the inode of its /proc/PID (`_starts`)."""

from __future__ import annotations

import os
import time
from typing import Literal

# /proc/PID/stat counts a process's start in clock ticks since boot (USER_HZ: 100 on Linux)
TICK_NS = 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def tick_now() -> int:
    """The clock tick since boot now, as `/proc/PID/stat` counts a process's start: a process
    forked after this call started at this tick or a later one."""
    # the kernel's start is the boot-time clock at the fork, cut to whole ticks (nsec_to_clock_t)
    return time.clock_gettime_ns(time.CLOCK_BOOTTIME) // TICK_NS


# what a search saw of a process: the inode of its /proc/PID (0: not read) and its start tick
Seen = tuple[int, int]


def processes_with_env(name: str, value: str, since: int = 0) -> set[int]:
    """Live processes whose environment holds `name=value` (readable ones only), of those
    started at tick `since` or later (see `tick_now`; 0: every process)."""
    return _scan(name, value, since, parents="none")[1]


def family_of(pid: int, name: str, value: str, since: int = 0) -> set[int]:
    """Every live descendant of `pid` and every process carrying `name=value`, of those
    started at tick `since` or later, found in one pass over /proc. `since` must be no later
    than `pid`'s start: its descendants started after it."""
    return set(family_seen(pid, name, value, since))


def family_seen(pid: int, name: str, value: str, since: int = 0) -> dict[int, Seen | None]:
    """`family_of`'s processes, each with what the search saw of it (None: nothing read),
    which tells it from a process given its pid later (`seen_now`)."""
    parents, carriers, seen = _scan(name, value, since, parents="young")
    return {p: seen.get(p) for p in _descendants_in(pid, parents) | carriers}


def seen_now(pid: int, inode: bool) -> Seen | None:
    """What a search would see of `pid` now (the inode of its /proc/PID only with `inode`,
    else 0), or None when it is gone."""
    try:
        number = os.stat(f"/proc/{pid}").st_ino if inode else 0
    except OSError:
        return None
    fields = _stat_fields(str(pid))
    return None if fields is None else (number, int(fields[19]))


def children_and_carriers(
    pid: int, name: str, value: str, since: int = 0
) -> tuple[set[int], set[int]]:
    """The children of `pid` (zombies too) and the processes carrying `name=value` (of those
    started at tick `since` or later), found in one pass over /proc."""
    parents, carriers, _ = _scan(name, value, since, parents="all")
    return {child for child, parent in parents.items() if parent == pid}, carriers


# The start of each process a search has seen, by pid, with the inode of its /proc/PID: a
# pid another process has taken since has another inode (procfs numbers each one anew). A
# process older than a search's bound is passed by on one `os.stat` then, its stat line not
# read (about four times the cost). Replaced by each search that uses it.
_starts: dict[int, tuple[int, int]] = {}


def _scan(
    name: str, value: str, since: int, parents: Literal["all", "young", "none"]
) -> tuple[dict[int, int], set[int], dict[int, Seen]]:
    """The parent of every process (`all`), of those started at `since` or later (`young`) or
    of none, the processes started at `since` or later whose environment holds `name=value`
    (not this one's), and what was seen of each process whose stat was read."""
    global _starts
    needle = f"\0{name}={value}\0".encode()
    parent_of: dict[int, int] = {}
    carriers: set[int] = set()
    me = os.getpid()
    pass_old = since > 0 and parents != "all"  # what started before the bound is of no use
    seen: dict[int, tuple[int, int]] = {}
    for entry in _pids():
        pid, inode = int(entry), 0
        if pass_old:
            try:
                inode = os.stat(f"/proc/{entry}").st_ino
            except OSError:  # gone meanwhile
                continue
            noted = _starts.get(pid)
            if noted is not None and noted[0] == inode and noted[1] < since:
                seen[pid] = noted  # the same process as when noted: older than the bound
                continue
        if since > 0 or parents != "none":  # else its stat would tell nothing needed
            fields = _stat_fields(entry)
            if fields is None:  # gone meanwhile
                continue
            start = int(fields[19])
            # read after the inode: a pid taken meanwhile is noted as younger, never older
            seen[pid] = (inode, start)
            if parents == "all" or start >= since:
                parent_of[pid] = int(fields[1])
            if start < since:
                continue
        if pid != me:
            environ = _read_all(f"/proc/{entry}/environ")
            # a pid reused since its stat was read is a process started later still: read too
            if environ is not None and needle in b"\0" + environ + b"\0":
                carriers.add(pid)
    if pass_old:
        _starts = seen
    return parent_of, carriers, seen


def children_of(pid: int) -> set[int]:
    """The live direct children of `pid` (a subreaper's include the orphans it adopted)."""
    return {child for child, parent in _parents().items() if parent == pid}


def _pids() -> list[str]:
    """The pids /proc lists now, as strings (none where there is no /proc: macOS)."""
    try:
        return [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return []


def _parents() -> dict[int, int]:
    """Every process's parent, from /proc (empty where there is none)."""
    parents: dict[int, int] = {}
    for entry in _pids():
        fields = _stat_fields(entry)
        if fields is not None:
            parents[int(entry)] = int(fields[1])
    return parents


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie has exited: it is not)."""
    fields = _stat_fields(str(pid))
    return fields is not None and fields[0] != b"Z"


def asleep(pid: int) -> bool:
    """Whether `pid` sleeps (state S: in a read, a wait for its child, an event loop's wait),
    not running, nor runnable as it goes on to exit."""
    fields = _stat_fields(str(pid))
    return fields is not None and fields[0] == b"S"


def stopped(pid: int) -> bool:
    """Whether `pid` is stopped (state T: a SIGSTOP or SIGTSTP; t: held by a debugger): it
    reads and writes nothing until it is continued."""
    fields = _stat_fields(str(pid))
    return fields is not None and fields[0] in (b"T", b"t")


def _read_all(path: str, whole: bool = True) -> bytes | None:
    """The bytes of a /proc file (its first read only unless `whole`), or None when it cannot
    be read (the process is gone, or not ours to read). Plain descriptor calls: no file
    object for each of thousands of processes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        chunks = [os.read(fd, 65536)]
        while whole and chunks[-1]:
            chunks.append(os.read(fd, 65536))
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _stat_fields(pid: str) -> list[bytes] | None:
    """The fields of `/proc/PID/stat` after the command name (state, ppid, … the start at
    index 19), or None."""
    stat = _read_all(f"/proc/{pid}/stat", whole=False)  # a line: one read holds it
    if stat is None:
        return None
    # The command name may contain spaces and parentheses: fields start after the last ')'.
    fields = stat[stat.rfind(b")") + 2 :].split(maxsplit=20)  # the start is the 20th: no more
    return fields if len(fields) > 19 else None


def descendants(pid: int) -> set[int]:
    """Every live descendant of `pid`, found through /proc (children may leave the group)."""
    return _descendants_in(pid, _parents())


def _descendants_in(pid: int, parents: dict[int, int]) -> set[int]:
    """The descendants of `pid` by the parent of each process in `parents`."""
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


QUEUED_MOST = 10.0  # seconds a killed process still queued for a CPU to exit is waited for


def wait_gone(pids: set[int], timeout: float) -> None:
    """Wait until every one of `pids` has exited (a zombie counts as gone), at most `timeout`;
    past it, while one left is runnable or in a moment's uninterruptible sleep (R, D: killed,
    queued for a CPU to run its exit on a loaded machine), up to QUEUED_MOST. A daemon killed
    as ping ended was still alive when it returned, once, at a load of 15-20."""
    start = time.monotonic()
    end, most = start + timeout, start + max(timeout, QUEUED_MOST)
    while pids:
        states = {pid: _state(pid) for pid in pids}
        pids = {pid for pid, state in states.items() if state not in (None, b"Z")}
        now = time.monotonic()
        exiting = any(states[pid] in (b"R", b"D") for pid in pids)
        if not pids or now >= most or (now >= end and not exiting):
            return
        time.sleep(0.01)


def _state(pid: int) -> bytes | None:
    """Its state letter (R, S, D, Z, …), None once gone."""
    fields = _stat_fields(str(pid))
    return fields[0] if fields is not None else None
