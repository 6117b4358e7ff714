"""Who sent the SIGKILL that ended a worker, as far as the evidence tells: the kernel log names
a process its OOM killer ended; anything else (a supervisor, a timeout wrapper, a user, or the
worker itself: `os.kill(os.getpid(), SIGKILL)`) leaves the same exit status and no record. Read
by ping's crash reading (poolctl/diagnose/hypotheses/crashed.py) and the pool's
(poolctl/scenario/deaths.py), in the same words."""

from __future__ import annotations

from dataclasses import dataclass

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


LOG_NOTE = "the kernel log, where the OOM killer records whom it ends"


def oom_lines(lines: list[str], pid: int, since: float) -> list[str]:
    """The kernel log's lines that record the OOM killer ending process `pid`, stamped no
    earlier than `since` (the monotonic clock, which the log's stamps count too): an earlier
    process of the same pid is not this one."""
    return lines_since(lines, rf"(?:Killed process {pid}\b|[,:\s]pid={pid}\b)", since)


def sigkill_sender(pid: int, since: float, log: KernelLog | None = None) -> Sender:
    """Who sent process `pid` (started at monotonic `since`) the SIGKILL that ended it, from the
    kernel log (read now unless given): the OOM killer when the log names it; otherwise one of
    the others, not told apart."""
    log = log if log is not None else read_kernel_log()
    others = (
        "a supervisor, a timeout wrapper, a user, or the worker itself "
        "(`os.kill(os.getpid(), signal.SIGKILL)`, `kill -9 $$`)"
    )
    if log.lines is None:
        return Sender(
            f"the OOM killer or {others} sent it; the kernel log could not be read here, and "
            "the exit status does not say which",
            FIND_THE_SENDER,
            Evidence(f"not read: {log.why_not}", log.source, LOG_NOTE),
        )
    found = oom_lines(log.lines, pid, since)
    if found:
        return Sender(
            "the kernel's OOM killer ended it: the system (or its cgroup) ran out of memory",
            "Give the worker more memory or make it use less: its memory limit (the cgroup's "
            "memory.max, the container's limit) or the machine's memory ran out while it served; "
            "the kernel log's lines (quoted) name its size when it was killed.",
            Evidence("\n".join(found[-2:]), log.source, "the OOM killer's record of it"),
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
