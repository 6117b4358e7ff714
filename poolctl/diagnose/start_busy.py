"""Whether a worker that took its request is still busy with its start.

A worker's request leaving its stdin pipe does not say its start is over: the Erlang VM's
stdin reader takes the pipe's bytes at once while the VM still boots and compiles an Elixir
script (0.8 s into an `elixir` start, its CPU time still rose by 40-80% of a CPU for another
0.8 s before its answer). Fresh copies begun then only race its boot on a 2-core machine
(an Elixir worker's eight copies slowed its own answer past its timeout, and none of them
answered). So the copies wait until its CPU time stops rising and no thread of it is runnable.
"""

from __future__ import annotations

import os
import time

from poolctl.proctree import descendants

from .procinfo import tree_cpu_seconds

BUSY_SHARE = 0.1  # of one CPU, since the last look: a worker idle on its input uses ~none


class StartWatch:
    """Looks at a worker's processes (`pid` and its descendants) now and then: `busy()` says
    whether they used CPU since the last look, or are runnable now (a start starved of CPU) or
    waiting for the disk."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._seen = self._sample()

    def _sample(self) -> tuple[float, float | None]:
        return time.monotonic(), tree_cpu_seconds([self.pid, *descendants(self.pid)])

    def busy(self) -> bool:
        (then, used), (now, using) = self._seen, self._sample()
        self._seen = (now, using)
        if used is None or using is None:
            return False  # gone: nothing is left to race
        return using - used >= BUSY_SHARE * (now - then) or _runnable(self.pid)


def _runnable(pid: int) -> bool:
    """Whether a thread of `pid` or of a descendant runs or waits for a CPU (state R), or for
    its disk (D: a start reading its code)."""
    for one in (pid, *descendants(pid)):
        try:
            tids = os.listdir(f"/proc/{one}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{one}/task/{tid}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if stat[stat.rfind(")") + 2 :][:1] in ("R", "D"):
                return True
    return False


def wait_out_start(pid: int, until: float, look: float = 0.25) -> None:
    """Wait, until `until` (a `time.monotonic()` time) at most, for the start of the worker
    `pid` to be over: its CPU no longer rising, none of it runnable."""
    watch = StartWatch(pid)
    while time.monotonic() + look < until:
        time.sleep(look)
        if not watch.busy():
            return
