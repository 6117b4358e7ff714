"""The reaper: kills what a poolctl command started once that command is gone, however it
ended (SIGKILL included).

`poolctl.children` runs it as `python -I -S reaper.py TOKEN PID TICK` (PID: poolctl's own,
TICK: the clock tick the token was made at, `poolctl.proctree.tick_now`), in a session of its
own, its stdin a pipe whose other end only poolctl holds. Lines `+PGID` and `-PGID` name the
process groups of poolctl's live children. While the pipe is open, it notes poolctl's
descendants every WATCH_EVERY seconds, each with its start time: a worker's daemon that left
its session and cleared its environment is found this way alone (Linux only). When
the pipe closes (poolctl exited, or was killed), it sends SIGKILL to those groups, to the
descendants it noted that still run (the same start time: not a reused pid), and to every
process whose environment carries `POOLCTL_RUN=TOKEN` (a child's children, even re-parented
or in a session of their own; Linux only), until none is left or two seconds have passed.
Standard library only, imported by nothing: it must start in milliseconds, without the package.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time

RUN_ENV = "POOLCTL_RUN"
# How often poolctl's descendants are noted: a daemon started less than this before poolctl
# was killed can be missed (if it also left its session and cleared its environment).
WATCH_EVERY = 0.2
FREEZER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "freezer.py")


def carriers(token: str, since: int) -> set[int]:
    """Processes whose environment holds `POOLCTL_RUN=token` (none where /proc is missing), of
    those started at clock tick `since` or later: one started before the token cannot carry
    it, and its environment (maybe large, copied out of its memory) is not read."""
    needle = f"\0{RUN_ENV}={token}\0".encode()
    found: set[int] = set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        start = started(int(entry))
        if start is None or int(start) < since:
            continue  # gone (or a zombie), or older than the token
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in b"\0" + f.read() + b"\0":
                    found.add(int(entry))
        except OSError:
            continue
    return found


def started(pid: int) -> bytes | None:
    """When `pid` started (clock ticks after boot, from /proc/PID/stat), or None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2 :].split()
    return fields[19] if len(fields) > 19 and fields[0] != b"Z" else None


def children(pid: int) -> list[int]:
    """The children of `pid`, from each thread's /proc/PID/task/TID/children."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(child) for child in f.read().split()]
    return found


def note_descendants(root: int, noted: dict[int, bytes]) -> None:
    """Add every live descendant of `root` (but this process) to `noted`, with its start
    time; drop the noted ones that have ended."""
    for pid in [p for p, when in noted.items() if started(p) != when]:
        del noted[pid]
    stack = [root]
    while stack:
        for child in children(stack.pop()):
            if child == os.getpid():
                continue
            if child not in noted:
                when = started(child)
                if when is None:
                    continue
                noted[child] = when
            stack.append(child)  # noted before or not: its children may be new


def main(argv: list[str]) -> int:
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_IGN)  # the terminal's signals are poolctl's to handle
    token, poolctl, since = argv[1], int(argv[2]), int(argv[3])
    groups: set[int] = set()
    noted: dict[int, bytes] = {}
    pending = b""
    noted_at = 0.0
    while True:  # until poolctl is gone
        if select.select([0], [], [], WATCH_EVERY)[0]:
            chunk = os.read(0, 65536)
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                sign, number = line[:1], line[1:].strip()
                if number.isdigit():
                    (groups.add if sign == b"+" else groups.discard)(int(number))
        # only while poolctl is its parent: once it is gone, its pid may be another's
        if time.monotonic() - noted_at >= WATCH_EVERY and os.getppid() == poolctl:
            note_descendants(poolctl, noted)
            noted_at = time.monotonic()
    for pgid in groups:
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)
    for pid, when in noted.items():
        if started(pid) == when:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    thaw([pid for pid, when in noted.items() if started(pid) == when])
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        found = carriers(token, since)
        if not found:
            break
        for pid in found:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        thaw(found)
        time.sleep(0.05)
    return 0


def thaw(pids: list[int] | set[int]) -> None:
    """Thaw those of `pids` a cgroup freezer holds: their SIGKILL waits until then. The
    package's `freezer.py` beside this file, loaded by path only when needed (the reaper starts
    without the package)."""
    if not pids or not sys.platform.startswith("linux"):
        return
    import importlib.util  # here: the reaper's start imports nothing it may not need

    spec = importlib.util.spec_from_file_location("poolctl_freezer", FREEZER)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses looks its module up by name
    with contextlib.suppress(Exception):  # the kills above stand whatever happens here
        spec.loader.exec_module(module)
        module.thaw(pids)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
