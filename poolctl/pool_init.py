"""A pool worker's init: the ping, or the protocol's handshake, within the init timeout; the
diagnosis of an init that got no answer; and the closing of its session at shutdown.

The experiments of a silent worker's diagnosis run in one init diagnosis only, as ping runs
them once. They begin during the wait of the first worker whose init starts (as ping's do), and
that worker's diagnosis takes them; should it answer, the next worker diagnosed runs them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time

from poolctl.diagnose import diagnose_no_answer
from poolctl.diagnose.early import EarlyExperiments
from poolctl.events import Trace
from poolctl.model import Diagnosis
from poolctl.patterns.loader import PatternSet
from poolctl.pool_worker import PooledWorker, State
from poolctl.protocol import Request, workspace
from poolctl.protocol.init_asked import read_of_nothing, unchecked_options_hint
from poolctl.rundir import RunDir
from poolctl.session import answered_as, other_openings
from poolctl.worker_incoming import HELD_GRACE_S, answer_held
from poolctl.worker_types import Answer, NoAnswer

EXIT_TOLD_WAIT = 1.0  # how long a worker whose stdin closed under a write is given to exit


async def init_exchange(
    worker: PooledWorker, timeout: float, started: float, early: EarlyExperiments | None
) -> Answer | NoAnswer:
    """The init ping (DSPex, JSON-RPC), or the protocol's handshake (MCP's initialize and
    notifications/initialized, LSP's initialize and initialized), within `timeout` of
    `started`; `early` experiments begin during the wait of its first request."""
    handshake = worker.process.protocol.handshake_steps(
        workspace(worker.process.spec.cwd), worker.process.spec.init_options
    )
    if not handshake:
        request = worker.process.ids.request(
            "ping", {"worker_id": worker.id, "initialization": True}
        )
        return await _watched(worker, request, timeout, early)
    outcome: Answer | NoAnswer | None = None
    for step in handshake:
        left = max(0.01, timeout - (time.monotonic() - started))
        if step.notification:
            note = worker.process.ids.notification(step.method, step.params)
            await worker.write_frame(worker.process.send(note), left)
            continue
        request = worker.process.ids.request_raw(step.method, step.params)
        opening = outcome is None
        outcome = await _watched(worker, request, left, early if opening else None)
        if isinstance(outcome, Answer) and not outcome.response.success and opening:
            return await _refused(worker, outcome, left)
        if not isinstance(outcome, Answer) or not outcome.response.success:
            return outcome
        protocol = worker.process.protocol
        problem = protocol.opening_problem(outcome.response.result) if opening else ""
        if problem:  # answered, but not as the protocol's server: a failed init, as in ping
            said = f"{step.method} answered, but not as {protocol.server_noun}: {problem}"
            mismatch = dataclasses.replace(outcome.response, success=False, error=said)
            return dataclasses.replace(outcome, response=mismatch)
    assert outcome is not None
    return outcome


async def close_sessions(workers: list[PooledWorker], timeout: float, mode: str) -> None:
    """End each idle worker's session as its protocol asks (LSP's shutdown, then exit) before
    its stdin closes, in a `drain` shutdown (an `abort` stops them at once): a language server
    whose stdin closes first exits with an error (`ruff server`: code 2, `client exited without
    proper shutdown sequence`; clangd: code 1)."""
    if mode != "drain":
        return

    async def close(worker: PooledWorker) -> None:
        worker.state = State.RETIRED  # its exit, on `exit`, is the one asked for: no death
        worker.process.closing = True
        for step in worker.process.protocol.closing_steps():
            if step.notification:
                note = worker.process.ids.notification(step.method, step.params)
                await worker.write_frame(worker.process.send(note), timeout)
                continue
            request = worker.process.ids.request_raw(step.method, step.params)
            if not await _closing_answered(worker, request, timeout):
                return  # no answer: the stop that follows ends it

    idle = [w for w in workers if w.state is State.IDLE]
    await asyncio.gather(*(close(w) for w in idle), return_exceptions=True)


async def _closing_answered(worker: PooledWorker, request: Request, timeout: float) -> bool:
    """Whether the closing's request (LSP's shutdown) was answered within `timeout`. As ping's
    closing does, the server's requests held since the closing began are answered once it goes
    `HELD_GRACE_S` unanswered, and it is then given `timeout` more: a server that reads nothing
    past its own request until it is answered (gopls) answers it only then, and exited with an
    error when the stop closed its stdin instead."""
    held_at = min(HELD_GRACE_S, timeout)
    asked = asyncio.ensure_future(worker.request(request, held_at + timeout))
    done, _ = await asyncio.wait({asked}, timeout=held_at)
    if not done and worker.process.held:
        answer_held(worker.process)
    elif not done:  # nothing held: no more than `timeout` in all, as before
        await asyncio.wait({asked}, timeout=timeout - held_at)
        worker.expire(request.id)
    return isinstance(await asked, Answer)


async def _refused(worker: PooledWorker, outcome: Answer, timeout: float) -> Answer:
    """A refused opening, its error told what the server is when it says (the error names
    MCP's protocolVersion) or answers another handshake's opening on the same stream."""
    protocol, error = worker.process.protocol, outcome.response.error_message
    hint = protocol.refusal_hint(error)
    read = (
        read_of_nothing(error, worker.process.spec.init_options) if protocol.name == "lsp" else None
    )
    if not hint and read is not None:  # its options read unchecked: asked again with {}
        step = protocol.opening(workspace(worker.process.spec.cwd), {})
        asked = await worker.request(
            worker.process.ids.request_raw(step.method, step.params), timeout
        )
        if isinstance(asked, Answer) and asked.response.success:
            hint = unchecked_options_hint(read)
    for name, step in [] if hint else other_openings(protocol, worker.process):
        request = worker.process.ids.request_raw(step.method, step.params)
        asked = await worker.request(request, timeout)
        if isinstance(asked, Answer) and asked.response.success:
            hint = answered_as(name, step.method, asked.response.result)
            if hint:
                break
    if not hint:
        return outcome
    told = dataclasses.replace(outcome.response, error=f"{error}; {hint}")
    return dataclasses.replace(outcome, response=told)


async def _watched(
    worker: PooledWorker, request: Request, timeout: float, early: EarlyExperiments | None
) -> Answer | NoAnswer:
    """`worker.request`, with the `early` experiments begun `lead` into its wait."""
    if early is None:
        return await _exit_told(worker, await worker.request(request, timeout))
    early.look_during(request, timeout)
    try:
        return await _exit_told(worker, await worker.request(request, timeout))
    finally:
        early.stop_looking()


async def _exit_told(worker: PooledWorker, outcome: Answer | NoAnswer) -> Answer | NoAnswer:
    """A request that could not be written to a worker that exited (a loaded machine may
    return from the spawn after the crash), its exit said: "could not write the request" alone
    hid the "exited with code 3" a pool that gives up names as its last failure."""
    if not isinstance(outcome, NoAnswer) or outcome.reason != "write-failed":
        return outcome
    with contextlib.suppress(TimeoutError):  # its stdin is closed: it is ending, if not gone
        await asyncio.wait_for(worker.exited.wait(), EXIT_TOLD_WAIT)
    if worker.process.poll() is None:
        return outcome
    return dataclasses.replace(outcome, detail=f"{outcome.detail}: it had {worker.ending}")


class InitDiagnoses:
    """The diagnoses of the inits that got no answer, by worker id, and who runs experiments."""

    def __init__(self, run_dir: RunDir, trace: Trace, patterns: PatternSet | None) -> None:
        self.run_dir = run_dir
        self.trace = trace
        self.patterns = patterns
        self.by_worker: dict[str, Diagnosis] = {}
        self._early_given = False
        self._early_holder: str | None = None  # the worker given them, until it answers
        self._experimented = False  # a diagnosis has run the experiments

    def early_for(self, worker: PooledWorker) -> EarlyExperiments | None:
        """The experiments to begin during `worker`'s init wait: the first worker's only."""
        if self._early_given:
            return None
        self._early_given = True
        self._early_holder = worker.id
        return EarlyExperiments(worker.process, self.trace)

    async def release(self, early: EarlyExperiments) -> None:
        """No diagnosis will take `early` (its worker answered, or the pool is stopping):
        stop them, and let the next diagnosis run the experiments."""
        self._early_holder = None
        await asyncio.to_thread(early.stop)

    async def diagnose(
        self, worker: PooledWorker, failed: NoAnswer, early: EarlyExperiments | None
    ) -> Diagnosis:
        """Run the no-answer engine off the loop (it blocks), with the experiments when this is
        the diagnosis that runs them."""
        worker.detach()
        worker.diagnosed = True
        runs = early is not None or (self._early_holder is None and not self._experimented)
        self._experimented |= runs
        diagnosis = await asyncio.to_thread(
            diagnose_no_answer,
            worker.process,
            failed,
            experiments=runs,
            run_dir=self.run_dir,
            patterns=self.patterns,
            trace=self.trace,
            early=early,
        )
        self.by_worker[worker.id] = diagnosis
        self.trace.emit("diagnosis", worker=worker.id, verdict=diagnosis.cause)
        return diagnosis
