"""Pool benchmarks, each against a baseline measured in the same run.

1. Throughput: echo round trips per second through poolctl's pool (2 workers, 8 concurrent
   callers, every event traced to events.jsonl) against `ProcessPoolExecutor(2)` running the
   same echo work submit-by-submit from 8 concurrent threads. Target: >= 1.5x.
2. Parallel warm-up: 16 eager workers with a 1 s init delay each, ready within 1.5x the time
   one such worker takes. Target: ratio <= 1.5.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
import tempfile
import threading
import time

from poolctl.events import Trace
from poolctl.pool import Pool, PoolConfig
from poolctl.rundir import create_run_dir
from poolctl.worker import Answer, WorkerSpec

CALLERS = 8
REQUESTS = 16000
ROUNDS = 5
WORKER = (sys.executable, "-m", "poolctl.workers.reference")


def echo(payload: dict[str, int]) -> dict[str, int]:
    return payload


def executor_throughput(requests: int) -> float:
    with concurrent.futures.ProcessPoolExecutor(2) as executor:
        for _ in range(200):
            executor.submit(echo, {"i": 0}).result()

        def caller() -> None:
            for i in range(requests // CALLERS):
                executor.submit(echo, {"i": i}).result()

        threads = [threading.Thread(target=caller) for _ in range(CALLERS)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return requests / (time.perf_counter() - start)


async def pool_throughput(requests: int, folder: str) -> float:
    run = create_run_dir("bench-pool", base=folder)
    trace = Trace(run.events)
    pool = Pool(WorkerSpec(WORKER), PoolConfig(size=2), run, trace)
    await pool.start()

    async def caller(name: str, n: int) -> None:
        for i in range(n):
            outcome = await pool.call(name, "echo", {"i": i})
            assert isinstance(outcome, Answer)

    await asyncio.gather(*(caller(f"warm{k}", 25) for k in range(CALLERS)))
    start = time.perf_counter()
    await asyncio.gather(*(caller(f"c{k}", requests // CALLERS) for k in range(CALLERS)))
    rate = requests / (time.perf_counter() - start)
    await pool.shutdown()
    trace.close()
    return rate


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
        rounds = []
        for _ in range(ROUNDS):  # alternate, so machine noise hits both alike
            base = executor_throughput(REQUESTS)
            ours = asyncio.run(pool_throughput(REQUESTS, folder))
            rounds.append((base, ours))
        base = max(b for b, _ in rounds)
        ours = max(o for _, o in rounds)
        print(f"ProcessPoolExecutor(2), 8 threads   {base:9.0f} req/s  (best of {ROUNDS})")
        print(f"poolctl pool (2 workers, 8 callers) {ours:9.0f} req/s  (best of {ROUNDS}, traced)")
        ratio = ours / base
        verdict = "OK" if ratio >= 1.5 else "UNDER TARGET"
        print(f"throughput ratio {ratio:.2f}   target >= 1.5   {verdict}")

        one = asyncio.run(warm_up(1, 1.0, folder))
        sixteen = asyncio.run(warm_up(16, 1.0, folder))
        warm_ratio = sixteen / one
        print(f"warm-up: 1 worker {one:.2f} s, 16 workers {sixteen:.2f} s")
        verdict = "OK" if warm_ratio <= 1.5 else "OVER TARGET"
        print(f"warm-up ratio {warm_ratio:.2f}   target <= 1.5   {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
