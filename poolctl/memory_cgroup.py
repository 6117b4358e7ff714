"""A worker's memory cgroup (v1's memory controller, or v2's unified tree): its path, the limit
it runs under (the lowest of its own and its ancestors'), and how many processes the OOM killer
ended in it. Noted while the worker runs: once it exits, /proc/PID/cgroup no longer names it,
and a SIGKILL it took is told the OOM killer's from the cgroup's own count (memory.oom_control's
`oom_kill`, memory.events' in v2) when the kernel log cannot be read. Linux only."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class MemoryCgroup:
    """A memory cgroup read at one moment."""

    path: str  # as /proc/PID/cgroup and the kernel log name it: "/poolctl-oom"
    directory: str  # where its files are: "/sys/fs/cgroup/memory/poolctl-oom"
    v2: bool
    oom_kills: int | None  # processes the OOM killer ended in it so far
    limit: int | None  # bytes: the lowest limit on its way up (None: unlimited)
    limit_file: str  # the file that limit was read from
    failcnt: int | None  # times its usage hit its limit (v1), memory.events' `max` (v2)

    def limit_said(self) -> str:
        if self.limit is None:
            return f"no memory limit ({self.limit_file})"
        return f"a memory limit of {self.limit / 2**20:,.0f} MiB ({self.limit_file})"


def memory_path(pid: int) -> tuple[str, bool] | None:
    """Process `pid`'s memory cgroup path and whether it is v2's, from /proc/PID/cgroup."""
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    unified = None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            return path, False
        if controllers == "":
            unified = path
    return (unified, True) if unified is not None else None


def _mount(v2: bool) -> tuple[str, str] | None:
    """The memory hierarchy's mount: its root within the hierarchy and its mount point."""
    with contextlib.suppress(OSError), open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields, kind = left.split(), right.split()
            if len(fields) < 5 or len(kind) < 3:
                continue
            if (v2 and kind[0] == "cgroup2") or (
                not v2 and kind[0] == "cgroup" and "memory" in kind[2].split(",")
            ):
                return fields[3], fields[4]
    return None


def _number(path: str, key: str = "") -> int | None:
    """A file's number (`max` and v1's near 2**63 are None: unlimited), or the one after `key`
    in a file of `key value` lines."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    if key:
        found = [ln.split()[1] for ln in text.splitlines() if ln.split()[:1] == [key]]
        text = found[0] if found else ""
    text = text.strip()
    if not text.isdigit():
        return None
    return int(text) if int(text) < 2**62 else None


def read_cgroup(path: str, v2: bool) -> MemoryCgroup | None:
    """The memory cgroup at `path` as it is now (None when its hierarchy is not mounted here)."""
    mount = _mount(v2)
    if mount is None:
        return None
    root, point = mount
    if not (path + "/").startswith(root.rstrip("/") + "/"):
        return None
    directory = os.path.join(point, path[len(root.rstrip("/")) :].lstrip("/")).rstrip("/")
    if not os.path.isdir(directory):
        return None
    name = "memory.max" if v2 else "memory.limit_in_bytes"
    limit, limit_file = None, f"{directory}/{name}"
    here = directory
    while here.startswith(point):  # the lowest limit on its way up binds it
        value = _number(f"{here}/{name}")
        if value is not None and (limit is None or value < limit):
            limit, limit_file = value, f"{here}/{name}"
        if here == point.rstrip("/"):
            break
        here = os.path.dirname(here)
    if v2:
        kills = _number(f"{directory}/memory.events", "oom_kill")
        fails = _number(f"{directory}/memory.events", "max")
    else:
        kills = _number(f"{directory}/memory.oom_control", "oom_kill")
        fails = _number(f"{directory}/memory.failcnt")
    return MemoryCgroup(path, directory, v2, kills, limit, limit_file, fails)
