"""Who sent the SIGKILL that ended a worker, as far as the evidence tells: the kernel log names
a process its OOM killer ended; anything else (a supervisor, a timeout wrapper, a user, or the
worker itself: `os.kill(os.getpid(), SIGKILL)`) leaves the same exit status and no record. Read
by ping's crash reading (poolctl/diagnose/hypotheses/crashed.py) and the pool's
(poolctl/scenario/deaths.py), in the same words."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from poolctl.memory_cgroup import MemoryCgroup, memory_path, read_cgroup
from poolctl.model import Evidence

from .kernel_log import KernelLog, lines_since, read_kernel_log

# Said of a signal that came from outside the worker (SIGTERM, SIGHUP…; a SIGKILL when the
# kernel log could not be read).
FIND_THE_SENDER = (
    "Find what sent the signal: the kernel log (`dmesg`) names a process the OOM killer "
    "ended; otherwise a supervisor, a timeout wrapper or a user sent it."
)


@dataclass(frozen=True)
class Sender:
    """What is known of who sent a worker its SIGKILL: said after the signal, what to do, and
    the line it rests on."""

    why: str
    fix: str
    evidence: Evidence
    cgroup: Evidence | None = None  # its memory cgroup's limit and count of OOM kills


LOG_NOTE = "the kernel log, where the OOM killer records whom it ends"


def oom_lines(lines: list[str], pid: int, since: float) -> list[str]:
    """The kernel log's lines that record the OOM killer ending process `pid`, stamped no
    earlier than `since` (the monotonic clock, which the log's stamps count too): an earlier
    process of the same pid is not this one."""
    return lines_since(lines, rf"(?:Killed process {pid}\b|[,:\s]pid={pid}\b)", since)


MORE_MEMORY = (
    "Give the worker more memory or make it use less: its memory limit (the cgroup's "
    "memory.max, the container's limit) or the machine's memory ran out while it served; "
    "the kernel log's lines (quoted) name its size when it was killed."
)


def sigkill_sender(
    pid: int, since: float, log: KernelLog | None = None, memcg: MemoryCgroup | None = None
) -> Sender:
    """Who sent process `pid` (started at monotonic `since`) the SIGKILL that ended it, from the
    kernel log (read now unless given): the OOM killer when the log names it, or, where the log
    cannot be read, when the OOM killer's count in its memory cgroup (`memcg`, noted while it
    ran) rose since; otherwise one of the others, not told apart."""
    log = log if log is not None else read_kernel_log()
    others = (
        "a supervisor, a timeout wrapper, a user, or the worker itself "
        "(`os.kill(os.getpid(), signal.SIGKILL)`, `kill -9 $$`)"
    )
    if log.lines is None:
        counted = _counted_kill(memcg)
        if counted is not None:
            return counted
        return Sender(
            f"the OOM killer or {others} sent it; the kernel log could not be read here, and "
            "the exit status does not say which",
            FIND_THE_SENDER,
            Evidence(f"not read: {log.why_not}", log.source, LOG_NOTE),
        )
    found = oom_lines(log.lines, pid, since)
    if found:
        named = re.search(r"\boom_memcg=([^,\s]+)", "\n".join(found))
        read = _read_named(named.group(1), memcg) if named else None
        if read is not None and read.limit is not None:
            why = f"its cgroup {read.path} reached {read.limit_said()}"
        else:
            why = "the system (or its cgroup) ran out of memory"
        return Sender(
            f"the kernel's OOM killer ended it: {why}",
            MORE_MEMORY,
            Evidence("\n".join(found[-2:]), log.source, "the OOM killer's record of it"),
            _cgroup_evidence(read) if read is not None else None,
        )
    return Sender(
        f"not the OOM killer: the kernel log names no OOM kill of pid {pid}; {others} sent it, "
        "and the exit status does not say which",
        f"Find what sent SIGKILL: {others}; a supervisor's or wrapper's log names what it "
        "killed, and a search of the worker's code for `SIGKILL` or `kill -9` finds its own.",
        Evidence(
            f"no OOM kill of pid {pid} in {len(log.lines)} line(s)",
            log.source,
            LOG_NOTE,
        ),
    )


def _read_named(path: str, noted: MemoryCgroup | None) -> MemoryCgroup | None:
    """The memory cgroup the kernel log names (`oom_memcg=`), read now."""
    v2 = noted.v2 if noted is not None else (memory_path(os.getpid()) or ("", False))[1]
    return read_cgroup(path, v2)


def _cgroup_evidence(read: MemoryCgroup, before: int | None = None) -> Evidence:
    counts = (
        f"oom_kill {read.oom_kills}"
        if before is None
        else (f"oom_kill {before} when noted, {read.oom_kills} after it ended")
    )
    where = "memory.events" if read.v2 else "memory.oom_control"
    text = f"{read.limit_said()}; {where}: {counts}"
    if read.failcnt is not None:
        text += f"; {'memory.events max' if read.v2 else 'memory.failcnt'} {read.failcnt}"
    return Evidence(text, read.directory, f"its memory cgroup {read.path}, read after it ended")


def _counted_kill(memcg: MemoryCgroup | None) -> Sender | None:
    """The OOM killer's kill told by its count in the worker's memory cgroup, noted while it
    ran and read again now: a rise says it killed there meanwhile (the worker, or another
    process of that cgroup: the count does not name whom)."""
    if memcg is None or memcg.oom_kills is None:
        return None
    now = read_cgroup(memcg.path, memcg.v2)
    if now is None or now.oom_kills is None or now.oom_kills <= memcg.oom_kills:
        return None
    limit = f", at {now.limit_said()}" if now.limit is not None else ""
    return Sender(
        f"the kernel's OOM killer, most likely: it killed {now.oom_kills - memcg.oom_kills} "
        f"process(es) in the worker's memory cgroup {now.path} while it ran{limit} (the kernel "
        "log, which names whom, could not be read here)",
        MORE_MEMORY.replace("the kernel log's lines (quoted) name", "the kernel log names"),
        _cgroup_evidence(now, memcg.oom_kills),
    )
