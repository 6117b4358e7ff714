"""The kernel log (`dmesg`, else `journalctl -k`), read for its records of one worker process:
the OOM killer's kill of it (poolctl/diagnose/killed.py), the fault that crashed it
(`python3[PID]: segfault at 0 … in libc.so.6`). Its lines are stamped with the monotonic clock,
as a worker's start is (WorkerProcess.started_mono): a line older than the worker is another
process's that had its pid."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

from poolctl.signal_sender import WAITER

# The kernel log's ways of reading it (each asked in turn, at most a few seconds)
_READERS = (
    ("dmesg", ("dmesg",)),
    ("journalctl -k", ("journalctl", "-k", "-q", "--no-pager", "-o", "short-monotonic")),
)


@dataclass(frozen=True)
class KernelLog:
    """The kernel log's lines, or why it could not be read (`lines` is None then)."""

    source: str
    lines: list[str] | None
    why_not: str = ""


def read_kernel_log() -> KernelLog:
    """The kernel log, from `dmesg` or else `journalctl -k`; None lines with the reason when
    neither can be read (no permission, no such program, no journal)."""
    if not _own_pid_namespace():
        why = "poolctl runs in a pid namespace of its own: the log's pids are not its pids"
        return KernelLog("dmesg", None, why)
    failures = []
    for name, argv in _READERS:
        try:
            with WAITER.unblocked():  # (no child inherits the signals poolctl blocks)
                done = subprocess.run(argv, capture_output=True, timeout=5, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            failures.append(f"{name}: {exc}")
            continue
        text = done.stdout.decode(errors="replace")
        if done.returncode == 0 and text.strip():
            return KernelLog(name, text.splitlines())
        said = (done.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        failures.append(f"{name}: {said}")
    return KernelLog("dmesg", None, "; ".join(failures))


def _own_pid_namespace() -> bool:
    """Whether poolctl's pids are the kernel's (the log's): not so in a container's pid
    namespace, where /proc/self/status lists more than one pid on its NSpid line."""
    try:
        with open("/proc/self/status") as f:
            nspid = next((ln.split()[1:] for ln in f if ln.startswith("NSpid:")), [])
    except OSError:
        return False
    return len(nspid) == 1


_STAMP = re.compile(r"^\[\s*(\d+\.\d+)\]")


def lines_since(lines: list[str], pattern: str, since: float) -> list[str]:
    """The lines matching `pattern`, stamped no earlier than `since` (a second's slack: the
    stamp and the clock read at the spawn are not taken at one instant)."""
    mark = re.compile(pattern)
    found = []
    for line in lines:
        stamp = _STAMP.match(line)
        if mark.search(line) and (stamp is None or float(stamp.group(1)) >= since - 1.0):
            found.append(line.strip())
    return found


def fault_record(pid: int, since: float, log: KernelLog | None = None) -> tuple[str, str] | None:
    """The kernel's line for a fault that crashed process `pid` (a segfault, a general
    protection fault, a trap) and the log it was read from; None when none is there or the log
    cannot be read."""
    log = log if log is not None else read_kernel_log()
    if log.lines is None:
        return None
    found = lines_since(log.lines, rf"\[{pid}\]: (?:segfault|general protection|trap)", since)
    return (found[-1], log.source) if found else None
