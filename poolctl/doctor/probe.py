"""One worker started as configured and pinged once: what the worker checks read.

On no answer, the no-answer engine (`diagnose_no_answer`) runs while the process is still
alive, as `ping` and the pool do. Its judgements are the verdicts of every worker check on a
silent or noisy worker (`Probe.judged`): a check may add what only doctor measures, never
contradict them.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from poolctl.answer_behind import behind_stray
from poolctl.diagnose import diagnose_no_answer
from poolctl.diagnose.early import EarlyExperiments
from poolctl.diagnose.hypotheses import envelope, framing
from poolctl.errors import WorkerStartError
from poolctl.holes import read_head
from poolctl.model import Diagnosis, Hypothesis, ProtocolStep
from poolctl.patterns.loader import PatternSet
from poolctl.process_end import Running, open_fds, read_running
from poolctl.protocol import Request, Response
from poolctl.protocol.shown_error import shown_errors
from poolctl.rundir import RunDir
from poolctl.session import run_session
from poolctl.worker import WorkerProcess
from poolctl.worker_trace import WorkerTrace
from poolctl.worker_types import Answer, NoAnswer, StderrMode, WorkerSpec

STDERR_HEAD = 16384


@dataclass(frozen=True)
class Probe:
    """What one ping to a fresh worker showed."""

    spec: WorkerSpec
    worker_id: str
    start_error: str = ""
    response: Response | None = None
    round_trip: float | None = None  # of a ping sent once the worker was up
    ready_s: float | None = None  # spawn → answer: what a pool's init waits for
    no_answer: NoAnswer | None = None
    stdout: bytes = b""  # the raw stdout transcript
    stray: tuple[str, ...] = ()  # frames that answered nothing (text lines in line framing)
    stderr: str = ""  # the start of its stderr (when captured), before its stdin closed
    stderr_at_eof: str = ""  # the start of what it wrote to stderr once its stdin closed
    diagnosis: Diagnosis | None = None
    seconds: float = 0.0
    steps: tuple[ProtocolStep, ...] = ()  # a handshake's steps, timed
    server: dict[str, Any] = field(default_factory=dict)  # what the server said about itself
    answer_behind: bool = False  # a message came right behind the stray output
    # a framed reply that is no answer: its handshake refused, or answered as another
    # protocol's server (its stdout carried messages, no stray text)
    replied: bool = False
    stopped_by: str = ""  # what ended it once its stdin closed (`WorkerProcess.stopped_by`)
    # the program its process ran when it answered (/proc/PID/exe): a start script's exec'd one
    answered_as: str = ""
    shown_errors: tuple[tuple[str, str], ...] = ()  # a language server's, to its user
    running: Running | None = None  # its limits and use as it answered (or failed to)

    @property
    def answered(self) -> bool:
        return self.response is not None

    @property
    def running_program(self) -> str:
        """The program its process ran (/proc/PID/exe), as the diagnosis saw it or as it
        answered: a start script's exec'd server ("" when neither saw it)."""
        seen = self.diagnosis.facts.get("running_program") if self.diagnosis is not None else None
        return str(seen or self.answered_as or "")

    def judged(self, hypothesis_id: str) -> Hypothesis | None:
        """The engine's judgement of one hypothesis (None when it did not run)."""
        if self.diagnosis is None:
            return None
        return next((h for h in self.diagnosis.hypotheses if h.id == hypothesis_id), None)

    def confirmed(self) -> list[str]:
        """The hypotheses the engine confirmed, the verdict's first."""
        if self.diagnosis is None:
            return []
        return [h.id for h in self.diagnosis.hypotheses if h.status == "confirmed"]

    def is_confirmed(self, hypothesis_id: str) -> bool:
        judged = self.judged(hypothesis_id)
        return judged is not None and judged.status == "confirmed"


# what the worker as configured was found to do with its request: the same request, spoken the
# same way, gets no answer however long a fresh process is given (a slow start would be seen as
# its request sitting unread, stuck in initialization)
_REFUSED = (framing.ID, envelope.ID)


def refused(configured: Future[Probe] | None) -> bool:
    """Whether the worker as configured was found to take its request and not answer it."""
    if configured is None or not configured.done() or configured.exception() is not None:
        return False
    return bool(set(configured.result().confirmed()) & set(_REFUSED))


def end_on_refusal(
    worker: WorkerProcess,
    configured: Future[Probe] | None,
    early: EarlyExperiments | None = None,
) -> None:
    """End `worker`'s wait for its answer once the `configured` probe's verdict shows none
    comes, and let go the request in a framing begun `early` for it: Start-up's worker (a
    language server spoken MCP waited out its 10 s init timeout, though the Framing check had
    named it in 2 s), and the Buffering check's probe without aids (pylsp spoken lsp in line
    framing waited out its 10 s, and its replay in a fresh process too, where Framing took
    2.3 s)."""
    if configured is None:
        return

    def judged(probe: Future[Probe]) -> None:
        if refused(probe):
            why = "the worker as configured takes its request and does not answer it"
            if early is not None:
                early.let_go(f"{why} (see Framing)")
            worker.end_wait(why)

    configured.add_done_callback(judged)


def run_probe(
    spec: WorkerSpec,
    run_dir: RunDir,
    worker_id: str,
    timeout: float,
    *,
    diagnose: bool,
    budget: float = 8.0,
    patterns: PatternSet | None = None,
    only: frozenset[str] | None = None,
    configured: Future[Probe] | None = None,
) -> Probe:
    """Start `spec`, send one ping, wait up to `timeout`; diagnose a missing answer if asked
    (the probe that diagnoses is traced to the run folder's `events.jsonl`), starting none
    but the experiments `only` names, if given. Its wait ends once the `configured` probe, if
    given, shows no answer comes (`end_on_refusal`)."""
    started = time.monotonic()
    worker = WorkerProcess(spec, run_dir.workers, worker_id=worker_id, context=run_dir.context)
    try:
        worker.start()
    except WorkerStartError as exc:
        return Probe(spec, worker_id, start_error=exc.message)
    diagnosis = None
    # one trace for the run folder: the buffering check's probe runs beside this one
    traced = WorkerTrace(worker, run_dir.context.trace(run_dir.events) if diagnose else None)
    traced.spawned()
    # As in ping: a first request that waits long enough has its experiments begun meanwhile.
    early = EarlyExperiments(worker, traced.trace, only) if diagnose else None
    end_on_refusal(worker, configured, early)
    watched = early.watching(traced.exchange_request) if early else traced.exchange_request
    held: list[int] = []  # its open descriptors after each answer: one more each, a leak

    def exchange(request: Request, timeout: float) -> Answer | NoAnswer:
        outcome = watched(request, timeout)
        if isinstance(outcome, Answer) and (count := open_fds(worker.pid)) is not None:
            held.append(count)
        return outcome

    try:
        # The protocol's session (a ping twice: the first waits for the start, the second is
        # timed; an MCP or LSP handshake first), stopped at the first request not answered.
        session = run_session(worker, None, {}, count=2, timeout=timeout, exchange=exchange)
        ready = session.ready_s()
        outcome: Answer | NoAnswer | None = session.failed
        if session.failed is None and session.last_response is not None:
            request = worker.ids.request_raw("ping", {})
            outcome = Answer(request, session.last_response, session.round_trips[-1])
        elif session.ok and session.opening is not None:
            outcome = session.opening  # a handshake with no request of the caller's (LSP)
        if isinstance(outcome, NoAnswer) and diagnose:
            diagnosis = diagnose_no_answer(
                worker,
                outcome,
                experiments=True,
                run_dir=run_dir,
                timeout=timeout,
                budget=budget,
                patterns=patterns,
                trace=traced.trace,
                early=early,
                only=only,
            )
            traced.diagnosed(diagnosis)
    finally:
        if early is not None:
            early.stop()  # none is left running: the diagnosis took what it needed
        # its command's limits, and its descriptors after each answer
        running = read_running(worker.pid, tuple(held)) if worker.alive() else None
        worker.stop(1.0)
        traced.stopped()
    stderr = stderr_at_eof = ""
    if spec.stderr is StderrMode.CAPTURE:  # redacted whole, then cut where its stdin closed
        head = read_head(worker.stderr_path, STDERR_HEAD + 4096)
        cut = len(head) if worker.stderr_before_eof is None else worker.stderr_before_eof
        before, after = worker.redactor.split(head, cut)
        stderr = before.decode("utf-8", "replace")[:STDERR_HEAD]
        stderr_at_eof = after.decode("utf-8", "replace")[:STDERR_HEAD]
    if outcome is None and session.refused is not None:  # the handshake was refused
        # with what the session found it answers instead (as ping says): `…; asked mcp's
        # initialize on the same stream, it answered as an MCP server (…): speak mcp to it`
        said = session.steps[-1].detail.removeprefix("error reply: ")
        outcome = NoAnswer(
            worker.ids.request_raw(session.steps[-1].method, {}),
            "bad-frame",
            f"the server refused {session.steps[-1].method}: {said}",
            0.0,
        )
    if outcome is None and session.mismatch:  # answered, but as another protocol's server
        method, noun = session.steps[-1].method, worker.protocol.server_noun
        outcome = NoAnswer(
            worker.ids.request_raw(method, {}),
            "bad-frame",
            f"the server answered {method}, but not as {noun}: {session.mismatch}",
            0.0,
        )
    return Probe(
        spec,
        worker_id,
        response=outcome.response if isinstance(outcome, Answer) else None,
        round_trip=outcome.round_trip if isinstance(outcome, Answer) else None,
        ready_s=ready,
        no_answer=outcome if isinstance(outcome, NoAnswer) else None,
        stdout=worker.redactor.bytes(bytes(worker.transcript.data), same_length=True),
        stray=tuple(worker.stray),
        answered_as=worker.answered_as[0] if worker.answered_as is not None else "",
        stderr=stderr,
        stderr_at_eof=stderr_at_eof,
        diagnosis=diagnosis,
        seconds=time.monotonic() - started,
        steps=tuple(session.steps) if worker.protocol.handshake else (),
        shown_errors=(
            shown_errors([*worker.server_requests, *worker.notifications])
            if spec.protocol == "lsp"
            else ()
        ),
        server=session.server(),
        answer_behind=_answer_behind(worker, session.failed),
        replied=session.refused is not None or bool(session.mismatch),
        stopped_by=worker.stopped_by,
        running=running,
    )


def _answer_behind(worker: WorkerProcess, outcome: NoAnswer | None) -> bool:
    """The stream broke on stray output, and its answer, a whole message, came right behind
    it: a tolerant client (one that skips what is not a message) would have read on."""
    if not isinstance(outcome, NoAnswer):
        return False
    return behind_stray(worker, outcome.request.id, outcome.request.envelope) is not None
