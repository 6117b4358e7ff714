"""A real pool of worker processes on asyncio: checkout with FIFO waiters, sessions, overflow,
init pings, death noticed at once, drain or abort shutdown, and a trace of every event.

A checkout that times out explains itself as HikariCP does: total, busy, idle, starting,
waiting, the oldest wait, and the last init failure as its cause.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poolctl.diagnose import diagnose_no_answer
from poolctl.errors import PoolctlError
from poolctl.events import Trace
from poolctl.model import Diagnosis
from poolctl.patterns.loader import PatternSet
from poolctl.pool_worker import PooledWorker, State, expire
from poolctl.rundir import RunDir
from poolctl.worker import Answer, ExitStatus, NoAnswer, WorkerProcess, WorkerSpec


@dataclass(frozen=True)
class PoolConfig:
    """How the pool behaves."""

    size: int = 2
    max_overflow: int = 0
    lazy: bool = False
    init_timeout: float = 5.0
    checkout_timeout: float = 5.0
    request_timeout: float = 5.0
    stop_grace: float = 2.0
    diagnose_init_failures: bool = True  # run the no-answer engine on each failed init


class PoolError(PoolctlError):
    """A caller could not get a worker."""


@dataclass(frozen=True)
class PoolStats:
    """The pool's state at one moment, as a timed-out checkout reports it."""

    total: int
    busy: int
    idle: int
    starting: int
    waiting: int
    oldest_wait: float
    size: int
    max_overflow: int

    def describe(self) -> str:
        return (
            f"total={self.total}, busy={self.busy}, idle={self.idle}, starting={self.starting}, "
            f"waiting={self.waiting}, oldest wait {self.oldest_wait:.3f} s "
            f"(size {self.size}, max_overflow {self.max_overflow})"
        )


class CheckoutTimedOut(PoolError):
    """No worker became available within the checkout timeout."""

    def __init__(self, timeout: float, stats: PoolStats, cause: str | None) -> None:
        because = f"; last init failure: {cause}" if cause else ""
        super().__init__(f"checkout timed out after {timeout:g} s: {stats.describe()}{because}")
        self.timeout = timeout
        self.stats = stats
        self.cause = cause


class PoolShuttingDown(PoolError):
    """The pool was stopping (or stopped) while the caller waited or was in flight."""

    def __init__(self, mode: str, waiting: int, in_flight: int, phase: str) -> None:
        super().__init__(
            f"pool shutting down ({mode}) while this caller was {phase}: "
            f"{waiting} caller(s) waiting and {in_flight} in flight at shutdown"
        )
        self.mode = mode
        self.waiting = waiting
        self.in_flight = in_flight
        self.phase = phase


@dataclass
class _Waiter:
    caller: str
    session: str | None
    since: float
    future: asyncio.Future[PooledWorker]


class Pool:
    """A pool of worker processes started from one `WorkerSpec`."""

    def __init__(
        self,
        spec: WorkerSpec,
        config: PoolConfig,
        run_dir: RunDir,
        trace: Trace,
        patterns: PatternSet | None = None,
    ) -> None:
        self.spec = spec
        self.patterns = patterns  # the knowledge base its diagnoses are worded from
        self.config = config
        self.run_dir = run_dir
        self.trace = trace
        self.workers: dict[str, PooledWorker] = {}
        self.all_workers: list[PooledWorker] = []  # every worker ever started, for evidence
        self.waiters: deque[_Waiter] = deque()
        self.sessions: dict[str, str] = {}  # session -> worker id that last served it
        self.in_flight: dict[str, str] = {}  # caller -> worker id
        self.shutting_down: str | None = None  # the mode, once shutdown began
        self.last_init_failure: str | None = None
        self.init_diagnoses: dict[str, Diagnosis] = {}
        self._spawned = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._aborted: dict[str, PoolShuttingDown] = {}  # callers in flight when abort began

    # --- counts ---------------------------------------------------------------------------
    def _count(self, *states: State) -> int:
        return sum(1 for w in self.workers.values() if w.state in states)

    def stats(self) -> PoolStats:
        now = time.monotonic()
        oldest = max((now - w.since for w in self.waiters), default=0.0)
        return PoolStats(
            total=self._count(State.STARTING, State.IDLE, State.BUSY),
            busy=self._count(State.BUSY),
            idle=self._count(State.IDLE),
            starting=self._count(State.STARTING),
            waiting=len(self.waiters),
            oldest_wait=oldest,
            size=self.config.size,
            max_overflow=self.config.max_overflow,
        )

    # --- life cycle -----------------------------------------------------------------------
    async def start(self) -> None:
        """Eager pools spawn and initialize every worker now, in parallel; lazy ones wait."""
        self.trace.emit(
            "pool_start",
            size=self.config.size,
            max_overflow=self.config.max_overflow,
            lazy=self.config.lazy,
        )
        if not self.config.lazy:
            workers = [self._spawn(overflow=False) for _ in range(self.config.size)]
            await asyncio.gather(*(self._initialize(w) for w in workers if w is not None))

    def _spawn(self, overflow: bool) -> PooledWorker | None:
        self._spawned += 1
        worker_id = f"w{self._spawned}"
        # Each worker learns its id and where to write its own debug log.
        env = {
            **self.spec.env,
            "POOLCTL_WORKER_ID": worker_id,
            "POOLCTL_DEBUG_LOG": str(debug_log_path(self.run_dir, worker_id)),
        }
        spec = dataclasses.replace(self.spec, env=env)
        process = WorkerProcess(
            spec, self.run_dir.workers, worker_id=worker_id, context=self.run_dir.context
        )
        try:
            process.start()
        except PoolctlError as exc:
            self.last_init_failure = exc.message
            self.trace.emit("spawn_failed", worker=worker_id, error=exc.message)
            return None
        worker = PooledWorker(process, overflow)
        self.workers[worker_id] = worker
        self.all_workers.append(worker)
        worker.attach(self._on_worker_exit)
        self.trace.emit("spawn", worker=worker_id, pid=process.pid, overflow=overflow)
        return worker

    async def _initialize(self, worker: PooledWorker) -> bool:
        """The init ping; a worker that fails it is diagnosed, stopped and its failure kept."""
        self.trace.emit("init_start", worker=worker.id, timeout=self.config.init_timeout)
        started = time.monotonic()
        outcome = await self._init_exchange(worker, started)
        worker.init_seconds = time.monotonic() - started
        if isinstance(outcome, Answer) and outcome.response.success:
            worker.reported = (
                outcome.response.result if isinstance(outcome.response.result, dict) else {}
            )
            self.trace.emit(
                "init_end",
                worker=worker.id,
                ok=True,
                seconds=round(worker.init_seconds, 6),
                reported=worker.reported,
            )
            if worker.state is State.STARTING:
                worker.state = State.IDLE
                self._hand_over(worker)
            return True
        detail = outcome.detail if isinstance(outcome, NoAnswer) else outcome.response.error_message
        if self.shutting_down is not None and isinstance(outcome, NoAnswer):
            self.trace.emit("init_cancelled", worker=worker.id, reason=detail)
            return False
        self.last_init_failure = f"worker {worker.id} (pid {worker.process.pid}): {detail}"
        self.trace.emit(
            "init_end",
            worker=worker.id,
            ok=False,
            seconds=round(worker.init_seconds, 6),
            error=detail,
            reason=outcome.reason if isinstance(outcome, NoAnswer) else "error-response",
        )
        if isinstance(outcome, NoAnswer) and self.config.diagnose_init_failures:
            await self._diagnose(worker, outcome)
        await self._retire(worker, State.DEAD)
        return False

    async def _init_exchange(self, worker: PooledWorker, started: float) -> Answer | NoAnswer:
        """The init ping (DSPex, JSON-RPC), or the protocol's handshake (MCP's initialize and
        notifications/initialized, LSP's initialize and initialized), within the init timeout."""
        handshake = worker.process.protocol.handshake_steps()
        if not handshake:
            request = worker.process.ids.request(
                "ping", {"worker_id": worker.id, "initialization": True}
            )
            return await worker.request(request, self.config.init_timeout)
        outcome: Answer | NoAnswer | None = None
        for step in handshake:
            left = max(0.01, self.config.init_timeout - (time.monotonic() - started))
            if step.notification:
                note = worker.process.ids.notification(step.method, step.params)
                await worker.write_frame(worker.process.send(note), left)
                continue
            request = worker.process.ids.request_raw(step.method, step.params)
            outcome = await worker.request(request, left)
            if not isinstance(outcome, Answer) or not outcome.response.success:
                return outcome
        assert outcome is not None
        return outcome

    async def _diagnose(self, worker: PooledWorker, failed: NoAnswer) -> None:
        """Run the no-answer engine off the loop (it blocks); experiments on the first only."""
        worker.detach()
        first = not self.init_diagnoses
        diagnosis = await asyncio.to_thread(
            diagnose_no_answer,
            worker.process,
            failed,
            experiments=first,
            run_dir=self.run_dir,
            patterns=self.patterns,
            trace=self.trace,
        )
        self.init_diagnoses[worker.id] = diagnosis
        self.trace.emit("diagnosis", worker=worker.id, verdict=diagnosis.cause)

    def _on_worker_exit(self, worker: PooledWorker) -> None:
        status = worker.process.poll() or ExitStatus()
        was = worker.state
        self.trace.emit(
            "worker_exit",
            worker=worker.id,
            exit=status.describe(),
            state=str(was),
            caller=worker.caller,
        )
        if was in (State.DEAD, State.RETIRED, State.STARTING):
            return  # retired on purpose, or failing its init: `_initialize` handles that
        worker.state = State.DEAD
        self.workers.pop(worker.id, None)
        self._stop_in_background(worker)
        # An eager pool keeps its size; a lazy one replaces only for callers already waiting.
        eager_member = not worker.overflow and not self.config.lazy
        if self.shutting_down is None and (eager_member or self.waiters):
            self._replace()

    def _replace(self) -> None:
        fresh = self._spawn(overflow=False)
        if fresh is not None:
            self.trace.emit("replace", worker=fresh.id)
            self._background(self._initialize(fresh))

    def _background(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _stop_in_background(self, worker: PooledWorker) -> None:
        self._background(asyncio.to_thread(worker.process.stop, self.config.stop_grace))

    async def _retire(self, worker: PooledWorker, state: State) -> None:
        worker.state = state
        worker.detach()
        self.workers.pop(worker.id, None)
        await asyncio.to_thread(worker.process.stop, self.config.stop_grace)
        if state is State.RETIRED:
            self.trace.emit("retire", worker=worker.id)

    # --- checkout / checkin ---------------------------------------------------------------
    async def checkout(
        self, caller: str, session: str | None = None, timeout: float | None = None
    ) -> PooledWorker:
        """A ready worker for `caller`, the session's own when it is idle; FIFO otherwise."""
        timeout = self.config.checkout_timeout if timeout is None else timeout
        self.trace.emit("checkout_requested", caller=caller, session=session)
        if self.shutting_down is not None:
            raise self._shutdown_error("checking out")
        requested = time.monotonic()
        worker = self._idle_worker(session)
        if worker is None:
            self._grow_if_allowed()
            future: asyncio.Future[PooledWorker] = asyncio.get_running_loop().create_future()
            waiter = _Waiter(caller, session, requested, future)
            self.waiters.append(waiter)
            timer = asyncio.get_running_loop().call_later(timeout, expire, future)
            try:
                worker = await future
            except TimeoutError:
                with contextlib.suppress(ValueError):
                    self.waiters.remove(waiter)
                stats = self.stats()
                stats = dataclasses.replace(stats, waiting=stats.waiting + 1)  # this caller too
                error = CheckoutTimedOut(timeout, stats, self.last_init_failure)
                self.trace.emit(
                    "checkout_timeout",
                    caller=caller,
                    session=session,
                    waited=round(time.monotonic() - requested, 6),
                    timeout=timeout,
                    **stats.__dict__,
                    last_init_failure=self.last_init_failure,
                )
                raise error from None
            finally:
                timer.cancel()
        worker.state = State.BUSY
        worker.caller = caller
        self.in_flight[caller] = worker.id
        if session is not None:
            self.sessions[session] = worker.id
        self.trace.emit(
            "checkout_granted",
            worker=worker.id,
            caller=caller,
            session=session,
            wait=round(time.monotonic() - requested, 6),
        )
        return worker

    def _idle_worker(self, session: str | None) -> PooledWorker | None:
        if session is not None:
            own = self.workers.get(self.sessions.get(session, ""))
            if own is not None and own.state is State.IDLE:
                return own
        for worker in self.workers.values():
            if worker.state is State.IDLE:
                return worker
        return None

    def _grow_if_allowed(self) -> None:
        """Spawn a worker for a caller that must wait: lazy start, or overflow when all busy."""
        if self.shutting_down is not None:
            return
        live = self._count(State.STARTING, State.IDLE, State.BUSY)
        starting = self._count(State.STARTING)
        if starting > len(self.waiters):
            return  # a worker already on its way will serve this caller
        if live < self.config.size:
            worker = self._spawn(overflow=False)
        elif live < self.config.size + self.config.max_overflow:
            worker = self._spawn(overflow=True)
        else:
            return
        if worker is not None:
            self._background(self._initialize(worker))

    def _hand_over(self, worker: PooledWorker) -> None:
        """Give an idle worker to the first waiter (its own session's waiter first)."""
        while self.waiters and worker.state is State.IDLE:
            chosen = next(
                (
                    w
                    for w in self.waiters
                    if w.session and self.sessions.get(w.session) == worker.id
                ),
                self.waiters[0],
            )
            self.waiters.remove(chosen)
            if not chosen.future.done():
                chosen.future.set_result(worker)
                worker.state = State.BUSY  # reserved until the waiter resumes
                return

    def checkin(self, worker: PooledWorker, caller: str) -> None:
        """Return a worker; overflow workers are retired when nobody waits."""
        self.in_flight.pop(caller, None)
        worker.caller = None
        self.trace.emit("checkin", worker=worker.id, caller=caller)
        if worker.state is not State.BUSY:
            return  # it died or was retired meanwhile
        worker.state = State.IDLE
        if self.shutting_down is not None:
            return
        if worker.overflow and not self.waiters:
            self._background(self._retire(worker, State.RETIRED))
            return
        self._hand_over(worker)

    # --- one call -------------------------------------------------------------------------
    async def call(
        self,
        caller: str,
        command: str,
        args: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float | None = None,
    ) -> Answer | NoAnswer:
        """Check out, send one request, check in. Raises `PoolError` when no worker came."""
        worker = await self.checkout(caller, session)
        try:
            request = worker.process.ids.request(command, args)
            self.trace.emit(
                "request",
                worker=worker.id,
                caller=caller,
                session=session,
                id=request.id,
                command=command,
            )
            read_before = worker.process.transcript.total  # one request at a time per worker
            outcome = await worker.request(
                request, self.config.request_timeout if timeout is None else timeout
            )
            if self.shutting_down == "abort" and caller in self._aborted:
                raise self._aborted[caller]
            if isinstance(outcome, Answer):
                self.trace.emit(
                    "response",
                    worker=worker.id,
                    caller=caller,
                    session=session,
                    id=request.id,
                    success=outcome.response.success,
                    seconds=round(outcome.round_trip, 6),
                    error=None if outcome.response.success else outcome.response.error_message,
                    bytes_out=worker.sent_bytes,
                    bytes_in=worker.process.transcript.total - read_before,
                )
            else:
                self.trace.emit(
                    "no_response",
                    worker=worker.id,
                    caller=caller,
                    session=session,
                    id=request.id,
                    reason=outcome.reason,
                    detail=outcome.detail,
                    bytes_out=worker.sent_bytes,
                    bytes_in=worker.process.transcript.total - read_before,
                )
            return outcome
        finally:
            self.checkin(worker, caller)

    # --- faults ---------------------------------------------------------------------------
    def kill(self, worker_id: str, sig: signal.Signals = signal.SIGKILL) -> int:
        """Send `sig` to a worker (`any` picks a busy one first); returns its pid."""
        if worker_id == "any":
            ranked = sorted(self.workers.values(), key=lambda w: w.state is not State.BUSY)
            if not ranked:
                raise PoolError("kill_worker: no live worker to kill")
            worker = ranked[0]
        else:
            found = self.workers.get(worker_id)
            if found is None:
                raise PoolError(f"kill_worker: no live worker {worker_id!r}")
            worker = found
        self.trace.emit("kill", worker=worker.id, signal=sig.name)
        os.kill(worker.process.pid, sig)
        return worker.process.pid

    # --- shutdown -------------------------------------------------------------------------
    def _shutdown_error(self, phase: str) -> PoolShuttingDown:
        mode = self.shutting_down or "drain"
        return PoolShuttingDown(mode, len(self.waiters), len(self.in_flight), phase)

    async def shutdown(self, mode: str = "drain", grace: float | None = None) -> None:
        """Stop the pool: `drain` lets work in flight finish; `abort` fails everyone now."""
        if self.shutting_down is not None:
            return
        grace = self.config.stop_grace if grace is None else grace
        self.shutting_down = mode
        waiting, in_flight = len(self.waiters), len(self.in_flight)
        self.trace.emit("shutdown_begun", mode=mode, waiting=waiting, in_flight=in_flight)
        for waiter in list(self.waiters):
            if not waiter.future.done():
                waiter.future.set_exception(
                    PoolShuttingDown(mode, waiting, in_flight, "waiting for a worker")
                )
        self.waiters.clear()
        if mode == "abort":
            self._aborted = {
                caller: PoolShuttingDown(mode, waiting, in_flight, "in flight")
                for caller in self.in_flight
            }
            for worker in self.workers.values():
                worker.fail_pending(f"pool shutting down ({mode})")
        else:
            deadline = time.monotonic() + grace
            while self.in_flight and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
        for worker in self.workers.values():
            if worker.state is State.STARTING:  # an init ping nobody will wait for now
                worker.fail_pending(f"pool shutting down ({mode}) during init")
        workers = list(self.workers.values())
        for worker in workers:
            worker.detach()
            worker.state = State.RETIRED
        self.workers.clear()
        await asyncio.gather(
            *(asyncio.to_thread(w.process.stop, grace) for w in workers),
            *list(self._tasks),
            return_exceptions=True,
        )
        self.trace.emit(
            "shutdown_done",
            mode=mode,
            stopped=[w.id for w in workers],
            exits={
                w.id: (w.process.exit_status.describe() if w.process.exit_status else None)
                for w in workers
            },
        )

    def stop_now(self) -> None:
        """Synchronous last resort (interruption): stop every process this pool started."""
        for worker in self.all_workers:
            with contextlib.suppress(Exception):
                worker.detach()
                worker.process.stop(min(self.config.stop_grace, 1.0))


def debug_log_path(run_dir: RunDir, worker_id: str) -> Path:
    """Where poolctl asks each worker to write its own debug log (`POOLCTL_DEBUG_LOG`)."""
    return run_dir.workers / f"{worker_id}.debug.log"
