"""How a pool ends, and how a scenario's fault ends one of its workers: a drain that lets work in
flight finish, an abort that fails every caller at once, the synchronous stop of an
interruption, and a signal to one worker. `Pool.shutdown`, `Pool.stop_now` and `Pool.kill`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from typing import TYPE_CHECKING

from poolctl.pool_init import close_sessions
from poolctl.pool_types import PoolError, PoolShuttingDown
from poolctl.pool_worker import PooledWorker, State

if TYPE_CHECKING:
    from poolctl.pool import Pool


def kill_worker(pool: Pool, worker_id: str, sig: signal.Signals) -> int:
    """Send `sig` to a worker of `pool` (`any` picks a busy one first); returns its pid."""
    if worker_id == "any":
        ranked = sorted(pool.workers.values(), key=lambda w: w.state is not State.BUSY)
        if not ranked:
            raise PoolError("no live worker to kill")
        worker = ranked[0]
    else:
        found = pool.workers.get(worker_id)
        if found is None:
            live = ", ".join(sorted(pool.workers)) or "none"
            raise PoolError(f"no live worker {worker_id!r} (live: {live})")
        worker = found
    pool.trace.emit("kill", worker=worker.id, signal=sig.name)
    os.kill(worker.process.pid, sig)
    return worker.process.pid


async def shut_down(pool: Pool, mode: str, grace: float | None) -> None:
    """Stop `pool`: `drain` lets work in flight finish; `abort` fails everyone now."""
    if pool.shutting_down is not None:
        return
    grace = pool.config.stop_grace if grace is None else grace
    pool.shutting_down = mode
    waiting, in_flight = len(pool.waiters), len(pool.in_flight)
    pool.trace.emit("shutdown_begun", mode=mode, waiting=waiting, in_flight=in_flight)
    for waiter in pool.waiters.clear():
        if not waiter.future.done():
            waiter.future.set_exception(
                PoolShuttingDown(mode, waiting, in_flight, "waiting for a worker")
            )
    exc = PoolShuttingDown(mode, waiting, in_flight, "in flight")
    if mode == "abort":
        _cut_in_flight(pool, exc, list(pool.workers.values()), mode)
    elif pool.in_flight:  # woken by the last checkin, or the grace running out
        pool.drained = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pool.drained.wait(), grace)
        # the grace ran out: the calls still in flight are told now, as an abort's are (their
        # workers are stopped next, detached: each call waited out its request timeout)
        busy = [pool.workers[w] for w in set(pool.in_flight.values()) if w in pool.workers]
        if busy:
            _cut_in_flight(pool, exc, busy, f"{mode}, its grace of {grace:g} s run out")
    for worker in pool.workers.values():
        if worker.state is State.STARTING:  # an init ping nobody will wait for now
            worker.fail_pending(f"pool shutting down ({mode}) during init")
    # a worker whose failed init is being diagnosed is stopped by its init's task once the
    # diagnosis is done (awaited below with the pool's tasks): stopped here, under the
    # diagnosis's eyes, it read as "killed by SIGTERM (a signal from outside)"
    workers = [w for w in pool.workers.values() if not w.diagnosed]
    diagnosed = [w for w in pool.workers.values() if w.diagnosed]
    await close_sessions(workers, grace, mode)  # LSP's shutdown and exit, still read
    for worker in workers:
        worker.detach()
        worker.state = State.RETIRED
    pool.workers.clear()
    await asyncio.gather(
        *(asyncio.to_thread(w.process.stop, grace) for w in workers),
        *list(pool.tasks),
        return_exceptions=True,
    )
    for worker in workers:
        worker.read_left()
    stopped = workers + diagnosed  # (those stopped by their init's task, awaited above)
    pool.trace.emit(
        "shutdown_done",
        mode=mode,
        stopped=[w.id for w in stopped],
        exits={
            w.id: (w.process.exit_status.describe() if w.process.exit_status else None)
            for w in stopped
        },
        # how each was ended: by itself, at its stdin's close, or by the stop's signals
        stopped_by={w.id: w.process.stopped_by or None for w in stopped},
    )


def _cut_in_flight(
    pool: Pool, exc: PoolShuttingDown, workers: list[PooledWorker], how: str
) -> None:
    """Fail every call in flight with the shutdown's error `exc`, and what `workers` wait for."""
    pool.aborted = dict.fromkeys(pool.in_flight, exc)
    for worker in workers:
        worker.fail_pending(f"pool shutting down ({how})")


def stop_every_worker(pool: Pool) -> None:
    """Synchronous last resort (interruption): stop every process `pool` started."""
    for worker in pool.all_workers:
        with contextlib.suppress(Exception):
            worker.detach()
            worker.process.stop(min(pool.config.stop_grace, 1.0))
