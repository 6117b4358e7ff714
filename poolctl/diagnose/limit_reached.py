"""A worker ended by a resource limit it ran under, told from the limits and CPU time read from
its process at its exit (poolctl/process_end.py): its CPU time (`ulimit -t`: SIGXCPU at the
soft limit, SIGKILL at the hard one), its address space or data size (`ulimit -v`, `prlimit
--as`: MemoryError, ENOMEM), its open files (`ulimit -n`: EMFILE), the size of the files it
writes (`ulimit -f`: SIGXFSZ). Read by ping's crash
reading and the pool's (poolctl/diagnose/hypotheses/crashed.py, poolctl/scenario/deaths.py),
in the same words. A limit is named only when it was set (not unlimited) and what ended the
worker is that limit's own error; anything else is left to their other readings.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass

from poolctl.model import Evidence
from poolctl.process_end import Limit, ProcessEnd
from poolctl.units import fmt_bytes

RAISED = " (the soft limit raised by 1 s as SIGXCPU was sent)"
NOTE = "its limits and CPU time at its exit (/proc/PID/limits, /proc/PID/stat)"
# The kernel checks the limit against a count sampled at each clock tick, a whole tick to the
# process running then, which runs ahead of the time /proc measures on a busy machine: a process
# the hard limit of 1 s killed reads 0.84-1.0 s here (2026-12-03, load 4-7; one in two readings
# fell below 0.8 s at a load of 5 beside other work). Half the limit is still that limit's.
CPU_SHARE_COUNTED = 0.5
BY_THE_TICK = " as /proc measures it (the kernel's count, by the clock tick, runs ahead of it)"
# What a process says when an allocation or a new file descriptor is refused.
NO_MEMORY = (
    "MemoryError",
    "Cannot allocate memory",
    "ENOMEM",
    "out of memory",  # Go's runtime, Node's heap
    "Fatal process OOM",  # V8 refused the address space it reserves at start (SIGTRAP)
    "OutOfMemoryError",
    "insufficient memory",  # a JVM that cannot reserve its heap
)
NO_FILES = ("Too many open files", "EMFILE", "[Errno 24]")
NO_PROCESS = ("Resource temporarily unavailable", "EAGAIN", "[Errno 11]")


@dataclass(frozen=True)
class LimitReached:
    """Said after the exit (why), what to do, and the line it rests on."""

    why: str
    fix: str
    evidence: Evidence


def _evidence(end: ProcessEnd, limit: Limit, used: str = "") -> Evidence:
    return Evidence(f"{limit.line()}{used}", f"pid {end.pid}", NOTE)


def _cpu(end: ProcessEnd, number: int) -> LimitReached | None:
    limit = end.limits.get("Max cpu time")
    if limit is None:
        return None
    if number == signal.SIGXCPU and limit.soft is not None:
        # the kernel's signal at the soft limit, which it then raises by a second (the exit's
        # limit is one more than the one reached); another process may send SIGXCPU too, so
        # the CPU time it had used is the proof
        if limit.soft < 1 or end.cpu_s < (limit.soft - 1) * CPU_SHARE_COUNTED:
            return None
        which, value = "soft", limit.soft - 1
    elif number == signal.SIGKILL and limit.hard is not None:
        if end.cpu_s < limit.hard * CPU_SHARE_COUNTED:
            return None
        which, value = "hard", limit.hard
    else:
        return None
    how = "SIGXCPU, its default ending it" if which == "soft" else "SIGKILL"
    used = f"; {end.cpu_s:.2f} s of CPU used{RAISED if which == 'soft' else ''}"
    counted = BY_THE_TICK if end.cpu_s < value else ""
    return LimitReached(
        f"the kernel ended it at its CPU-time limit: it had used {end.cpu_s:.2f} s of CPU"
        f"{counted}, "
        f"its {which} limit (RLIMIT_CPU, `ulimit -t`) {value} s, and past it the kernel sends "
        f"{how}",
        "Raise or drop the worker's CPU-time limit (`ulimit -t`, `prlimit --cpu`, a "
        "supervisor's or container's rlimits): it counts CPU seconds over the process's whole "
        "life, not per request, so a long-lived pool worker reaches any such limit in the end; "
        "or find what uses the CPU if the worker should not.",
        _evidence(end, limit, used),
    )


def _file_size(end: ProcessEnd, number: int) -> LimitReached | None:
    """SIGXFSZ under a file-size limit: the kernel's, as a write finds its file at the limit."""
    limit = end.limits.get("Max file size")
    if number != signal.SIGXFSZ or limit is None or limit.soft is None:
        return None
    return LimitReached(
        f"the kernel ended it at its file-size limit, most likely: it ran under a limit of "
        f"{fmt_bytes(limit.soft)} on each file it writes (RLIMIT_FSIZE, `ulimit -f`), and a "
        "write to a file at that size sends SIGXFSZ, whose default ends the process (another "
        "process may send SIGXFSZ too, which its exit does not tell apart)",
        "Raise or drop the worker's file-size limit (`ulimit -f`, `prlimit --fsize`, a "
        "supervisor's or container's rlimits), or keep what it writes below it (rotate or cap "
        "its log: `ls -l` of the files it writes shows the one at the limit); a process that "
        "ignores SIGXFSZ gets `File too large` (EFBIG) from the write instead, as Python does.",
        _evidence(end, limit),
    )


def _memory(end: ProcessEnd, said: str) -> LimitReached | None:
    if not any(word in said for word in NO_MEMORY):
        return None
    for name, what in (("Max address space", "address space"), ("Max data size", "data size")):
        limit = end.limits.get(name)
        if limit is not None and limit.soft is not None:
            return LimitReached(
                f"it ran under a limit on its {what} of {fmt_bytes(limit.soft)} "
                f"({'RLIMIT_AS, `ulimit -v`' if name.endswith('space') else 'RLIMIT_DATA'}), "
                "where an allocation past it fails",
                f"Raise the worker's {what} limit (`ulimit -v`, `prlimit --as`) or make it use "
                "less memory: a runtime reserves far more address space than it uses, so such a "
                "limit is often reached well below the machine's memory.",
                _evidence(end, limit),
            )
    return None


def _files(end: ProcessEnd, said: str, served: int) -> LimitReached | None:
    limit = end.limits.get("Max open files")
    if limit is None or limit.soft is None or not any(word in said for word in NO_FILES):
        return None
    return LimitReached(
        f"it had reached its limit of {limit.soft:,} open file descriptors (RLIMIT_NOFILE, "
        f"`ulimit -n`), after answering {served} request(s)",
        "Close what each request opens (a file, a socket, a pipe left open is a descriptor "
        "held until the worker exits) or raise the limit (`ulimit -n`); whether it keeps one "
        "open for each request is not known from its end: `ls /proc/PID/fd | wc -l` between "
        "requests shows it.",
        _evidence(end, limit),
    )


def _processes(end: ProcessEnd, said: str) -> LimitReached | None:
    """A process it could not start (EAGAIN) while its user's processes were at its limit."""
    limit = end.limits.get("Max processes")
    count = end.user_processes
    if limit is None or limit.soft is None or count is None or count < limit.soft:
        return None
    if not any(word in said for word in NO_PROCESS):
        return None
    return LimitReached(
        f"its user had {count} processes as it exited, at its limit of {limit.soft:,} "
        "(RLIMIT_NPROC, `ulimit -u`): a new process is refused (EAGAIN) past it",
        "Find the processes it starts and does not reap or stop (a child for each request, "
        "left running: `ps -u USER`), or raise the process limit (`ulimit -u`); it counts "
        "every process of the worker's user, the other workers' among them.",
        _evidence(end, limit, f"; {count} processes of its user as it exited"),
    )


def limit_reached(
    end: ProcessEnd | None, number: int | None, said: str, served: int = 0
) -> LimitReached | None:
    """The limit that ended a worker (`number`: the signal that killed it, None for an exit;
    `said`: the error it ended on, or the end of its stderr), or None when none is known to."""
    if end is None:
        return None
    if (
        number is not None
    ):  # the kernel's at a CPU or file-size limit, or a runtime's own on no memory
        return _cpu(end, number) or _file_size(end, number) or _memory(end, said)
    return _memory(end, said) or _files(end, said, served) or _processes(end, said)
