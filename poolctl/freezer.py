"""Workers frozen by a cgroup freezer (`docker pause`, a cgroup v1 `freezer.state` of FROZEN,
cgroup v2's `cgroup.freeze`). A frozen process runs nothing: it reads no end of input, and a
SIGTERM or even a SIGKILL stays pending until it is thawed, so a stop that only signals it
leaves it behind. Moving it to its hierarchy's root cgroup, which is not frozen, thaws it
alone (the rest of a paused container stays paused), and the stop then ends it as any other.
Linux only; where cgroups cannot be read or written, nothing is done."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable
from dataclasses import dataclass

_V1 = "freezer"


@dataclass(frozen=True)
class Frozen:
    """A process found frozen, and the file that says so."""

    pid: int
    where: str  # "/sys/fs/cgroup/freezer/paused/freezer.state FROZEN"
    moved: bool  # moved out to its hierarchy's root, thawed


def thaw(pids: Iterable[int]) -> list[Frozen]:
    """Move each of `pids` found frozen to the root of its freezer hierarchy; what was found."""
    mounts = _mounts()
    if not mounts:
        return []
    found = []
    for pid in sorted(set(pids)):
        where = _frozen_at(pid, mounts)
        if where is not None:
            root, said = where
            found.append(Frozen(pid, said, _move(pid, root)))
    return found


def said(found: list[Frozen]) -> str:
    """The stop's record of the frozen processes, one clause a freezer state file: `pids 12,
    13 frozen by their cgroup's freezer (…/freezer.state FROZEN): moved out of it to be
    stopped` ("" when none)."""
    clauses = []
    for where in dict.fromkeys(f.where for f in found):
        these = [f for f in found if f.where == where]
        pids = ", ".join(str(f.pid) for f in these)
        who = f"pid {pids} frozen by its" if len(these) == 1 else f"pids {pids} frozen by their"
        stuck = [str(f.pid) for f in these if not f.moved]
        done = (
            "moved out of it to be stopped"
            if not stuck
            else f"{', '.join(stuck)} could not be moved out, and may be left frozen"
        )
        clauses.append(f"{who} cgroup's freezer ({where}): {done}")
    return "; ".join(clauses)


def frozen_where(pid: int) -> str | None:
    """The file that says `pid` is frozen and what it says
    (`/sys/fs/cgroup/freezer/paused/freezer.state FROZEN`), or None when it is not."""
    where = _frozen_at(pid, _mounts())
    return where[1] if where is not None else None


@functools.cache  # the hierarchies are mounted once, at boot
def _mounts() -> dict[str, str]:
    """Where the freezer hierarchies are mounted: "v1" (the freezer controller), "v2"."""
    found: dict[str, str] = {}
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return found
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        if tail[0] == "cgroup2":
            found.setdefault("v2", fields[4])
        elif tail[0] == "cgroup" and _V1 in tail[2].split(","):
            found.setdefault("v1", fields[4])
    return found


def _frozen_at(pid: int, mounts: dict[str, str]) -> tuple[str, str] | None:
    """The root to move `pid` to and the file saying it is frozen, when it is."""
    try:
        with open(f"/proc/{pid}/cgroup", encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2) if line.count(":") >= 2 else ("", "-", "")
        if "v1" in mounts and _V1 in controllers.split(","):
            state_file = f"{mounts['v1']}{path.rstrip('/')}/freezer.state"
            state = _read(state_file)
            if state in ("FROZEN", "FREEZING"):
                return mounts["v1"], f"{state_file} {state}"
        elif "v2" in mounts and controllers == "" and path != "/":
            events_file = f"{mounts['v2']}{path}/cgroup.events"
            if "frozen 1" in (_read(events_file) or "").splitlines():
                return mounts["v2"], f"{events_file} frozen 1"
    return None


def _move(pid: int, root: str) -> bool:
    with contextlib.suppress(OSError):
        with open(f"{root}/cgroup.procs", "w", encoding="ascii") as f:
            f.write(str(pid))
        return True
    return False


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None
