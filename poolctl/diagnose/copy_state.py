"""Where an experiment's fresh copy of the worker stands, read from /proc while it runs: its
request taken from its stdin pipe, its start over (a thread of it waiting for input), the CPU
it has used."""

from __future__ import annotations

from poolctl.proctree import descendants
from poolctl.worker import WorkerProcess

from . import procinfo
from .procinfo import tree_cpu_seconds


def request_taken(worker: WorkerProcess) -> bool:
    """Whether the copy's request has left its stdin pipe (all of it written, none unread)."""
    proc = worker.proc
    if proc is None or proc.stdin is None or proc.stdin.closed or worker.unwritten:
        return False
    return procinfo.unread_bytes(proc.stdin.fileno()) == 0


def _family(worker: WorkerProcess) -> list[int] | None:
    """The copy's pid and its descendants', while it runs with its stdin open (None after)."""
    proc = worker.proc
    if proc is None or proc.stdin is None or proc.stdin.closed or worker.poll() is not None:
        return None
    return [worker.pid, *descendants(worker.pid)]


def _waits_for_input(worker: WorkerProcess, family: list[int]) -> bool:
    """Whether a thread of the copy's `family` waits for input on its stdin (its start over)."""
    assert worker.proc is not None and worker.proc.stdin is not None
    return procinfo.waits_for_input(family, procinfo.pipe_name(worker.proc.stdin.fileno()))


def copy_begun(worker: WorkerProcess) -> bool:
    """Whether the copy is past its start: it took its request from its stdin pipe, or a thread
    of it waits for input."""
    family = _family(worker)
    if family is None:
        return True  # (ended, or its stdin closed: nothing is left to wait for)
    assert worker.proc is not None and worker.proc.stdin is not None
    if procinfo.unread_bytes(worker.proc.stdin.fileno()) == 0:
        return True
    return _waits_for_input(worker, family)


def cpu_and_start(worker: WorkerProcess) -> tuple[float | None, bool]:
    """The CPU time the copy has used, and whether it waits for input (its start over), read
    before it is stopped: a copy still starting on a loaded machine was starved of CPU."""
    family = _family(worker)
    if family is None:
        return None, False
    return tree_cpu_seconds(family), _waits_for_input(worker, family)
