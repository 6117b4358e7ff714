"""Finding processes through /proc: a process's descendants by parent, and processes by a
variable of their environment (found even after they were re-parented or left the session)."""

from __future__ import annotations

import os
import time


def processes_with_env(name: str, value: str) -> set[int]:
    """Live processes whose environment holds `name=value` (readable ones only)."""
    needle = f"{name}={value}".encode()
    found: set[int] = set()
    try:
        entries = os.listdir("/proc")
    except OSError:  # no /proc (macOS): nothing can be found this way
        return found
    for entry in entries:
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if needle in f.read().split(b"\0"):
                        found.add(int(entry))
            except OSError:
                continue
    return found


def children_of(pid: int) -> set[int]:
    """The live direct children of `pid` (a subreaper's include the orphans it adopted)."""
    return {child for child, parent in _parents().items() if parent == pid}


def _parents() -> dict[int, int]:
    """Every process's parent, from /proc (empty where there is none)."""
    parents: dict[int, int] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return parents
    for entry in entries:
        fields = _stat_fields(entry) if entry.isdigit() else None
        if fields is not None:
            parents[int(entry)] = int(fields[1])
    return parents


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie has exited: it is not)."""
    fields = _stat_fields(str(pid))
    return fields is not None and fields[0] != b"Z"


def _stat_fields(pid: str) -> list[bytes] | None:
    """The fields of `/proc/PID/stat` after the command name (state, ppid, …), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name may contain spaces and parentheses: fields start after the last ')'.
    return stat[stat.rfind(b")") + 2 :].split()


def descendants(pid: int) -> set[int]:
    """Every live descendant of `pid`, found through /proc (children may leave the group)."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def wait_gone(pids: set[int], timeout: float) -> None:
    """Wait until every one of `pids` has exited (a zombie counts as gone), at most `timeout`."""
    end = time.monotonic() + timeout
    while pids and time.monotonic() < end:
        pids = {pid for pid in pids if running(pid)}
        if pids:
            time.sleep(0.01)
