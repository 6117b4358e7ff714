"""How a worker's stop ends it and every process of its family: stdin closed, a moment to exit
by itself, then SIGTERM (and SIGCONT, for a stopped one), SIGKILL after the grace, and last what
a new search of its family finds. The family is held by pidfd (`poolctl.pidfds`), so that the
signals, seconds after the search, reach those processes or none."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from typing import TYPE_CHECKING

from poolctl.freezer import Frozen, said, thaw
from poolctl.pidfds import Held
from poolctl.proctree import wait_gone
from poolctl.term_deaf import why_not_any

if TYPE_CHECKING:
    from poolctl.worker import WorkerProcess

# How long a stop lets a worker exit on its own once its stdin is closed, before SIGTERM. A
# worker that exits at end of input does so at once, but on a loaded machine its exit can take
# over 0.1 s; one that ignores end of input costs this much before it is signalled.
EOF_GRACE = 0.5
# How long past EOF_GRACE a worker still at work is waited for (running, or its CPU time rising:
# exiting), in seconds of wall time at most. A server on the MCP SDK spends a moment of CPU
# tearing down once its stdin closes: mcp-server-time 2026.10 exited 0.2-2.0 s after it here,
# markitdown-mcp 0.0.1a8 0.9-1.1 s, and SIGTERM at 0.5 s had them said to outlive their stdin.
# One idle then is not waited for, nor one at work before its stdin closed (a loop that never
# answers, a start still importing). Within it, the stop's grace counts the worker's CPU time,
# not the wall's: on a loaded machine one at work waits for a CPU, runnable, most of the time
# (an experiment's copy answering 512 requests as its stdin closed, at a load of 14, was stopped
# a second after the close with its answers unwritten).
EOF_BUSY_MAX = 5.0
BUSY_POLL = 0.2  # how often a worker still at work is looked at
# The CPU time one still running as its stdin is to close is given to go to sleep (one that
# just wrote its answer runs on a moment), and the seconds at most: CPU time, as on a loaded
# machine a worker may wait that long for a CPU, runnable, before its read (at a load of 12, a
# worker tearing down was taken for one busy before its stdin closed, and said to outlive it).
ASLEEP_WAIT = 0.2
ASLEEP_MOST = 2.0
# What ended a worker still at work (running, or its CPU time rising) when the wait for its
# teardown ran out: whether it would have exited is not known.
AT_WORK = "SIGTERM, still at work after its stdin closed"


def end_with_family(worker: WorkerProcess, family: Held, grace: float) -> None:
    """End `worker` (stdin closed, then SIGTERM, then SIGKILL) and every process of `family`,
    noting in `worker.stopped_by` what ended it."""
    ended = worker.poll()  # it had ended by itself (a crash, an exit): nothing stopped it
    # a frozen process reads no end of input and takes no signal, SIGKILL included: thawed
    # first, it is stopped as any other
    frozen = thaw({worker.pid} | family.pids) if ended is None else []
    # one asleep as its stdin closes (waiting for input) that is at work after is tearing down;
    # one at work already (a loop, its imports) is not waited for
    asleep, ticks = _asleep(worker.pid, min(ASLEEP_MOST, grace)) if ended is None else (False, -1)
    worker.close_stdin()
    at_work = False
    if ended is not None:  # unless the interruption's stop of every child ended it first
        worker.stopped_by = (
            worker.interrupted_stop() or f"nothing: it had ended by itself ({ended.describe()})"
        )
    elif worker.wait_exit(min(EOF_GRACE, grace)) is None and asleep:
        at_work = _at_work_until_exit(worker, ticks, min(EOF_BUSY_MAX, grace))
    if ended is None and worker.poll() is not None:
        worker.stopped_by = worker.interrupted_stop() or "exited when stdin closed"
    if worker.poll() is None:
        _signal(worker, signal.SIGTERM, family)
        _signal(worker, signal.SIGCONT, family)  # a stopped process acts on SIGTERM once it runs
        if worker.wait_exit(grace) is None:  # why, read before the SIGKILL below
            why = why_not_any({worker.pid} | family.pids)
            why = f": {why}" if why else ""
            worker.stopped_by = f"SIGKILL after {grace:g} s (SIGTERM ignored{why})"
        else:
            by = AT_WORK if at_work else "SIGTERM"
            worker.stopped_by = worker.stopped_by or worker.interrupted_stop() or by
        # what is left, leader included: waited for, as one waiting for a CPU (a loaded
        # machine) acts on its SIGKILL only once it runs again
        frozen += _kill_known_then_found(worker, family, wait=True)
        worker.wait_exit(5.0)
    else:  # children it left running (a daemonized server)
        frozen += _kill_known_then_found(worker, family, wait=True)  # none outlives the call
    if frozen:  # neither its stdin's close nor a signal reached it before: said apart
        worker.stopped_by = f"{worker.stopped_by}; {said(frozen)}"


def _at_work_until_exit(worker: WorkerProcess, ticks: int, most: float) -> bool:
    """Watch a worker still running once its stdin closed while it keeps at work, until it has
    run `most` seconds on a CPU from now (the stop's grace, which an experiment's copy keeps
    short; EOF_BUSY_MAX seconds of wall time at most), `ticks` its CPU time as its stdin closed;
    whether it was still at work when the wait ran out. One asleep that used no CPU time since
    it was last looked at waits for something else than its end, and is not waited for."""
    end = time.monotonic() + EOF_BUSY_MAX
    budget = _ticks(worker.pid)[1] + most * _TICKS_A_SECOND
    while time.monotonic() < end:
        state, now = _ticks(worker.pid)
        if state != "R" and now <= ticks:  # asleep and idle, or gone
            return False
        if now >= budget:
            break
        ticks = now
        if worker.wait_exit(BUSY_POLL) is not None:
            return False
    return worker.poll() is None


def _asleep(pid: int, most: float) -> tuple[bool, int]:
    """Whether it sleeps (`S`) before it has run ASLEEP_WAIT seconds on a CPU (`most` seconds
    at most), and its CPU ticks then. One stopped (`T`, `t`) uses no CPU, and is not waited
    for the whole `most`; one running (`R`) or in a moment's uninterruptible sleep (`D`, as
    when it joins a cgroup or takes a page fault) is."""
    state, first = _ticks(pid)
    ticks, end = first, time.monotonic() + max(ASLEEP_WAIT, most)
    budget = ASLEEP_WAIT * _TICKS_A_SECOND
    while state in ("R", "D") and ticks - first < budget and time.monotonic() < end:
        time.sleep(0.02)
        state, ticks = _ticks(pid)
    return state == "S", ticks


_TICKS_A_SECOND = os.sysconf("SC_CLK_TCK")


def _ticks(pid: int) -> tuple[str, int]:
    """Its state (`R` running) and the CPU ticks its threads used; ("", -1) once gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rpartition(")")[2].split()
        return fields[0], int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return "", -1


def _kill_known_then_found(worker: WorkerProcess, known: Held, wait: bool = False) -> list[Frozen]:
    """SIGKILL the group and `known` at once, then what a search finds now (a search of every
    process may take long on a busy machine: what is known waits for none), and thaw any of
    them frozen, whose SIGKILL waits for that; with `wait`, wait for them all to be gone (2 s
    at most). The frozen ones thawed."""
    _signal(worker, signal.SIGKILL, known)
    if known.add(worker.family_found()):
        _signal(worker, signal.SIGKILL, known)
    frozen = thaw(known.pids)
    if wait:
        wait_gone(known.pids, 2.0)
    return frozen


def _signal(worker: WorkerProcess, sig: signal.Signals, family: Held) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(worker.pid, sig)
    family.signal(sig)


def outlived_its_stdin(stopped_by: str) -> str:
    """What a stop that had to send SIGTERM says of a worker: it ran on past the end of its
    input ("" when it exited then, or anything else ended it)."""
    if stopped_by == AT_WORK:
        return (
            "it was still at work (running, its CPU time rising) when poolctl's wait for it "
            "to exit after its stdin closed ran out, and SIGTERM ended it: whether it exits at "
            "end of input, after a teardown longer than the wait, is not known"
        )
    if stopped_by != "SIGTERM":
        return ""
    return (
        f"it had not exited {EOF_GRACE:g} s after its stdin closed, and SIGTERM ended it: "
        "a worker should exit at end of input (a read that returns nothing ends its loop); "
        "a pool that only closes its pipes, as an Erlang port does, leaves it running"
    )


def sigterm_ignored(stopped_by: str, grace: float) -> str:
    """What ping says of a worker whose stop had to SIGKILL it (`stopped_by` says why SIGTERM
    did not end it, when /proc told)."""
    why = stopped_by.partition("(SIGTERM ignored: ")[2].removesuffix(")")
    init = "pid namespace" in why
    return (
        "it did not exit when its stdin closed, and "
        + (f"SIGTERM did not end it ({why})" if why else "ignored SIGTERM")
        + f": poolctl killed it (SIGKILL after {grace:g} s); a client or pool that closes it "
        "waits as long, and a server should exit at end of input"
        + (
            "; a pid namespace's first process (a container's entry point) needs a SIGTERM "
            "handler to stop when told, or an init before it that passes signals on "
            "(`docker run --init`, tini)"
            if init
            else ""
        )
    )


__all__ = ["AT_WORK", "EOF_GRACE", "end_with_family", "outlived_its_stdin", "sigterm_ignored"]
