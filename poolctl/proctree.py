"""Finding processes through /proc: a process's descendants by parent, and processes by a
variable of their environment (found even after they were re-parented or left the session)."""

from __future__ import annotations

import os


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
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: fields start after the last ')'.
        parents[int(entry)] = int(stat[stat.rfind(b")") + 2 :].split()[1])
    return parents


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
