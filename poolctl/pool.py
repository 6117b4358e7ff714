"""A real pool of worker processes on asyncio: checkout with FIFO waiters, sessions, overflow,
init pings, death noticed at once, drain or abort shutdown (`pool_shutdown`), and a trace of
every event.

A checkout that times out explains itself as HikariCP does: total, busy, idle, starting,
waiting, the oldest wait, and the last init failure as its cause.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import signal
import time
from typing import Any

from poolctl.errors import FramingError
from poolctl.events import Trace
from poolctl.model import Diagnosis
from poolctl.patterns.loader import PatternSet
from poolctl.pool_failed_starts import (
    fail_waiters,
    init_raised,
    refusal,
    start_crashed,
    start_failed,
)
from poolctl.pool_init import InitDiagnoses, init_exchange
from poolctl.pool_line import Call, Waiter, WaitingLine
from poolctl.pool_notes import Notifications
from poolctl.pool_shutdown import kill_worker, shut_down, stop_every_worker
from poolctl.pool_trace import partial_frame, stdout_holders, trace_granted, trace_outcome
from poolctl.pool_types import (
    CheckoutTimedOut,
    PoolConfig,
    PoolError,
    PoolGaveUp,
    PoolShuttingDown,
    PoolStats,
)
from poolctl.pool_worker import PooledWorker, State, settle
from poolctl.protocol import Request
from poolctl.rundir import RunDir
from poolctl.stderr_during import error_logged_since, stderr_size
from poolctl.worker import WorkerProcess
from poolctl.worker_types import Answer, ExitStatus, NoAnswer, WorkerSpec


@dataclasses.dataclass(eq=False, slots=True)
class _Started:
    """A worker given to a waiter at `at`, with the request written for it (a call's)."""

    worker: PooledWorker
    waiter: Waiter
    at: float
    request: Request | None = None
    sent: int = 0  # the request's frame, in bytes
    read_before: int = 0  # the worker's stdout bytes until then
    logged_before: int = 0  # the size of its stderr log then


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
        self.waiters = WaitingLine()
        self.sessions: dict[str, str] = {}  # session -> worker id that last served it
        self.in_flight: dict[str, str] = {}  # caller -> worker id
        self.shutting_down: str | None = None  # the mode, once shutdown began
        self.last_init_failure: str | None = None
        self.failed_starts = 0  # in a row: crashed inits and processes that could not start
        self.gave_up: PoolGaveUp | None = None  # past `max_failed_starts`
        self.inits = InitDiagnoses(run_dir, trace, patterns)
        self.init_diagnoses: dict[str, Diagnosis] = self.inits.by_worker
        self._spawned = 0
        self._forking = 0  # lazy or overflow workers whose process is being started
        self.tasks: set[asyncio.Task[Any]] = set()  # in the background, awaited at shutdown
        self.aborted: dict[str, PoolShuttingDown] = {}  # callers in flight when abort began
        self.drained: asyncio.Event | None = None  # set when a draining pool's last checkin
        self.notes = Notifications(trace)  # a scenario's, for every worker

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
        process = self._new_process()
        try:
            process.start()
        except Exception as exc:
            start_failed(self, process, exc)
            return None
        return self._register(process, overflow)

    async def _spawn_off_loop(self, overflow: bool) -> PooledWorker | None:
        """`_spawn`, the fork and exec in a thread: a burst of callers to a lazy pool starts
        many workers, and the loop goes on serving (and timing) the others meanwhile."""
        process = self._new_process()
        try:
            await asyncio.to_thread(process.start)
        except Exception as exc:  # a thread refused it too (RuntimeError: can't start new thread)
            start_failed(self, process, exc)
            return None
        if self.shutting_down is not None:  # the pool stopped while it started
            await asyncio.to_thread(process.stop, self.config.stop_grace)
            return None
        return self._register(process, overflow)

    def _new_process(self) -> WorkerProcess:
        self._spawned += 1
        worker_id = f"w{self._spawned}"
        # Each worker learns its id and where to write its own debug log.
        env = {
            **self.spec.env,
            "POOLCTL_WORKER_ID": worker_id,
            "POOLCTL_DEBUG_LOG": str(self.run_dir.debug_log(worker_id)),
        }
        spec = dataclasses.replace(self.spec, env=env)
        return WorkerProcess(
            spec, self.run_dir.workers, worker_id=worker_id, context=self.run_dir.context
        )

    def _register(self, process: WorkerProcess, overflow: bool) -> PooledWorker:
        worker_id = process.worker_id
        worker = PooledWorker(process, overflow, self.trace)
        self.workers[worker_id] = worker
        self.all_workers.append(worker)
        worker.attach(self._on_worker_exit, self._on_worker_backgrounded)
        self.trace.emit("spawn", worker=worker_id, pid=process.pid, overflow=overflow)
        return worker

    async def _initialize(self, worker: PooledWorker) -> bool:
        """The init ping; a worker that fails it is diagnosed, stopped and its failure kept.
        An error of poolctl's own on the way (a notification its framing cannot carry) is a
        failed start too: raised in a background task, it was dropped, the worker left
        starting for good and its callers timing out."""
        try:
            return await self._init_steps(worker)
        except Exception as exc:
            init_raised(self, worker, exc)
            await self._retire(worker, State.DEAD)
            if self.waiters:
                self._grow_if_allowed()  # another try for the callers waiting, until it gives up
            return False

    async def _init_steps(self, worker: PooledWorker) -> bool:
        self.trace.emit("init_start", worker=worker.id, timeout=self.config.init_timeout)
        started = time.monotonic()
        diagnosing = self.config.diagnose_init_failures
        early = self.inits.early_for(worker) if diagnosing else None
        try:
            outcome = await init_exchange(worker, self.config.init_timeout, started, early)
        except BaseException:
            if early is not None:
                early.stop(wait=False)  # an interruption: the run stops their processes
            raise
        worker.init_seconds = time.monotonic() - started
        diagnosed = isinstance(outcome, NoAnswer) and diagnosing
        if early is not None and (self.shutting_down is not None or not diagnosed):
            await self.inits.release(early)
            early = None
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
            await self.notes.catch_up(worker, self.config.request_timeout)  # before any request
            self.failed_starts = 0  # (a notification it could not be sent failed its start)
            if worker.state is State.STARTING:
                worker.state = State.IDLE
                if worker.exited.is_set():  # it exited while its answer was still being read
                    self._bury(worker)
                elif (handed := self._hand_over(worker)) is not None:
                    self._trace_start(handed)  # a waiting caller's request, written at once
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
        crashed = not isinstance(outcome, NoAnswer) or outcome.reason != "timeout"
        if crashed:  # a slow start may yet succeed; a crash or a refusal repeats
            start_crashed(self)
        if isinstance(outcome, NoAnswer) and diagnosed:
            alive = worker.process.poll() is None and not worker.exited.is_set()
            await self.inits.diagnose(worker, outcome, early)
            status = worker.process.poll()
            if alive and status is not None:  # ended while diagnosed, no exit watch (`detach`)
                self.trace.emit(
                    "diagnosed_exit",
                    worker=worker.id,
                    pid=worker.process.pid,
                    exit=status.describe(),
                    answered=worker.process.answered,
                )
        await self._retire(worker, State.DEAD)
        if crashed and self.waiters:
            self._grow_if_allowed()  # another try for the callers waiting, until it gives up
        return False

    def _on_worker_backgrounded(self, worker: PooledWorker) -> None:
        """Its process exited and a child holds its stdout: that child serves on, as in an
        Erlang port, which reads until end of file."""
        status = worker.process.poll() or ExitStatus()
        self.trace.emit(
            "worker_backgrounded",
            worker=worker.id,
            pid=worker.process.pid,
            exit=status.describe(),
            answered=worker.process.answered,
            holders=stdout_holders(worker.process),
        )

    def _on_worker_exit(self, worker: PooledWorker) -> None:
        status = worker.process.poll() or ExitStatus()
        was = worker.state
        fate = worker.request_fate()
        # the bytes of the requests in flight that went in: with stdin_unread, how much it read
        written: dict[str, Any] = {"written": worker.written_in_flight()} if fate == "read" else {}
        self.trace.emit(
            "worker_exit",
            worker=worker.id,
            exit=worker.ending,
            code=status.code,
            state=str(was),
            caller=worker.caller,
            answered=worker.process.answered,
            request=fate,  # did the request in flight reach it at all
            stdin_unread=worker.stdin_unread,
            **written,
        )
        if was in (State.DEAD, State.RETIRED, State.STARTING):
            return  # retired on purpose, or in its init: `_initialize` handles that
        self._bury(worker)

    def _bury(self, worker: PooledWorker) -> None:
        """A worker that died in service: stopped, and replaced as the pool's kind says."""
        worker.state = State.DEAD
        self.workers.pop(worker.id, None)
        self._stop_in_background(worker)
        # An eager pool keeps its size; a lazy one replaces only for callers already waiting.
        eager_member = not worker.overflow and not self.config.lazy
        if self.shutting_down is None and self.gave_up is None and (eager_member or self.waiters):
            self._replace()
        fail_waiters(self)  # a pool that gave up, its last worker gone: none will come

    def _replace(self) -> None:
        fresh = self._spawn(overflow=False)
        if fresh is not None:
            self.trace.emit("replace", worker=fresh.id)
            self._background(self._initialize(fresh))

    def _background(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _stop_in_background(self, worker: PooledWorker) -> None:
        self._background(asyncio.to_thread(worker.process.stop, self.config.stop_grace))

    async def _retire(self, worker: PooledWorker, state: State) -> None:
        worker.state = state
        worker.detach()
        self.workers.pop(worker.id, None)
        await asyncio.to_thread(worker.process.stop, self.config.stop_grace)
        worker.read_left()
        if state is State.RETIRED:
            self.trace.emit("retire", worker=worker.id)

    # --- checkout / checkin ---------------------------------------------------------------
    # On the way from one answer to the next request, the request is written first and the
    # events are traced after, in their order: the worker works while the pool writes down.
    async def checkout(
        self, caller: str, session: str | None = None, timeout: float | None = None
    ) -> PooledWorker:
        """A ready worker for `caller`, the session's own when it is idle; FIFO otherwise."""
        worker: PooledWorker = await self._take_turn(caller, session, timeout, None)
        return worker

    async def _take_turn(
        self, caller: str, session: str | None, timeout: float | None, call: Call | None
    ) -> Any:
        """Wait for a worker: the worker itself for a checkout; for a `call`, its outcome (the
        pool sends the request the moment a worker is free, and checks it in at the answer)."""
        timeout = self.config.checkout_timeout if timeout is None else timeout
        self.trace.emit("checkout_requested", caller=caller, session=session)
        if self.shutting_down is not None:
            raise self._shutdown_error("checking out")
        if (refused := refusal(self)) is not None:  # it gave up, and no worker serves
            raise refused
        requested = time.monotonic()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        waiter = Waiter(caller, session, requested, future, requested + timeout, call)
        worker = self._idle_worker(session)
        if worker is not None:
            self._trace_start(self._start(worker, waiter))
            return worker if call is None else await future
        self._grow_if_allowed()
        self.waiters.join(waiter)
        try:
            got = await future
        except TimeoutError:
            self.waiters.leave(waiter)
            stats = self.stats()
            waited = time.monotonic() - requested
            stats = dataclasses.replace(  # this caller too: the last one out is the oldest
                stats, waiting=stats.waiting + 1, oldest_wait=max(stats.oldest_wait, waited)
            )
            error = CheckoutTimedOut(timeout, stats, self.last_init_failure)
            self.trace.emit(
                "checkout_timeout",
                caller=caller,
                session=session,
                waited=round(waited, 6),
                timeout=timeout,
                **stats.__dict__,
                last_init_failure=self.last_init_failure,
            )
            raise error from None
        if call is None:  # handed over by `_hand_over`, reserved for this caller
            self._trace_start(self._start(got, waiter))
        return got

    def _start(self, worker: PooledWorker, waiter: Waiter) -> _Started:
        """`worker` is the waiter's now; a call's request is written at once (traced after,
        by `_trace_start`)."""
        worker.state = State.BUSY
        worker.caller = waiter.caller
        self.in_flight[waiter.caller] = worker.id
        if waiter.session is not None:
            self.sessions[waiter.session] = worker.id
        started = _Started(worker, waiter, time.monotonic())
        call = waiter.call
        if call is not None:
            started.request = request = worker.process.ids.request(call.command, call.args)
            started.read_before = worker.process.transcript.total  # one request at a time
            if worker.process.protocol.handshake:  # MCP's and LSP's servers (a stat a request)
                started.logged_before = stderr_size(worker.process)
            answered = functools.partial(self._answered, started)
            try:
                started.sent = worker.send(request, call.timeout, answered)
            except FramingError as exc:  # it cannot be framed: the caller's error, raised to it
                asyncio.get_running_loop().call_soon(self._unsent, started, exc)
        return started

    def _unsent(self, started: _Started, error: FramingError) -> None:
        """A request that could not be framed: its worker checked in again, its caller failed."""
        self.checkin(started.worker, started.waiter.caller)
        if not started.waiter.future.done():
            started.waiter.future.set_exception(error)

    def _trace_start(self, started: _Started) -> None:
        waiter = started.waiter
        wait = started.at - waiter.since
        trace_granted(
            self.trace, started.worker.id, waiter.caller, waiter.session, wait, started.request
        )

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
        if self.shutting_down is not None or self.gave_up is not None:
            return
        forking = self._forking  # workers whose process is being started
        if len(self.workers) + forking >= self.config.size + self.config.max_overflow:
            return  # every place taken (the table holds no dead worker): the common case
        live = starting = forking
        for worker in self.workers.values():
            if worker.state is State.STARTING:
                starting += 1
            live += worker.state in (State.STARTING, State.IDLE, State.BUSY)
        if starting > len(self.waiters):
            return  # a worker already on its way will serve this caller
        if live >= self.config.size + self.config.max_overflow:
            return
        self._forking += 1
        self._background(self._grow(overflow=live >= self.config.size))

    async def _grow(self, overflow: bool) -> None:
        try:
            fresh = await self._spawn_off_loop(overflow)
        finally:
            self._forking -= 1
        if fresh is not None:
            await self._initialize(fresh)
        elif self.waiters:
            self._grow_if_allowed()  # another try for the callers waiting, until it gives up

    def _hand_over(self, worker: PooledWorker) -> _Started | None:
        """Give an idle worker to the next waiter. A caller of `call` has its request written
        at once, before it even wakes up: what was started is returned, to be traced; a caller
        of `checkout` traces its own start as it resumes."""
        chosen = self.waiters.take(worker.id, self.sessions)
        if chosen is None:
            return None
        if chosen.call is None:
            chosen.future.set_result(worker)
            worker.state = State.BUSY  # reserved until the waiter resumes
            return None
        return self._start(worker, chosen)

    def checkin(self, worker: PooledWorker, caller: str) -> None:
        """Return a worker; overflow workers are retired when nobody waits."""
        started = self._check_in(worker, caller)
        self.trace.emit("checkin", worker=worker.id, caller=caller)
        if started is not None:
            self._trace_start(started)

    def _check_in(
        self, worker: PooledWorker, caller: str, writable: bool = True
    ) -> _Started | None:
        """`checkin` but its tracing: what it handed the worker to, if anything. A worker whose
        stdin refused the request (`writable` false) is buried, not handed over: its exit may
        not be seen yet, and each caller it was handed to would fail on it at once."""
        self.in_flight.pop(caller, None)
        worker.caller = None
        if self.drained is not None and not self.in_flight:
            self.drained.set()
        if worker.state is not State.BUSY:
            return None  # it died or was retired meanwhile
        if not writable:
            self._bury(worker)
            return None
        worker.state = State.IDLE
        if self.shutting_down is not None:
            return None
        if worker.overflow and not self.waiters:
            # retired now, not when its stop's task runs: a checkout in between took it idle,
            # and the stop cut that caller's request short (its place is free at once too)
            worker.state = State.RETIRED
            self.workers.pop(worker.id, None)
            self._background(self._retire(worker, State.RETIRED))
            return None
        return self._hand_over(worker)

    # --- one call -------------------------------------------------------------------------
    async def call(
        self,
        caller: str,
        command: str,
        args: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float | None = None,
    ) -> Answer | NoAnswer:
        """Check out, send one request, check in. Raises `PoolError` when no worker came.

        The caller wakes once, with the answer: the request goes out as soon as a worker is
        free, and the worker is checked in (and handed to the next waiter) as the answer is
        read."""
        request_timeout = self.config.request_timeout if timeout is None else timeout
        call = Call(command, args, request_timeout)
        outcome: Answer | NoAnswer = await self._take_turn(caller, session, None, call)
        if caller in self.aborted:  # cut by the shutdown (an abort, a drain past its grace)
            raise self.aborted[caller]
        return outcome

    def _answered(self, started: _Started, outcome: Answer | NoAnswer) -> None:
        """The answer (or why none came): the worker checked in and handed over, then the
        answer traced, then the caller woken."""
        worker, waiter = started.worker, started.waiter
        caller = waiter.caller
        bytes_in = worker.process.transcript.total - started.read_before
        writable = not (isinstance(outcome, NoAnswer) and outcome.reason == "write-failed")
        handed = self._check_in(worker, caller, writable)  # the next request is written first
        if caller not in self.aborted:
            # (an aborted caller is failed by the shutdown, not by the worker)
            protocol = worker.process.protocol
            sizes, pid = (started.sent, bytes_in), worker.process.pid
            timed_out = isinstance(outcome, NoAnswer) and outcome.reason == "timeout"
            partial = partial_frame(worker.process) if timed_out else ""  # as the timeout came
            since = started.logged_before
            logged = error_logged_since(worker.process, since) if protocol.handshake else None
            trace_outcome(
                self.trace, protocol, worker.id, caller, waiter.session, outcome, sizes, pid,
                partial, logged,
            )  # fmt: skip
        self.trace.emit("checkin", worker=worker.id, caller=caller)
        if handed is not None:
            self._trace_start(handed)
        settle(waiter.future, outcome)

    async def notify(self, method: str, params: Any) -> None:
        """Send a notification to every ready worker, and to each one that starts later."""
        self.notes.add(method, params)
        ready = [w for w in self.workers.values() if w.state in (State.IDLE, State.BUSY)]
        timeout = self.config.request_timeout
        await asyncio.gather(*(self.notes.catch_up(w, timeout) for w in ready))

    # --- faults and shutdown (`poolctl.pool_shutdown`) -------------------------------------
    def kill(self, worker_id: str, sig: signal.Signals = signal.SIGKILL) -> int:
        """Send `sig` to a worker (`any` picks a busy one first); returns its pid."""
        return kill_worker(self, worker_id, sig)

    def _shutdown_error(self, phase: str) -> PoolShuttingDown:
        mode = self.shutting_down or "drain"
        return PoolShuttingDown(mode, len(self.waiters), len(self.in_flight), phase)

    async def shutdown(self, mode: str = "drain", grace: float | None = None) -> None:
        """Stop the pool: `drain` lets work in flight finish; `abort` fails everyone now."""
        await shut_down(self, mode, grace)

    def stop_now(self) -> None:
        """Synchronous last resort (interruption): stop every process this pool started."""
        stop_every_worker(self)


__all__ = [
    "CheckoutTimedOut",
    "Pool",
    "PoolConfig",
    "PoolError",
    "PoolGaveUp",
    "PoolShuttingDown",
    "PoolStats",
]
