"""A worker that answered while the process poolctl started has exited, in words, for ping's
note and doctor's start-up check."""

from __future__ import annotations

import contextlib
import os

from poolctl.diagnose import procinfo
from poolctl.worker import WorkerProcess


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
