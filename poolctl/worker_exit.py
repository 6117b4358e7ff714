"""A worker that answered while the process poolctl started has exited, in words, for ping's
note and doctor's start-up check."""

from __future__ import annotations

import contextlib
import os
import time

from poolctl.diagnose import procinfo
from poolctl.proctree import asleep, descendants
from poolctl.worker import WorkerProcess

# How long after its last answer a worker may take to be seen waiting for its next request or
# gone. A script that answers once and exits takes a few to some hundred milliseconds to end
# (its interpreter's shutdown); a pool's worker is back in its read within microseconds, and
# ends the wait then.
SETTLE_S = 0.5
_LOOK_EVERY_S = 0.002
# How much longer a worker still neither gone nor waiting then is watched while it only runs or
# sleeps on a timer (a script finishing some work before it exits): a worker waiting in a way
# /proc does not show is not kept so.
LONGER_S = 2.0


def settle(worker: WorkerProcess, limit: float = SETTLE_S, longer: float = LONGER_S) -> None:
    """Wait, at most `limit`, until the worker has exited or waits for its next request (it, or
    a process under it, sleeps reading its stdin or in an event loop watching it). Without it
    a script that answers one request and exits passed ping: it was still ending as ping
    closed its stdin, and the exit looked like one asked for. A worker that does neither within
    `limit` is watched `longer` while it only runs or sleeps on a timer (a script that lingers
    before its exit: it too passed, its exit taken for the one stdin's close asked for), and
    not waited for longer when it may wait in a way /proc does not show."""
    proc = worker.proc
    if proc is None or proc.stdin is None or proc.stdin.closed:
        return
    stdin_pipe = procinfo.pipe_name(proc.stdin.fileno())
    end = time.monotonic() + limit
    looks = 0
    while worker.poll() is None and time.monotonic() < end:
        # the worker's own process (a pool's worker: found at the first look); its descendants
        # (a shell's child) every tenth look, as finding them reads every process's stat line,
        # and only while the worker sleeps: one that forked and is yet to run its exit is not
        # waiting on the child that answered in its place
        looks += 1
        if procinfo.waits_for_input([worker.pid], stdin_pipe):
            return
        if (
            looks % 10 == 0
            and asleep(worker.pid)
            and procinfo.waits_for_input(descendants(worker.pid), stdin_pipe)
        ):
            return
        time.sleep(_LOOK_EVERY_S)
    end = time.monotonic() + longer
    while worker.poll() is None and time.monotonic() < end and procinfo.off_input(worker.pid):
        time.sleep(_LOOK_EVERY_S * 5)


def exited_while_answering(worker: WorkerProcess, *, told_to_exit: bool = False) -> tuple[str, str]:
    """Its answers came, yet the process poolctl started has exited: what happened and what to
    do (("", "") when it runs on). A process it left holding its pipes answered in its place
    (it forked and exited, a daemon's step), or it exited after its answer. A pool watches the
    process it started, and sees its worker gone. `told_to_exit`: the session ended with the
    protocol's own exit (LSP's `exit` after `shutdown`), which a server must obey: its exit
    is then said only if a process it left answered."""
    status = worker.poll()
    if status is None or not worker.answered:
        return "", ""
    left = _left_holding(worker)
    if not left and told_to_exit:
        return "", ""
    if not left:
        return (
            f"pid {worker.pid}, the process poolctl started, {status.describe()} after it "
            "answered:",
            "a pool's worker must stay up for the next request.",
        )
    return (
        f"pid {worker.pid}, the process poolctl started, {status.describe()}, yet the answer "
        f"came, and its stdout is held by {'; '.join(left[:3])} (a process it left, as a "
        "daemon forks and exits).",
        "A pool watches the process it started: it sees its worker exit, and stopping it "
        "leaves that process running; keep the worker's own process in front (answer from "
        "it, or wait for the child).",
    )


def _left_holding(worker: WorkerProcess) -> list[str]:
    """The processes of the worker (its descendants, or carrying its token) that hold its stdout
    pipe: `pid 12, python3`, and whether it left the worker's session. Not another process
    poolctl forks meanwhile, which holds the fd for a moment before it execs."""
    family = worker.family()
    named = []
    for pid, _, comm in procinfo.holders_of_our_fd(worker.stdout_fd, exclude=[worker.pid]):
        away = ""
        with contextlib.suppress(OSError):
            away = ", in a session of its own" if os.getsid(pid) != worker.pid else ""
        if pid in family:
            named.append(f"pid {pid}, {comm}{away}")
    return named
