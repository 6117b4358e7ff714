"""How a worker's stop ends it and every process of its family: stdin closed, a moment to exit
by itself, then SIGTERM (and SIGCONT, for a stopped one), SIGKILL after the grace, and last what
a new search of its family finds. The family is held by pidfd (`poolctl.pidfds`), so that the
signals, seconds after the search, reach those processes or none."""

from __future__ import annotations

import contextlib
import os
import signal
from typing import TYPE_CHECKING

from poolctl.pidfds import Held
from poolctl.proctree import wait_gone

if TYPE_CHECKING:
    from poolctl.worker import WorkerProcess

# How long a stop lets a worker exit on its own once its stdin is closed, before SIGTERM. A
# worker that exits at end of input does so at once, but on a loaded machine its exit can take
# over 0.1 s; one that ignores end of input costs this much before it is signalled.
EOF_GRACE = 0.5


def end_with_family(worker: WorkerProcess, family: Held, grace: float) -> None:
    """End `worker` (stdin closed, then SIGTERM, then SIGKILL) and every process of `family`,
    noting in `worker.stopped_by` what ended it."""
    ended = worker.poll()  # it had ended by itself (a crash, an exit): nothing stopped it
    worker.close_stdin()
    if ended is not None:  # unless the interruption's stop of every child ended it first
        worker.stopped_by = (
            worker.interrupted_stop() or f"nothing: it had ended by itself ({ended.describe()})"
        )
    elif worker.wait_exit(min(EOF_GRACE, grace)) is not None:
        worker.stopped_by = worker.interrupted_stop() or "exited when stdin closed"
    if worker.poll() is None:
        _signal(worker, signal.SIGTERM, family)
        _signal(worker, signal.SIGCONT, family)  # a stopped process acts on SIGTERM once it runs
        if worker.wait_exit(grace) is None:
            worker.stopped_by = f"SIGKILL after {grace:g} s (SIGTERM ignored)"
        else:
            worker.stopped_by = worker.stopped_by or worker.interrupted_stop() or "SIGTERM"
        _kill_known_then_found(worker, family)  # what is left, leader included
        worker.wait_exit(5.0)
    else:  # children it left running (a daemonized server)
        wait_gone(_kill_known_then_found(worker, family), 2.0)  # none outlives the call


def _kill_known_then_found(worker: WorkerProcess, known: Held) -> set[int]:
    """SIGKILL the group and `known` at once, then what a search finds now (a search of every
    process may take long on a busy machine: what is known waits for none); all."""
    _signal(worker, signal.SIGKILL, known)
    if known.add(worker.family_found()):
        _signal(worker, signal.SIGKILL, known)
    return known.pids


def _signal(worker: WorkerProcess, sig: signal.Signals, family: Held) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(worker.pid, sig)
    family.signal(sig)


def outlived_its_stdin(stopped_by: str) -> str:
    """What a stop that had to send SIGTERM says of a worker: it ran on past the end of its
    input ("" when it exited then, or anything else ended it)."""
    if stopped_by != "SIGTERM":
        return ""
    return (
        f"it had not exited {EOF_GRACE:g} s after its stdin closed, and SIGTERM ended it: "
        "a worker should exit at end of input (a read that returns nothing ends its loop); "
        "a pool that only closes its pipes, as an Erlang port does, leaves it running"
    )


__all__ = ["EOF_GRACE", "end_with_family", "outlived_its_stdin"]
