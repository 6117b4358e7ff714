"""Experiments in fresh processes: the same worker, changed in one way, asked the same thing.

Each experiment starts its own copy of the worker (another framing, stdout on a terminal,
`PYTHONUNBUFFERED=1`, many requests at once, stderr kept apart), is bounded in time, and stops
its process whatever happens. They run side by side, so a diagnosis costs the slowest of them.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from poolctl.context import RunContext
from poolctl.errors import FramingError
from poolctl.events import Trace
from poolctl.framing import get_framing, quote
from poolctl.protocol import PROTOCOLS, dumps, get_protocol, workspace
from poolctl.units import fmt_limit
from poolctl.worker import WorkerProcess
from poolctl.worker_types import ExitStatus, StderrMode, WorkerSpec

from .copy_state import copy_begun, cpu_and_start, request_taken
from .pty_probe import run_on_pty

MIN_TIME = 0.2  # an experiment given less than this is skipped, not run to a certain timeout
MANY_REQUESTS = 512  # enough replies to fill a 4 KiB (binary) or 8 KiB (text) stdio buffer
STOP_POLL = 0.05  # how often an experiment that may be stopped early looks whether it is
START_POLL = 0.25  # how often a copy still starting past its wait is looked at (`starting_until`)
LATE_GRACE = 0.3  # past an experiment's wait, an answer is still read (and told late)
STDIO_EXPERIMENT = "with-stdio"


@dataclass(frozen=True)
class Experiment:
    """One change to the worker's spec, and how to ask it."""

    id: str  # "framing-line", "replay", "unbuffered", "pty", "many", "stderr-apart"
    label: str  # "in line framing", "with PYTHONUNBUFFERED=1", …
    spec: WorkerSpec
    requests: int = 1
    pty: bool = False
    command: str | None = None  # what it asks instead of the failed request (another protocol's
    args: dict[str, Any] | None = None  # opening)
    settled: str = ""  # why it need not run, known before any start (it changes nothing)


@dataclass(frozen=True)
class Outcome:
    """What one experiment saw."""

    experiment: Experiment
    answered: bool
    detail: str  # "answered in 1.2 ms", "no answer within 2 s", "exited with code 3", …
    worker_id: str
    stdout_head: bytes = b""  # the first bytes its stdout carried
    first_chunk: int = 0  # size of the first read from its stdout (a flushed block shows here)
    stderr_head: str = ""  # the start of its captured stderr
    answers: int = 0  # responses to our requests (of `experiment.requests`)
    response: dict[str, Any] | None = None  # the first answer, as the worker sent it
    late_ms: float | None = None  # an answer read after the wait (or as it was stopped), this
    # long after the request
    late_at_eof: bool = False  # that late answer came only as its stdin was closed to stop it
    asked: str = ""  # the method it asked (the failed request's, or the experiment's own)
    # what stands for its fresh process, when none was started for it ("": its own)
    stood_in: str = ""
    cpu_s: float | None = None  # the CPU time its process (and children) had used when stopped
    cpu_share: float | None = None  # that time over its life: 1.0 is one CPU all along
    started: bool = False  # it waited for input when stopped: its start was over
    again: str = ""  # how it was asked again, when its first copy was starved of CPU

    @property
    def id(self) -> str:
        return self.experiment.id

    def sentence(self) -> str:
        """`In line framing, a fresh process answered in 1.2 ms`."""
        detail = self.detail + self.whose()
        who = self.stood_in or f"fresh process {self.worker_id}"
        who += f", {self.again}" if self.again else ""
        return f"{self.experiment.label}: {detail} ({who})"

    def whose(self) -> str:
        """For a protocol's opening answered by another protocol's server (a language server
        answers MCP's initialize too, with no protocolVersion), whose answer it was: an answer
        alone would name that protocol's server. "" otherwise."""
        exp, raw = self.experiment, self.response
        if not self.answered or not isinstance(raw, dict) or "error" in raw:
            return ""
        protocol = get_protocol(exp.spec.protocol)
        if not protocol.handshake or self.asked != protocol.opening().method:
            return ""
        problem = protocol.opening_problem(raw.get("result")).split(": speak ")[0]
        return f", but not as {protocol.server_noun}: {problem}" if problem else ""


# LSP's ServerNotInitialized: a language server asked anything before `initialize` (clangd:
# 'server not initialized')
NOT_INITIALIZED = -32002


def refusal(outcome: Outcome, handshake: bool) -> bool:
    """Whether the experiment's answer is an error reply refusing the request for want of a
    session: any error, to a handshake protocol's request (`handshake`: its opening refused),
    or LSP's ServerNotInitialized to any request. Either is no answer to what was asked, and
    another protocol's opening may explain it."""
    raw = outcome.response
    if not isinstance(raw, dict) or "error" not in raw:
        return False
    error = raw["error"]
    return handshake or (isinstance(error, dict) and error.get("code") == NOT_INITIALIZED)


# the reason of an experiment not begun because the evidence had already settled the verdict
NOT_BEGUN = "not begun: "


@dataclass(frozen=True)
class Skipped:
    """An experiment that did not run, and why."""

    experiment: Experiment
    reason: str

    @property
    def id(self) -> str:
        return self.experiment.id

    def sentence(self) -> str:
        return f"{self.experiment.label}: not run ({self.reason})"


Result = Outcome | Skipped


def allowed(
    experiments: Iterable[Experiment], only: frozenset[str] | None
) -> tuple[Experiment, ...]:
    """The experiments `only` names (None: every one), for a caller that reads one judgement."""
    return tuple(e for e in experiments if only is None or e.id in only)


def framing_experiment(spec: WorkerSpec, framing: str) -> Experiment:
    return Experiment(
        "replay" if framing == spec.framing else f"framing-{framing}",
        f"the same request in {framing}" if framing == spec.framing else f"in {framing} framing",
        dataclasses.replace(spec, framing=framing),
    )


def unbuffered_experiment(spec: WorkerSpec) -> Experiment:
    env = {**spec.env, "PYTHONUNBUFFERED": "1"}
    unset = tuple(k for k in spec.unset_env if k != "PYTHONUNBUFFERED")
    # Python takes any value but "" as set: where it is, the fresh process is the worker as
    # it ran, and its start (an `import mcp`, 0.5 s of CPU) would show nothing new
    already = spec.environment().get("PYTHONUNBUFFERED")
    return Experiment(
        "unbuffered",
        "with PYTHONUNBUFFERED=1 (as `python -u`)",
        dataclasses.replace(spec, env=env, unset_env=unset),
        settled=(
            f"PYTHONUNBUFFERED={already} is in the worker's environment already: it ran so"
            if already
            else ""
        ),
    )


def pty_experiment(spec: WorkerSpec) -> Experiment:
    return Experiment("pty", "with stdout on a pseudo-terminal (raw mode)", spec, pty=True)


def many_experiment(spec: WorkerSpec, n: int = MANY_REQUESTS) -> Experiment:
    return Experiment("many", f"with {n} requests sent at once", spec, requests=n)


def protocol_experiment(spec: WorkerSpec, name: str, keep_framing: bool = False) -> Experiment:
    """The worker spoken to in protocol `name` (in that protocol's framing, or in the worker's
    own when `keep_framing`: its messages showed that framing works), with its opening request:
    does a fresh process answer it?"""
    protocol = get_protocol(name)
    opening = protocol.opening(workspace(spec.cwd), spec.init_options)
    framing = spec.framing if keep_framing else protocol.framing
    return Experiment(
        f"protocol-{name}",
        f"speaking {name} ({opening.method} in {framing})",
        dataclasses.replace(spec, protocol=name, framing=framing),
        command=opening.method,
        args=dict(opening.params or {}),
    )


def protocol_experiments(spec: WorkerSpec, keep_framing: bool = False) -> tuple[Experiment, ...]:
    """The worker asked each other protocol's opening, each in a fresh process."""
    return tuple(
        protocol_experiment(spec, name, keep_framing) for name in PROTOCOLS if name != spec.protocol
    )


def stdio_experiment(spec: WorkerSpec) -> Experiment:
    """The same command with `--stdio` added, asked its protocol's opening: a language server
    started without it may serve an editor's channel instead (svelte-language-server and
    graphql-lsp default to Node IPC, and with no IPC channel they exit at once, saying
    nothing)."""
    opening = get_protocol(spec.protocol).opening(workspace(spec.cwd), spec.init_options)
    return Experiment(
        STDIO_EXPERIMENT,
        "with `--stdio` added to its command",
        dataclasses.replace(spec, argv=(*spec.argv, "--stdio")),
        command=opening.method,
        args=dict(opening.params or {}),
    )


def stderr_apart_experiment(spec: WorkerSpec) -> Experiment:
    return Experiment(
        "stderr-apart",
        "with stderr kept apart from stdout",
        dataclasses.replace(spec, stderr=StderrMode.CAPTURE),
    )


def run_experiments(
    experiments: Sequence[Experiment],
    *,
    command: str,
    args: dict[str, Any],
    timeout: float,
    deadline: float,
    capture_dir: Path,
    base_id: str,
    first_answer_wins: bool = False,
    context: RunContext | None = None,
    on_result: Callable[[Result], None] | None = None,
    trace: Trace | None = None,
    not_needed: Callable[[Experiment], str | None] | None = None,
    starting_until: float | None = None,
    on_taken: Callable[[Experiment, int], None] | None = None,
) -> list[Result]:
    """Run every experiment side by side; each waits at most `timeout`, all end by `deadline`.

    With `starting_until` (a `time.monotonic()` time), a copy still starting when its wait is up
    (its request unread, no thread waiting for input) is waited for until it begins, then given
    `timeout` again, never past that time: on a loaded machine its start alone can take longer
    than the wait.

    With `first_answer_wins`, the others stop waiting as soon as one gets an answer; an
    experiment stops waiting too once `not_needed` gives a reason for it (its detail is then
    "not waited for: <reason>"). `on_result` is called (in the experiment's thread) as each one
    ends. With a `trace`, each experiment's start and end are events of it (the run's timeline
    draws them). The processes are children of the run `context` (stopped with it on an
    interruption). `on_taken` is called with a copy's pid once its request has left its stdin
    pipe (not for one on a pseudo-terminal), while it is waited for.
    """
    if not experiments:
        return []
    run = context if context is not None else RunContext()
    won = threading.Event() if first_answer_wins else None

    def stop_reason(exp: Experiment) -> str | None:
        """Why `exp` no longer waits for its answer, if it does not."""
        if won is not None and won.is_set():
            return "not waited for: another experiment got the answer"
        why = not_needed(exp) if not_needed is not None else None
        return f"not waited for: {why}" if why else None

    watching = won is not None or not_needed is not None

    def traced(exp: Experiment) -> Result:
        if trace is None or exp.settled:  # no process: nothing ran for the timeline to draw
            return one(exp)
        worker = f"{base_id}-exp-{exp.id}"
        trace.emit("experiment_start", worker=worker, experiment=exp.id, label=exp.label)
        result = one(exp)
        answered = isinstance(result, Outcome) and result.answered
        detail = result.detail if isinstance(result, Outcome) else f"not run ({result.reason})"
        trace.emit(
            "experiment_end", worker=worker, experiment=exp.id, answered=answered, detail=detail
        )
        return result

    def one(exp: Experiment) -> Result:
        result = _one(exp)
        if on_result is not None:
            on_result(result)
        return result

    def _one(exp: Experiment) -> Result:
        wait = min(timeout, deadline - time.monotonic())
        if wait < MIN_TIME:
            return Skipped(exp, "no time left in the diagnosis budget")
        worker_id = f"{base_id}-exp-{exp.id}"
        asked = exp.command or command
        given = exp.args if exp.command else args
        try:
            if run.children.cancelled.is_set():
                return Skipped(exp, "the run was interrupted")
            if exp.settled:
                return Skipped(exp, exp.settled)
            stop = functools.partial(stop_reason, exp) if watching else None
            if exp.pty:
                return _run_pty(exp, asked, given or {}, wait, capture_dir, worker_id, run, stop)
            outcome = _run_pipe(
                exp, asked, given or {}, wait, capture_dir, worker_id, run, stop,
                min(starting_until, deadline) if starting_until is not None else None,
                functools.partial(on_taken, exp) if on_taken is not None else None,
            )  # fmt: skip
            if won is not None and isinstance(outcome, Outcome) and outcome.answered:
                won.set()
            return outcome
        except FramingError as exc:  # an LSP initialize is longer than packet-1 allows
            return Skipped(exp, f"the request does not fit this framing: {exc}")
        except Exception as exc:  # an experiment that breaks is reported, never fatal
            return Skipped(exp, f"the experiment failed: {type(exc).__name__}: {exc}")

    with ThreadPoolExecutor(max_workers=len(experiments)) as pool:
        return list(pool.map(traced, experiments))


def exit_status(worker: WorkerProcess, wait: float) -> ExitStatus | None:
    """The worker's exit status, waiting up to `wait` seconds for it to end."""
    end = time.monotonic() + wait
    while worker.poll() is None and time.monotonic() < end:
        time.sleep(0.02)
    return worker.poll()


def _run_pipe(
    exp: Experiment,
    command: str,
    args: dict[str, Any],
    wait: float,
    capture_dir: Path,
    worker_id: str,
    context: RunContext,
    stop: Callable[[], str | None] | None = None,
    starting_until: float | None = None,
    taken: Callable[[int], None] | None = None,
) -> Result:
    worker = WorkerProcess(exp.spec, capture_dir, worker_id=worker_id, context=context)
    # encoded before the start: a request too long for the framing (LSP's initialize in
    # packet-1) raises FramingError here, and no process is started for nothing
    requests = [worker.ids.request(command, args) for _ in range(exp.requests)]
    frames = b"".join(worker.send(r) for r in requests)
    try:
        worker.start()
    except Exception as exc:
        return Skipped(exp, f"could not start: {exc}")
    answered_at: float | None = None
    answers = 0
    detail = ""
    first: dict[str, Any] | None = None
    late_ms: float | None = None
    try:
        ids = {r.id for r in requests}
        got: set[Any] = set()  # the ids answered
        start = time.monotonic()
        deadline = start + wait
        stopped = ""
        timed_out = False
        begun = False  # seen past its start (with `starting_until`)
        waited_on = False  # waited for past `wait` because it was still starting

        def given_up() -> bool:  # asked to stop while the worker's stdin is full
            nonlocal stopped
            stopped = (stop() or "") if stop is not None else ""
            return bool(stopped)

        if not worker.write(frames, deadline, given_up):
            status = worker.poll()
            detail = stopped or "could not write the request" + (
                f" ({status.describe()})" if status else ""
            )
        while not detail:
            while worker.frames:
                response = worker.read_message(worker.frames.pop(0))
                if response is not None and response.id in ids:
                    answers += 1
                    got.add(response.id)
                    answered_at = answered_at or worker.last_read_mono  # its frame's read
                    first = first or response.raw
            if answered_at is not None and (answers == len(ids) or exp.requests == 1):
                break
            if worker.frame_error is not None:
                detail = f"bad frame: {worker.frame_error.message}"
                break
            remaining = deadline - time.monotonic()
            if worker.stdout_eof:
                if answered_at is None:
                    status = exit_status(worker, 0.5)
                    detail = status.describe() if status else "closed stdout"
                break
            if remaining <= 0 and starting_until is not None and not begun:
                now = time.monotonic()
                begun = copy_begun(worker)
                if now < starting_until and (waited_on or not begun):  # still starting: looked
                    # at again in a moment; once begun, it has its wait from then
                    deadline = min(starting_until, now + (wait if begun else START_POLL))
                    waited_on = True
                    continue
            if remaining <= 0:
                timed_out = True
                break
            if answered_at is not None:  # many requests: collect what follows for a moment
                remaining = min(remaining, 0.2)
                if not worker.read_stdout(remaining):
                    break
                continue
            if taken is not None and request_taken(worker):
                taken(worker.pid)
                taken = None  # told once
            if stop is not None:
                detail = stop() or ""
                if detail:
                    break
                remaining = min(remaining, STOP_POLL)
            worker.read_stdout(remaining)
        if answered_at is not None:
            ms = max(0.0, answered_at - start) * 1000  # from before the write
            detail = f"answered in {ms:.1f} ms"
            if first is not None and "error" in first and "success" not in first:
                detail = f"answered in {ms:.1f} ms, with an error: {quote(dumps(first), 80)}"
            if exp.requests > 1:
                detail = f"{answers} of {exp.requests} answered, the first after {ms:.1f} ms"
                chunks = worker.transcript.chunks
                if len(chunks) > 1:
                    detail += f", in blocks (the first read brought {chunks[1][1]:,} bytes)"
                if answers < exp.requests:
                    detail += _unanswered_words([r.id for r in requests], got)
        elif not detail:
            detail = f"no answer within {fmt_limit(wait)}"
            if waited_on:
                detail = (
                    f"no answer within {time.monotonic() - start:.1f} s (waited on past "
                    f"{fmt_limit(wait)} while it was still starting"
                    + (f", then {fmt_limit(wait)} more)" if begun else ")")
                )
            # A busy machine delays an answer past the wait: read on a moment, so that one
            # just late is told late, with its time (it was "no answer", its bytes quoted).
            late = _answer_in(worker, ids, time.monotonic() + LATE_GRACE) if timed_out else None
            if late is not None:
                late_ms = round(max(0.0, late[0] - start) * 1000, 1)
                detail += f"; its answer came late, {late_ms:.1f} ms after the request"
                first = late[1]
    finally:
        cpu_s, started = cpu_and_start(worker)
        share = cpu_s / worker.elapsed() if cpu_s is not None else None
        worker.stop(0.5)
    late_at_eof = False
    if answered_at is None and late_ms is None and timed_out:
        at_eof = _answer_in(worker, ids, None)  # written as its stdin closed, as it was stopped
        if at_eof is not None:  # a valid frame in this framing all the same
            late_at_eof = True
            late_ms = round(max(0.0, at_eof[0] - start) * 1000, 1)
            detail += (
                f"; its answer came only after its stdin was closed to stop it, {late_ms:.1f} ms "
                "after the request"
            )
            first = at_eof[1]
    data = bytes(worker.transcript.data)
    chunks = worker.transcript.chunks
    first_chunk = (chunks[1][1] if len(chunks) > 1 else len(data)) if chunks else 0
    redactor = worker.redactor  # evidence is redacted before it is cut
    stderr_head = ""
    if exp.spec.stderr is StderrMode.CAPTURE:
        stderr_head = worker.stderr_tail(4096)
    return Outcome(
        exp,
        answered_at is not None,
        detail,
        worker_id,
        stdout_head=redactor.bytes(data[:4096], same_length=True)[:256],
        first_chunk=first_chunk,
        stderr_head=stderr_head,
        answers=answers,
        response=first,
        late_ms=late_ms,
        late_at_eof=late_at_eof,
        asked=command,
        cpu_s=cpu_s,
        cpu_share=share,
        started=started,
    )


def _unanswered_words(asked: list[Any], got: set[Any]) -> str:
    """What became of the requests left unanswered: the last ones, still in a buffer, when
    every answer came in order up to them; else which went unanswered (a worker that sets its
    first message apart leaves the first)."""
    missing = [i for i in asked if i not in got]
    if missing == asked[len(asked) - len(missing) :]:
        return f"; the last {len(missing)} stayed in its buffer"
    shown = ", ".join(str(i) for i in missing[:3]) + (", …" if len(missing) > 3 else "")
    return f"; {len(missing)} went unanswered (id {shown}), not the last ones"


def _answer_in(
    worker: WorkerProcess, ids: set[Any], until: float | None
) -> tuple[float, dict[str, Any]] | None:
    """An answer to one of `ids` among the frames read (reading on until `until`, if given):
    when it was read, and the answer."""
    while True:
        while worker.frames:
            response = worker.read_message(worker.frames.pop(0))
            if response is not None and response.id in ids:
                return worker.last_read_mono, response.raw
        left = (until or 0.0) - time.monotonic()
        if until is None or left <= 0 or worker.frame_error is not None:
            return None
        if not worker.read_stdout(left):
            return None


def _run_pty(
    exp: Experiment,
    command: str,
    args: dict[str, Any],
    wait: float,
    capture_dir: Path,
    worker_id: str,
    context: RunContext,
    stop: Callable[[], str | None] | None = None,
) -> Result:
    framing = get_framing(exp.spec.framing)
    request = WorkerProcess(exp.spec, capture_dir, worker_id).ids.request(command, args)
    run = run_on_pty(
        exp.spec,
        framing,
        framing.encode(request.to_json()),
        request.id,
        wait,
        capture_dir,
        worker_id,
        context.children,
        stop,
        context.stderr_caps,
    )
    if not run.detail:
        run.detail = f"no answer within {fmt_limit(wait)}"
    context.secrets.remember_command(exp.spec.argv, exp.spec.env)
    stdout = context.secrets.redactor().bytes(bytes(run.stdout), same_length=True)
    detail = run.detail
    if run.answer_after is None and stdout:
        detail += f"; its stdout carried {quote(stdout, 40)} by the time it was stopped"
    return Outcome(
        exp,
        run.answer_after is not None,
        detail,
        worker_id,
        stdout_head=stdout[:256],
        first_chunk=len(stdout),
        answers=1 if run.answer_after is not None else 0,
    )
