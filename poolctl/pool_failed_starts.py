"""A pool's failed starts, and its giving up on them: a process that could not start, or an
init that crashed, counts; past `max_failed_starts` in a row the pool starts no more workers.
Its callers are failed at once only while no worker of it serves: those up serve on (they were
failed with the rest, one worker answering every call it was given). `Pool` calls these."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from poolctl.errors import PoolctlError
from poolctl.pool_types import PoolGaveUp
from poolctl.pool_worker import PooledWorker, State
from poolctl.worker import WorkerProcess

if TYPE_CHECKING:
    from poolctl.pool import Pool


def start_failed(pool: Pool, process: WorkerProcess, exc: Exception) -> None:
    """A new worker's process could not be started: the run folder's failure ends the run;
    any other is a failed start, an event of the trace (the report's finding), never dropped
    (a background start's was: its task's exception was never read)."""
    if isinstance(exc, OSError) and _folder_failed(pool, exc):
        return
    said = exc.message if isinstance(exc, PoolctlError) else f"{type(exc).__name__}: {exc}"
    pool.last_init_failure = said
    pool.trace.emit("spawn_failed", worker=process.worker_id, error=said)
    start_crashed(pool)


def init_raised(pool: Pool, worker: PooledWorker, exc: Exception) -> None:
    """A worker's init ended in an error of poolctl's own (a notification its framing cannot
    carry, caught up after the handshake): an event of the trace (the report's finding) and a
    failed start, as it repeats on every worker started."""
    said = exc.message if isinstance(exc, PoolctlError) else f"{type(exc).__name__}: {exc}"
    pool.last_init_failure = f"worker {worker.id} (pid {worker.process.pid}): {said}"
    pool.trace.emit("init_raised", worker=worker.id, pid=worker.process.pid, error=said)
    start_crashed(pool)


def _folder_failed(pool: Pool, exc: OSError) -> bool:
    """A new worker's capture files could not be made in the run folder (a full disk, a
    read-only or deleted folder): the run ends as it does when its trace cannot be written,
    and says so once (it ran on, every checkout timing out). False for another error."""
    at = Path(exc.filename) if isinstance(exc.filename, str) else None
    if at is None or at.parent != pool.run_dir.workers or pool.trace.on_write_error is None:
        return False
    pool.trace.write_error = pool.trace.write_error or exc
    pool.trace.on_write_error()
    return True


def serving(pool: Pool) -> int:
    """The pool's workers that are up: idle or busy."""
    return sum(1 for w in pool.workers.values() if w.state in (State.IDLE, State.BUSY))


def refusal(pool: Pool) -> PoolGaveUp | None:
    """The error a caller gets at once: the pool gave up and no worker of it serves."""
    if pool.gave_up is None or serving(pool):
        return None
    return PoolGaveUp(pool.gave_up.failed_starts, pool.gave_up.cause)


def start_crashed(pool: Pool) -> None:
    """One more start in a row crashed: past `max_failed_starts` the pool gives up starting
    workers, and fails its waiting callers at once if none of its workers serves."""
    pool.failed_starts += 1
    if pool.gave_up is not None or pool.failed_starts < pool.config.max_failed_starts:
        return
    pool.gave_up = PoolGaveUp(pool.failed_starts, pool.last_init_failure)
    pool.trace.emit(
        "pool_gave_up",
        failed_starts=pool.failed_starts,
        waiting=len(pool.waiters),
        serving=serving(pool),
        last_init_failure=pool.last_init_failure,
    )
    fail_waiters(pool)


def fail_waiters(pool: Pool) -> None:
    """The waiting callers failed at once, when the pool gave up and no worker serves (its
    last one gone): none will come for them."""
    if (refused := refusal(pool)) is None:
        return
    for waiter in pool.waiters.clear():
        if not waiter.future.done():
            waiter.future.set_exception(PoolGaveUp(refused.failed_starts, refused.cause))
