"""What a worker's process was at its end, read before it is reaped: the CPU time it had used
and the resource limits it ran under (`/proc/PID/stat`, `/proc/PID/limits`, both still there
while it is a zombie). A limit its command set (`ulimit -t`, `prlimit --as`, a supervisor's
rlimits) is applied after poolctl's fork, so it can only be read from the process itself; once
reaped, nothing of it is left. Linux only: elsewhere nothing is read.
"""

from __future__ import annotations

import contextlib
import os
import resource
import select
import time
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Limit:
    """One line of /proc/PID/limits: its soft and hard values (None: unlimited), its unit."""

    name: str  # as the kernel words it: "Max cpu time"
    soft: int | None
    hard: int | None
    unit: str

    def line(self) -> str:
        def said(value: int | None) -> str:
            return "unlimited" if value is None else f"{value:,}"

        return f"{self.name}: {said(self.soft)} (hard {said(self.hard)}) {self.unit}".rstrip()


@dataclass(frozen=True)
class ProcessEnd:
    """The process at its exit: CPU seconds used (user and system), and its limits by name."""

    pid: int
    cpu_s: float
    limits: dict[str, Limit]
    user_processes: int | None = None  # its user's, as it exited, under a `ulimit -u` of its own


def parse_limits(text: str) -> dict[str, Limit]:
    """/proc/PID/limits' table: `Max cpu time   1   unlimited   seconds` for each line."""
    limits: dict[str, Limit] = {}
    for line in text.splitlines()[1:]:
        name, rest = line[:26].strip(), line[26:].split()
        if len(rest) < 2:
            continue
        values = [None if v == "unlimited" else int(v) if v.isdigit() else -1 for v in rest[:2]]
        if -1 in values:
            continue
        limits[name] = Limit(name, values[0], values[1], " ".join(rest[2:]))
    return limits


@dataclass(frozen=True)
class Running:
    """A live process's limits, with what it used of two of them: its open descriptors and its
    address space (None when /proc would not say)."""

    pid: int
    limits: dict[str, Limit]
    open_fds: int | None
    vm_bytes: int | None
    fds_after_answers: tuple[int, ...] = ()  # its open descriptors after each answer


def open_fds(pid: int) -> int | None:
    """How many descriptors process `pid` has open (None when /proc would not say)."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def read_running(pid: int, fds_after_answers: tuple[int, ...] = ()) -> Running | None:
    """Process `pid`'s limits and use, read now (None when its limits cannot be read)."""
    limits = read_limits(pid)
    if not limits:
        return None
    vm_bytes = None
    with contextlib.suppress(OSError, ValueError, IndexError), open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                vm_bytes = int(line.split()[1]) * 1024
    return Running(pid, limits, open_fds(pid), vm_bytes, fds_after_answers)


def read_limits(pid: int) -> dict[str, Limit]:
    """The limits process `pid` runs under (empty when /proc cannot say)."""
    try:
        with open(f"/proc/{pid}/limits", encoding="ascii", errors="replace") as f:
            return parse_limits(f.read())
    except OSError:
        return {}


def still_running(pid: int) -> bool:
    """Whether process `pid` runs yet, by `waitid` without reaping it: a process found ended
    stays unreaped until its parent reaps it, so `read_end` can read it then (reaped at once
    after a look that found it running, one that ended in between was never read: seen at a
    load of 11, a CPU-time limit's SIGXCPU taken for a signal from outside). False once reaped,
    or where `waitid` cannot say."""
    try:
        waited = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except (OSError, AttributeError):
        return False
    return waited is None or waited.si_pid != pid


def read_end(pid: int) -> ProcessEnd | None:
    """The CPU time and limits of process `pid` if it has exited and is not yet reaped (None
    while it runs, once reaped, or where /proc cannot be read). Reaps nothing."""
    try:
        waited = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except (OSError, AttributeError):
        return None
    if waited is None or waited.si_pid != pid:
        return None  # still running
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    limits = read_limits(pid)
    # utime and stime (fields 14 and 15), in clock ticks; the threads' are summed into them
    cpu_s = (int(fields[11]) + int(fields[12])) / TICK
    return ProcessEnd(pid, cpu_s, limits, _user_processes(pid, limits))


def _user_processes(pid: int, limits: dict[str, Limit]) -> int | None:
    """How many processes its user had as it exited, counted only when it ran under a lower
    process limit than poolctl's (`ulimit -u`: the count that limit is held to)."""
    limit = limits.get("Max processes")
    ours = resource.getrlimit(resource.RLIMIT_NPROC)[0]
    if (
        limit is None
        or limit.soft is None
        or (ours != resource.RLIM_INFINITY and limit.soft >= ours)
    ):
        return None
    try:
        uid = os.stat(f"/proc/{pid}").st_uid
        entries = os.listdir("/proc")
    except OSError:
        return None
    count = 0
    for entry in entries:
        with contextlib.suppress(OSError):
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid:
                count += 1
    return count


def wait_unreaped(pid: int, timeout: float) -> None:
    """Wait up to `timeout` seconds for process `pid` to exit, leaving it unreaped (so that
    `read_end` can still read it); by its pidfd, or by looking every 10 ms without one."""
    fd = -1
    with contextlib.suppress(OSError, AttributeError):
        fd = os.pidfd_open(pid)
    if fd >= 0:
        try:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            poller.poll(max(0.0, timeout) * 1000)
        finally:
            os.close(fd)
        return
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            waited = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except (OSError, AttributeError):
            return
        if waited is not None and waited.si_pid == pid:
            return
        time.sleep(0.01)
