"""Pool benchmarks, each against a baseline measured in the same run.

1. Scaling: echo round trips per second through poolctl's pool (every event traced to
   events.jsonl, every worker writing its debug log) against `ProcessPoolExecutor` of the same
   size running the same echo work, for 1, 2, 4 and 8 workers by 1, 8 and 32 callers. The
   pool's callers are coroutines awaiting `pool.call`, one request at a time each; the
   executor's are threads calling `submit(echo, payload).result()`, one at a time each. In
   each cell both run side by side, idle in turn: ROUNDS alternating rounds of REQUESTS
   requests each (which goes first alternates too), and the medians are compared.
   Targets: no cell below 1.0x, and the 2 workers x 8 callers cell at 2x or more.
2. Parallel warm-up: 16 eager workers with a 1 s init delay each, ready within 1.5x the time
   one such worker takes. Target: ratio <= 1.5.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import statistics
import sys
import tempfile
import threading
import time
from typing import Any

from poolctl.events import Trace
from poolctl.pool import Pool, PoolConfig
from poolctl.rundir import create_run_dir
from poolctl.worker_types import Answer, WorkerSpec

WORKERS = (1, 2, 4, 8)
CALLERS = (1, 8, 32)
REQUESTS = 640  # per round, split among the callers
ROUNDS = 9  # per side and cell: short rounds in turns, so that machine noise hits both alike
WARM = 64  # requests before the first round, on each side
WORKER = (sys.executable, "-m", "poolctl.workers.reference")
TARGET_CELL = (2, 8)
TARGET_CELL_RATIO = 2.0


def echo(payload: dict[str, int]) -> dict[str, int]:
    return payload


def executor_round(executor: concurrent.futures.ProcessPoolExecutor, callers: int) -> float:
    """Requests per second: `callers` threads, each submitting and awaiting one at a time."""
    each = REQUESTS // callers
    go = threading.Barrier(callers + 1)

    def caller() -> None:
        go.wait()
        for i in range(each):
            executor.submit(echo, {"i": i}).result()

    threads = [threading.Thread(target=caller) for _ in range(callers)]
    for t in threads:
        t.start()
    go.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return each * callers / (time.perf_counter() - start)


async def pool_round(pool: Pool, callers: int, tag: str) -> float:
    """Requests per second: `callers` coroutines, each calling the pool one at a time."""
    each = REQUESTS // callers

    async def caller(name: str) -> None:
        for i in range(each):
            outcome = await pool.call(name, "echo", {"i": i})
            assert isinstance(outcome, Answer) and outcome.response.success, outcome

    start = time.perf_counter()
    await asyncio.gather(*(caller(f"{tag}-c{k}") for k in range(callers)))
    return each * callers / (time.perf_counter() - start)


class PoolSide:
    """A started pool on its own event loop, driven round by round from the main thread."""

    def __init__(self, workers: int, folder: str) -> None:
        self.loop = asyncio.new_event_loop()
        run = create_run_dir(f"bench-pool-{workers}", base=folder)
        self.trace = Trace(run.events)
        self.pool = Pool(WorkerSpec(WORKER), PoolConfig(size=workers), run, self.trace)
        self.loop.run_until_complete(self.pool.start())
        self.rounds = 0

    def round(self, callers: int) -> float:
        self.rounds += 1
        return self.loop.run_until_complete(pool_round(self.pool, callers, f"r{self.rounds}"))

    def close(self) -> None:
        self.loop.run_until_complete(self.pool.shutdown())
        self.loop.close()
        self.trace.close()


def cell(pool: PoolSide, executor: Any, callers: int) -> tuple[float, float]:
    """Median requests per second of each side over ROUNDS alternating rounds."""
    ours: list[float] = []
    base: list[float] = []
    for k in range(ROUNDS):
        if k % 2 == 0:
            base.append(executor_round(executor, callers))
            ours.append(pool.round(callers))
        else:
            ours.append(pool.round(callers))
            base.append(executor_round(executor, callers))
    return statistics.median(ours), statistics.median(base)


def scaling(folder: str) -> bool:
    print(
        f"echo round trips per second, median of {ROUNDS} alternating rounds of {REQUESTS} "
        "requests;\neach cell: poolctl's pool (traced) / ProcessPoolExecutor of the same size, "
        "and the ratio (! below its target)"
    )
    print("workers | " + " | ".join(f"{f'{c} callers':<21}" for c in CALLERS))
    ok = True
    for workers in WORKERS:
        # the executor first: its forked processes inherit none of the pool's pipes
        executor = concurrent.futures.ProcessPoolExecutor(workers)
        for _ in range(WARM):
            executor.submit(echo, {"i": 0}).result()
        pool = PoolSide(workers, folder)
        try:
            pool.loop.run_until_complete(pool_round_warm(pool.pool))
            cells = []
            for callers in CALLERS:
                ours, base = cell(pool, executor, callers)
                ratio = ours / base
                target = TARGET_CELL_RATIO if (workers, callers) == TARGET_CELL else 1.0
                ok = ok and ratio >= target
                mark = " " if ratio >= target else "!"
                cells.append(f"{ours:6.0f}/{base:6.0f} {ratio:4.2f}x{mark}")
            print(f"{workers:>7} | " + " | ".join(cells), flush=True)
        finally:
            executor.shutdown()
            pool.close()
    return ok


async def pool_round_warm(pool: Pool) -> None:
    for i in range(WARM):
        await pool.call("warm", "echo", {"i": i})


async def warm_up(workers: int, delay: float, folder: str) -> float:
    run = create_run_dir(f"bench-warm-{workers}", base=folder)
    trace = Trace(run.events)
    spec = WorkerSpec((*WORKER, "--init-delay", str(delay)))
    pool = Pool(spec, PoolConfig(size=workers, init_timeout=30), run, trace)
    start = time.perf_counter()
    await pool.start()
    elapsed = time.perf_counter() - start
    ready = pool.stats().idle
    await pool.shutdown()
    trace.close()
    assert ready == workers, f"only {ready} of {workers} workers became ready"
    return elapsed


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        ok = scaling(folder)
        verdict = "OK" if ok else "UNDER TARGET"
        print(
            f"targets: every cell >= 1.0x, {TARGET_CELL[0]} x {TARGET_CELL[1]} >= "
            f"{TARGET_CELL_RATIO:.1f}x   {verdict}"
        )

        one = asyncio.run(warm_up(1, 1.0, folder))
        sixteen = asyncio.run(warm_up(16, 1.0, folder))
        warm_ratio = sixteen / one
        print(f"warm-up: 1 worker {one:.2f} s, 16 workers {sixteen:.2f} s")
        verdict = "OK" if warm_ratio <= 1.5 else "OVER TARGET"
        print(f"warm-up ratio {warm_ratio:.2f}   target <= 1.5   {verdict}")
    return 0 if ok and warm_ratio <= 1.5 else 1  # `make bench` names a missed target


if __name__ == "__main__":
    sys.exit(main())
