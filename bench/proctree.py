"""How long poolctl's searches of every process take on a machine of many processes, and how
long it takes there to stop a worker whose grandchild escaped (double-forked, a session of its
own, re-parented to init: found by the token in its environment alone).

Starts N idle processes (`sleep`, one in ten with 100 KiB more environment, as a shell started
by a build tool may have), for N in `--counts` (1,000 and 5,000 by default), before the worker
(processes started after a worker's token are read as before: any of them may carry it), then
times, as the CPU time of this process (user + system), median of `--runs` runs (7), the old
and the new code taking turns:

- the token search (`proctree.processes_with_env` with the token's tick) against the search
  as it was before (every process's environment read, through a file object each: the
  baseline, kept here as it was);
- a worker's family (`proctree.family_of`: descendants and carriers in one pass) against
  `descendants` and the old search, one after the other as `WorkerProcess.family` did: as
  the first search of the process (every stat line read) and as a later one (the processes
  noted older than the token passed by on the inode of their /proc/PID);
- `WorkerProcess.stop` of a worker (`sh` waiting on `cat`) whose double-forked grandchild
  carries the token, with the old family patched in as the baseline; each stop must leave no
  process of the worker running (the bench fails otherwise), and its wall time is shown too;
- the search for the processes holding a worker's stdout (`procinfo.holders_of_our_fd`, the
  pool's and the exit diagnosis's), every process's fds read: shown, no baseline.

Prints each median and the new code's ratio to the old (target: the family <= 0.5x at 5,000).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from poolctl import proctree
from poolctl.context import RunContext
from poolctl.diagnose import procinfo
from poolctl.proctree import descendants, family_of, processes_with_env, running, tick_now
from poolctl.worker import WorkerProcess, WorkerSpec
from poolctl.worker_types import TOKEN_ENV

TARGET = 0.5
BIG_ENV = {f"BENCH_PROCTREE_{i}": "x" * 1000 for i in range(100)}  # 100 KiB
# the worker: its grandchild leaves (a session of its own, its parent gone), then it waits
ESCAPES = "(setsid sleep 300 &) ; exec cat"


def old_search(name: str, value: str) -> set[int]:
    """`processes_with_env` as it was: every process's environment read, whatever its age."""
    needle = f"{name}={value}".encode()
    found: set[int] = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if needle in f.read().split(b"\0"):
                        found.add(int(entry))
            except OSError:
                continue
    return found


def old_family(worker: WorkerProcess) -> set[int]:
    """`WorkerProcess.family` as it was: two passes over /proc."""
    return descendants(worker.pid) | old_search(TOKEN_ENV, worker.token)


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(call: Callable[[], object]) -> tuple[float, float]:
    """The CPU seconds and wall seconds `call` took."""
    cpu0, wall0 = cpu(), time.perf_counter()
    call()
    return cpu() - cpu0, time.perf_counter() - wall0


def start_idle(count: int) -> list[int]:
    """`count` sleeping processes, every tenth with a large environment."""
    sleep = "/bin/sleep"
    plain, big = dict(os.environ), {**os.environ, **BIG_ENV}
    return [
        os.posix_spawn(sleep, [sleep, "600"], big if i % 10 == 0 else plain) for i in range(count)
    ]


def stop_idle(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    for pid in pids:
        os.waitpid(pid, 0)


def start_worker(context: RunContext, folder: Path) -> tuple[WorkerProcess, int]:
    """A worker and its escaped grandchild (once it has left)."""
    worker = WorkerProcess(WorkerSpec(argv=("sh", "-c", ESCAPES)), folder, context=context)
    worker.start()
    end = time.monotonic() + 30
    while time.monotonic() < end:
        left = processes_with_env(TOKEN_ENV, worker.token) - {worker.pid}
        if left and not descendants(worker.pid) & left:
            return worker, left.pop()
        time.sleep(0.02)
    worker.stop()
    raise SystemExit("the worker's grandchild never escaped")


def stop_case(context: RunContext, folder: Path, old: bool) -> tuple[float, float]:
    """Stop a worker with an escaped grandchild: the CPU and wall seconds the stop took."""
    worker, escaped = start_worker(context, folder)
    patch = mock.patch.object(WorkerProcess, "family", old_family) if old else None
    if patch is not None:
        patch.start()
    try:
        spent = timed(lambda: worker.stop(grace=2.0))
    finally:
        if patch is not None:
            patch.stop()
    if running(escaped):
        os.kill(escaped, signal.SIGKILL)
        raise SystemExit(f"the stop left the escaped grandchild {escaped} running")
    return spent


def alternate(runs: int, old: Callable[[], float], new: Callable[[], float]) -> tuple[float, float]:
    """Medians of `runs` calls of each, taking turns."""
    olds, news = [], []
    for _ in range(runs):
        olds.append(old())
        news.append(new())
    return statistics.median(olds), statistics.median(news)


def measure(count: int, runs: int, folder: Path) -> float:
    """Every case with `count` idle processes; the family's ratio."""
    context = RunContext()
    idle = start_idle(count)  # a busy machine the worker joins: they started before it
    worker, escaped = start_worker(context, folder)  # for the searches: a real token
    try:
        print(f"{count:,} idle processes ({len(os.listdir('/proc'))} entries in /proc):")
        since = worker.token_tick

        def old_scan() -> float:
            return timed(lambda: old_search(TOKEN_ENV, worker.token))[0]

        def new_scan() -> float:
            return timed(lambda: processes_with_env(TOKEN_ENV, worker.token, since))[0]

        assert escaped in processes_with_env(TOKEN_ENV, worker.token, since)
        show("token search", *alternate(runs, old_scan, new_scan))

        def old_fam() -> float:
            return timed(lambda: old_family(worker))[0]

        def new_fam() -> float:
            return timed(lambda: family_of(worker.pid, TOKEN_ENV, worker.token, since))[0]

        def new_fam_first() -> float:
            proctree._starts = {}  # as the first search of the process: every stat line read
            return new_fam()

        show("family, the first search", *alternate(runs, old_fam, new_fam_first))
        old, new = alternate(runs, old_fam, new_fam)
        show("family", old, new)
        worker.stop()
        walls: dict[bool, list[float]] = {True: [], False: []}

        def stop(old: bool) -> float:
            spent, wall = stop_case(context, folder, old)
            walls[old].append(wall)
            return spent

        show("stop", *alternate(runs, lambda: stop(True), lambda: stop(False)))
        print(
            f"  stop, wall: {statistics.median(walls[False]):.3f} s against "
            f"{statistics.median(walls[True]):.3f} s before"
        )
        reader, writer = os.pipe()
        try:
            holders = statistics.median(
                timed(lambda: procinfo.holders_of_our_fd(reader))[0] for _ in range(runs)
            )
        finally:
            os.close(reader)
            os.close(writer)
        print(f"  stdout holders search: {holders * 1000:.1f} ms (every process's fds)")
        return new / old
    finally:
        stop_idle(idle)
        worker.stop()
        context.children.close()


def show(what: str, old: float, new: float) -> None:
    print(f"  {what}: {new * 1000:.1f} ms against {old * 1000:.1f} ms before ({new / old:.2f}x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not os.path.isdir("/proc"):
        print("no /proc: nothing to measure")
        return 0
    print(f"load average {os.getloadavg()[0]:.1f}, tick {tick_now()}")
    ratios = []
    with tempfile.TemporaryDirectory(prefix="poolctl-bench-proctree-") as tmp:
        for count in args.counts:
            ratios.append(measure(count, args.runs, Path(tmp)))
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"family at {args.counts[-1]:,}: {ratios[-1]:.2f}x the old (target <= {TARGET:g}x)")
    return 0 if ratios[-1] <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
