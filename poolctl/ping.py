"""`poolctl ping`: start one worker, send framed pings, report the round trip or why none came."""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
import sys
from dataclasses import dataclass, field
from typing import Any

from poolctl.auto_framing import framing_trials
from poolctl.broken_after import broken_after_last
from poolctl.diagnose import diagnose_no_answer
from poolctl.diagnose.early import EarlyExperiments
from poolctl.diagnose.known import Known
from poolctl.errors import ProtocolError
from poolctl.model import (
    Diagnosis,
    Failure,
    Finding,
    FramingAuto,
    FramingTrial,
    PingDetails,
    ProtocolStep,
    Report,
)
from poolctl.once import first_time
from poolctl.patterns.loader import PatternSet
from poolctl.protocol import Incoming, Response, get_protocol
from poolctl.protocol.init_asked import init_option_fix
from poolctl.protocol.messages import WrongId, parse_message
from poolctl.protocol.missing_program import missing_program_fix
from poolctl.protocol.shown_error import shown_error_note, shown_errors
from poolctl.rundir import RunDir
from poolctl.session import run_session
from poolctl.strict_json import as_note, strict_refusals
from poolctl.worker import WorkerProcess
from poolctl.worker_end import outlived_its_stdin, sigterm_ignored
from poolctl.worker_exit import exited_while_answering, settle
from poolctl.worker_trace import WorkerTrace
from poolctl.worker_types import NoAnswer, WorkerSpec


@dataclass(frozen=True)
class PingOptions:
    """What to ping and how."""

    spec: WorkerSpec
    timeout: float = 5.0
    count: int = 1
    command: str | None = None  # the request to repeat (default: the protocol's, `ping`)
    args: dict[str, Any] = field(default_factory=dict)
    experiments: bool = True
    stop_grace: float = 2.0
    auto_framing: bool = False  # try every framing in a fresh process, use the one that answers
    patterns: PatternSet | None = None  # the knowledge base the diagnosis is worded from
    # Begin the experiments during a long wait for the answer (off: only after it, as
    # bench/ping.py measures against)
    early_experiments: bool = True


@dataclass(frozen=True)
class PingResult:
    """The round trips that succeeded, or the failed exchange and its diagnosis."""

    options: PingOptions
    worker: dict[str, Any]
    round_trips: tuple[float, ...]
    last_response: Response | None
    no_answer: NoAnswer | None
    diagnosis: Diagnosis | None
    notes: tuple[str, ...]
    run_dir: str
    framing_trials: tuple[FramingTrial, ...] = ()
    steps: tuple[ProtocolStep, ...] = ()
    server: dict[str, Any] = field(default_factory=dict)
    refused: Response | None = None  # the handshake's first request answered with an error
    mismatch: str = ""  # why the handshake's answer was not the protocol's
    server_requests: tuple[str, ...] = ()
    notifications: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """It answered, and every other step of its session went through (a `tools/list`
        answered with an error, a server still running after `exit` or ending with a code
        other than 0: a client stops there). The request asked for may be answered with an
        error: an answer came."""
        if self.no_answer is not None or self.refused is not None or self.mismatch:
            return False
        asked = _command(self)
        return all(step.ok or step.method == asked for step in self.steps)

    def stats_ms(self) -> dict[str, float]:
        """min, median, p99 and max of the round trips, in milliseconds."""
        if not self.round_trips:
            return {}
        ms = sorted(t * 1000 for t in self.round_trips)
        p99 = ms[min(len(ms) - 1, max(0, round(0.99 * len(ms)) - 1))]
        return {
            "min": ms[0],
            "median": statistics.median(ms),
            "p99": p99,
            "max": ms[-1],
        }


def environment_notes(spec: WorkerSpec) -> tuple[str, ...]:
    """Facts about the worker's environment that change what a ping can show: the
    PYTHONUNBUFFERED note only for a Python worker whose buffering matters, one that writes
    its own frames (an MCP or LSP server's SDK flushes every message itself)."""
    env = spec.environment()
    notes = []
    handshake = get_protocol(spec.protocol).handshake
    if env.get("PYTHONUNBUFFERED") and not handshake and runs_python(spec):
        notes.append(
            "PYTHONUNBUFFERED is set in the worker's environment: a Python worker's stdout is "
            "unbuffered here, which hides a worker that forgets to flush "
            "(`--env PYTHONUNBUFFERED=` or `--unset-env PYTHONUNBUFFERED` to see it)."
        )
    return tuple(notes)


def answers_after_the_last(worker: WorkerProcess) -> None:
    """The whole frames that came after the last answer (read from the pipe as the worker
    stopped), each read as an answer nobody awaits: a second answer to a request is set aside,
    and said, as it is when more requests follow (one ping's copy went unread: a worker that
    answers twice passed). A frame that is no answer is left alone."""
    if worker.frame_error is not None:  # the stream broke before them: nothing more is read
        return
    nobody = object()  # an id no frame carries
    for payload in worker.frames:
        try:
            parse_message(payload, nobody, worker.protocol.envelope)
        except WrongId as other:
            said = worker.answered_ids.unawaited(other.got, worker.quoted(payload))
            worker.set_aside(said, payload)
        except ProtocolError:
            continue
    worker.frames.clear()


def _worth_saying(diagnosis: Diagnosis | None, answered: bool) -> bool:
    """Where the PYTHONUNBUFFERED note matters: on no answer that a block-buffered stdout did
    not explain (the variable may hide it), and on an answer the first time in this reports
    folder (the worker may answer only thanks to it; `doctor`'s Buffering check runs it
    without the variable) rather than on every healthy ping."""
    if diagnosis is not None:
        return not any(h.id == "buffered" and h.status == "confirmed" for h in diagnosis.hypotheses)
    return answered and first_time("PYTHONUNBUFFERED")


def run_ping(options: PingOptions, run_dir: RunDir) -> PingResult:
    """Spawn the worker, ping it `count` times, diagnose the first ping that gets no answer.

    With `auto_framing`, every framing is tried first in a fresh process and the first one
    that gets an answer is used (packet-4 when none does, and the diagnosis says why).
    """
    trials: tuple[FramingTrial, ...] = ()
    known: list[Known] = []  # what the trials' fresh processes were asked, and showed
    named = False  # --framing auto's trials were let go: a fresh process named the protocol
    trace = run_dir.context.trace(run_dir.events)  # a silent worker's timeline is drawn from it
    if options.auto_framing:
        trials, known = framing_trials(
            options.spec, options.command, options.args, options.timeout, run_dir, trace
        )
        chosen = next((t.framing for t in trials if t.answered), options.spec.framing)
        named = not any(t.answered for t in trials) and any(
            t.detail.startswith("not waited for: ") for t in trials
        )
        options = dataclasses.replace(
            options, spec=dataclasses.replace(options.spec, framing=chosen)
        )
    worker = WorkerProcess(options.spec, run_dir.workers, worker_id="w1", context=run_dir.context)
    traced = WorkerTrace(worker, trace)
    diagnosis: Diagnosis | None = None
    # A request that waits long enough has its experiments begun during the wait.
    early = None
    if options.experiments and options.early_experiments:
        early = EarlyExperiments(worker, trace, named=named, known=known)
    with worker:
        traced.spawned()
        session = run_session(
            worker,
            options.command,
            options.args,
            count=options.count,
            timeout=options.timeout,
            exchange=early.watching(traced.exchange_request) if early else traced.exchange_request,
        )
        said, fix = ("", "")
        if session.failed is None:
            told = session.exit is not None  # it was sent the protocol's exit
            if not told:
                settle(worker)  # a worker that exits after its answer is seen to
            said, fix = exited_while_answering(worker, told_to_exit=told)
        gone = f"{said} {fix}" if said else ""
        if session.failed is not None:
            # Diagnose while the process is still there: stack dumps need it alive.
            diagnosis = diagnose_no_answer(
                worker,
                session.failed,
                experiments=options.experiments,
                run_dir=run_dir,
                timeout=options.timeout,
                patterns=options.patterns,
                trace=trace,
                early=early,
            )
            traced.diagnosed(diagnosis)
        elif early is not None:
            early.stop()
        worker.stop(options.stop_grace)
    if diagnosis is None:
        answers_after_the_last(worker)
    traced.stopped()
    notes = [n for n in environment_notes(options.spec) if _worth_saying(diagnosis, session.ok)]
    if worker.stray:
        notes.append(
            f"{worker.stray_count} frame(s) arrived that answered no request: "
            + "; ".join(worker.stray[:3])
        )
    if diagnosis is None and worker.stopped_by.startswith("SIGKILL"):
        notes.append(sigterm_ignored(worker.stopped_by, options.stop_grace))
    if diagnosis is None and (ran_on := outlived_its_stdin(worker.stopped_by)):
        notes.append(ran_on)
    if gone:
        notes.append(gone)
    if diagnosis is None and (broken := broken_after_last(worker)):
        notes.append(broken)
    if options.spec.protocol == "lsp":  # what an editor would pop up for its user
        shown = shown_errors([*worker.server_requests, *worker.notifications])
        notes += [shown_error_note(method, said) for method, said in shown]
    replied = session.last_response or session.refused
    if replied is not None:  # what a strict client would refuse in it
        mcp = session.server() if options.spec.protocol == "mcp" else None
        jsonrpc = worker.protocol.envelope == "jsonrpc"
        notes += map(as_note, strict_refusals(replied.raw, jsonrpc=jsonrpc, mcp_server=mcp))
    if session.refused is not None:
        refusal = session.refused.error_message
        notes.append(f"the server refused {session.steps[-1].method}: {refusal}")
        if options.spec.protocol == "lsp" and (
            asked := init_option_fix(refusal, options.spec.init_options)
        ):
            notes.append(asked)
        if lacking := missing_program_fix(refusal, options.spec.environment()):
            notes.append(lacking)

    return PingResult(
        options=options,
        worker=worker.summary(),
        round_trips=tuple(session.round_trips),
        last_response=session.last_response or session.refused,
        no_answer=session.failed,
        diagnosis=diagnosis,
        notes=tuple(notes),
        run_dir=str(run_dir.path),
        framing_trials=trials,
        steps=tuple(session.steps) if worker.protocol.handshake else (),
        server=session.server(),
        refused=session.refused,
        mismatch=session.mismatch,
        server_requests=tuple(m.method for m in worker.server_requests),
        notifications=tuple(_notification_text(m) for m in worker.notifications[:20]),
    )


def _notification_text(message: Incoming) -> str:
    """`window/logMessage: Starting…` — the method and what its params say, in one line."""
    params = message.params if isinstance(message.params, dict) else {}
    said = params.get("message") or params.get("data") or params.get("value") or ""
    text = said if isinstance(said, str) else json.dumps(said)
    lines = text.strip().splitlines() or [""]  # gopls logs `go env`'s output in one message
    more = f" (+{len(lines) - 1} more lines)" if len(lines) > 1 else ""
    text = lines[0][:200] + more
    return f"{message.method}: {text}" if text else message.method


def to_report(result: PingResult) -> Report:
    """The ping as a Report: no finding on success, one pattern-1 finding otherwise."""
    argv = " ".join(result.options.spec.argv)
    findings: tuple[Finding, ...] = ()
    if result.no_answer is not None and result.diagnosis is not None:
        failure = Failure(
            source="ping",
            name=f"{result.no_answer.request.command} to {argv}",
            kind=result.no_answer.reason,
            message=result.no_answer.detail,
        )
        findings = (Finding(failure, result.diagnosis),)
    details = PingDetails(
        ok=result.ok,
        worker=result.worker,
        round_trips_ms=tuple(round(t * 1000, 4) for t in result.round_trips),
        stats_ms={k: round(v, 4) for k, v in result.stats_ms().items()},
        response=result.last_response.raw if result.last_response else None,
        framing_auto=(
            FramingAuto(result.options.spec.framing, result.framing_trials)
            if result.framing_trials
            else None
        ),
        command=_command(result),
        protocol=result.options.spec.protocol,
        steps=result.steps,
        server=result.server,
        server_requests=result.server_requests,
        notifications=result.notifications,
    )
    return Report(
        kind="ping",
        title=f"ping {argv}",
        inputs=(argv,),
        findings=findings,
        environment={"python": sys.version.split()[0], "cwd": os.getcwd()},
        notes=result.notes,
        run_dir=result.run_dir,
        details=details,
    )


def _command(result: PingResult) -> str:
    repeated = [
        s
        for s in get_protocol(result.options.spec.protocol).steps(
            result.options.command, result.options.args, None, None
        )
        if s.repeat
    ]
    return repeated[0].method if repeated else (result.steps[-1].method if result.steps else "")


def runs_python(spec: WorkerSpec) -> bool:
    """Does the worker command run a Python interpreter (directly or through a shebang)?"""
    from poolctl.doctor.target import describe  # the command resolution doctor uses

    return describe(spec).python is not None


__all__ = ["PingOptions", "PingResult", "run_ping", "to_report"]
