"""The no-answer engine: plan the probes and experiments, run them, judge every hypothesis,
and turn the judgements into one `Diagnosis` of the knowledge base's no-answer pattern."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from poolctl import activity
from poolctl.events import Trace
from poolctl.framing import FRAMINGS
from poolctl.model import Diagnosis, Evidence, Hypothesis
from poolctl.patterns.loader import PatternSet
from poolctl.protocol import Response
from poolctl.rundir import RunDir
from poolctl.worker import WorkerProcess
from poolctl.worker_types import NoAnswer

from .busy_look import busy_at_look
from .close_probe import answer_after_close, close_stdin
from .cpu_wait import cpu_wait, read_again
from .diagnosis_facts import diagnosis_facts
from .early import EarlyExperiments
from .exited_plan import exited_on_opening, exited_since
from .experiments import (
    Experiment,
    Outcome,
    Result,
    Skipped,
    allowed,
    framing_experiment,
    many_experiment,
    protocol_experiment,
    protocol_experiments,
    pty_experiment,
    refusal,
    run_experiments,
    stderr_apart_experiment,
    unbuffered_experiment,
)
from .file_lock import worker_waits_on_lock
from .first_read import FirstRead, read_since
from .hypotheses.envelope import ID as ENVELOPE
from .hypotheses.serves_socket import ID as SERVES_SOCKET
from .hypotheses.serves_socket import listens_by_default, serves_now
from .interrupted import interrupted
from .judgement import Judgement
from .knowledge import Registered, hypotheses, no_answer_pattern
from .known import worker_as_replay
from .observe import (
    Observations,
    collect,
    explain_what_came_since,
    look_live,
    reencoded_since,
    sample_stack,
    stderr_now,
    stdin_unread,
    wait_longer,
)
from .outcomes import (
    framing_speakers,
    protocol_settled,
)
from .procinfo import cpu_waited
from .readings import (
    messages_written,
    request_unread,
    stream_kind,
)
from .start_busy import wait_out_start
from .starved import ask_again, starved
from .unconfirmed import none_confirmed
from .unknown_method import unknown_method

DEFAULT_BUDGET = 7.0  # seconds for the whole diagnosis, experiments and their clean-up included
STOP_MARGIN = 1.0  # kept at the end of the budget for stopping experiment processes
BUSY_WAIT = 2.0  # seconds a worker busy with its request is waited for, once looked at
PROTOCOL_WAVE = 6.0  # the most the protocol experiments may add to the budget
START_FACTOR = 4.0  # a fresh copy of a worker that exited is waited for this many times as long
# as the worker took to exit: its start-up, slowed as much by a loaded machine


@dataclass(frozen=True)
class Plan:
    """What to do on the original process and which experiments to run."""

    probe_stdin: bool = False
    wait_longer: bool = False
    experiments: tuple[Experiment, ...] = field(default_factory=tuple)


def _plan(obs: Observations) -> Plan:
    """Choose the probes and experiments that can tell the remaining hypotheses apart."""
    spec = obs.worker.spec
    if obs.exit_before is not None:
        return Plan(experiments=exited_on_opening(obs))
    kind = stream_kind(obs)
    if kind in ("none", "partial") and messages_written(obs):
        if obs.worker.protocol.handshake and obs.worker.answered:
            # its handshake was answered in its protocol: what a fresh process answers in
            # another is moot (and a language server answers MCP's initialize too)
            return Plan()
        # It writes well-formed frames that answer nothing: the framing works, the envelope
        # may not. Ask it in each other protocol, in a fresh process.
        return Plan(experiments=protocol_experiments(spec, keep_framing=True))
    if kind == "text":  # a server listening by default may say so on stdout (MCP Apps')
        apart = (stderr_apart_experiment(spec),) if obs.merged else ()
        return Plan(experiments=(*apart, *listens_by_default(obs)))
    if kind == "framing":
        other = obs.explanation.other_framing if obs.explanation else None
        if other not in FRAMINGS:
            return Plan()
        # a server of the protocol whose framing it writes answers that protocol's opening,
        # not our request (a language server spoken dspex)
        command = obs.failed.request.command
        speakers = framing_speakers(other, spec.protocol, command)
        return Plan(
            experiments=(
                framing_experiment(spec, other),
                *(protocol_experiment(spec, name) for name in speakers),
            )
        )
    live = obs.live
    if live is not None:
        if live.blocked_writers or live.stopped() is not None or live.stdin_closed():
            return Plan()  # nothing it does next can show more: blocked, stopped, deaf
        if worker_waits_on_lock(obs) is not None:
            # it starts (or answers) once the lock's holder lets go, whatever the wait: a copy
            # of it would wait for that lock too (a pool's other worker holds it while it serves)
            return Plan()
        if busy_at_look(obs, live):
            return Plan(wait_longer=not serves_now(obs), experiments=listens_by_default(obs))
    return Plan(probe_stdin=True)


def _experiments_after_probe(obs: Observations) -> tuple[Experiment, ...]:
    spec = obs.worker.spec
    buffering = (unbuffered_experiment(spec), pty_experiment(spec), many_experiment(spec))
    framings = tuple(framing_experiment(spec, name) for name in FRAMINGS)  # replay included
    probe = obs.close_probe
    if probe is not None and probe.answered:
        return buffering  # it answered into a buffer: show which change releases it
    if probe is not None and probe.exit is not None:
        # it exited at end of input with nothing held back; many requests at once still show
        # a worker that answers all but its first (it takes that for a configuration), where
        # the first is no handshake's opening
        return framings if obs.worker.protocol.handshake else (*framings, many_experiment(spec))
    return framings + buffering


def diagnose_no_answer(
    worker: WorkerProcess,
    failed: NoAnswer,
    *,
    experiments: bool,
    run_dir: RunDir,
    timeout: float | None = None,
    budget: float = DEFAULT_BUDGET,
    probe_stdin: bool = True,
    patterns: PatternSet | None = None,
    trace: Trace | None = None,
    early: EarlyExperiments | None = None,
    only: frozenset[str] | None = None,
) -> Diagnosis:
    """Test every hypothesis of a silent worker against evidence from `worker`, which failed
    `failed`, and name the cause as the knowledge base (`patterns`, else the builtin) words it.

    `timeout` is the one the exchange used (default: how long it waited). The diagnosis takes
    at most `budget` seconds. With `experiments` False no fresh process is started (the
    hypotheses that need one stay untested); `probe_stdin` False keeps the worker's stdin open.
    The experiments' starts and ends go to `trace` when one is given. `early` holds the
    experiments begun during the wait: those the plan calls for are not run again. `only`
    names the experiments it may start (None: any), for a caller that reads one judgement.
    """
    try:
        diagnosis = _diagnose(
            worker,
            failed,
            experiments,
            run_dir,
            timeout,
            budget,
            probe_stdin,
            patterns,
            trace,
            early,
            only,
        )
    except BaseException:
        if early is not None:
            early.stop(wait=False)  # an interruption: the run stops their processes
        raise
    if early is not None:
        early.stop()  # none of them outlives the diagnosis
    return diagnosis


def _diagnose(
    worker: WorkerProcess,
    failed: NoAnswer,
    experiments: bool,
    run_dir: RunDir,
    timeout: float | None,
    budget: float,
    probe_stdin: bool,
    patterns: PatternSet | None,
    trace: Trace | None,
    early: EarlyExperiments | None,
    only: frozenset[str] | None,
) -> Diagnosis:
    started = time.monotonic()
    deadline = started + budget
    wait_for = timeout if timeout is not None else max(failed.waited, 0.1)
    # The worker as its timeout left it is looked at first, the knowledge base and the
    # hypotheses' modules loaded after: a process's first load (0.1 s of CPU) took 16-21 s
    # beside CPU hogs, and its stack was dumped after the answer it was late with
    with FirstRead(worker, failed) as first_read:  # its request read since its timeout?
        obs = collect(worker, failed, wait_for, run_dir.path, experiments)
        if (
            obs.exit_before is not None
            and failed.reason == "timeout"
            and not (failed.let_go or worker.exited_by_timeout)
        ):
            # alive at its timeout, gone as its diagnosis began (a loaded machine's slow start)
            obs.exited_in_wait = worker.elapsed()
        if obs.exit_before is None and worker.alive():
            obs.live = look_live(worker, run_dir.path / f"stack-{worker.worker_id}.txt")
    pattern = no_answer_pattern(patterns)
    registered = hypotheses(pattern)
    with activity.counting(f"testing {len(registered)} hypotheses", len(registered)) as advance:
        progress = _Progress(obs, registered, advance)
        obs.read_after_timeout = first_read.read_by(obs)
        progress.update()
        copies_wait = wait_for
        if (read_at := obs.read_after_timeout) is not None:  # copies given as long as its start
            copies_wait = max(wait_for, min(read_at + STOP_MARGIN, PROTOCOL_WAVE))
            deadline = max(deadline, time.monotonic() + copies_wait + STOP_MARGIN)
        _probe_and_experiment(
            obs, worker, failed, progress, experiments, probe_stdin, copies_wait, deadline,
            trace, early, only,
        )  # fmt: skip
        if exited_since(obs):
            # it exited while poolctl waited on past its timeout (a start slowed by a loaded
            # machine), or after the frame of another framing it wrote, while its experiments
            # ran: judged as the exited worker it is, with its experiments, as on a quiet one
            again = collect(worker, failed, wait_for, run_dir.path, experiments)
            # Or, still there, it broke its stream past its timeout, at work starved of a CPU
            # (an Elixir worker's banner, its start at 10% of a CPU): judged as if in time
            broke = again.explanation is not None and obs.explanation is None
            if again.exit_before is not None or broke:
                if again.exit_before is not None:
                    again.exited_in_wait = obs.waited_longer
                else:  # its look at the timeout stands
                    again.live = obs.live
                ran, obs = obs.results, again
                progress.obs = obs
                progress.update()
                _probe_and_experiment(
                    obs, worker, failed, progress, experiments, probe_stdin, wait_for, deadline,
                    trace, None, only, ran,
                )  # fmt: skip
        elif read_since(obs, worker):
            # It read its request only past its timeout, in poolctl's wait for a slow start,
            # and answered nothing: the start explains the wait, not the silence (an MCP server
            # spoken lsp, slow to import, reads the Content-Length header as a line and waits
            # for the line's end). Judged as the silent worker it now is, with its experiments,
            # each given as long as its start took (a loaded machine slows the copies alike).
            read_at = obs.read_in_wait
            assert read_at is not None
            again = collect(worker, failed, wait_for, run_dir.path, experiments)
            again.read_in_wait = read_at
            again.live = look_live(worker, run_dir.path / f"stack-{worker.worker_id}-read.txt")
            obs = progress.obs = again
            progress.update()
            # (the protocol wave keeps STOP_MARGIN of its wait for stopping its processes)
            longer = max(wait_for, min(read_at + STOP_MARGIN, PROTOCOL_WAVE))
            _probe_and_experiment(
                obs, worker, failed, progress, experiments, probe_stdin, longer,
                max(deadline, time.monotonic() + longer + STOP_MARGIN), trace, None, only,
            )  # fmt: skip
        else:
            explain_what_came_since(obs)
    if worker.context.interrupted:  # what poolctl's own stop did is no evidence of the worker
        return interrupted(pattern, registered, obs, time.monotonic() - started)
    judged = [(h, _judge(h, obs)) for h in registered]
    verdict = _verdict(obs, judged)
    return Diagnosis(
        pattern_id=pattern.id,
        pattern_number=pattern.number,
        title=pattern.title,
        confidence=verdict.confidence,
        evidence=verdict.evidence + ((obs.asked_again,) if obs.asked_again else ()),
        facts=diagnosis_facts(obs, time.monotonic() - started),
        cause=verdict.cause,
        remediation=verdict.remediation,
        hypotheses=tuple(_hypothesis(h, j) for h, j in judged),
    )


class _Progress:
    """How many hypotheses the evidence so far already settles (confirmed or ruled out), for
    the display of the wait (`activity`); updated as each experiment ends."""

    def __init__(
        self, obs: Observations, registered: list[Registered], advance: Callable[[int], None]
    ) -> None:
        self.obs = obs
        self.registered = registered
        self.advance = advance
        self.lock = threading.Lock()

    def update(self) -> None:
        if not activity.active():
            return  # nobody is shown the count: no need to judge the partial evidence
        settled = sum(_judge(h, self.obs).status != "untested" for h in self.registered)
        self.advance(settled)

    def on_result(self, result: Result) -> None:
        with self.lock:  # experiments end in their own threads
            self.obs.results[result.id] = result
            self.update()

    def protocol_settled(self, exp: Experiment) -> str | None:
        """Why protocol experiment `exp` is waited for no longer, once the answers so far
        settle which protocol the verdict names (the user waited on, for nothing)."""
        with self.lock:
            ended = list(self.obs.results.values())
        return protocol_settled(ended, exp.id)


def _probe_and_experiment(
    obs: Observations,
    worker: WorkerProcess,
    failed: NoAnswer,
    progress: _Progress,
    experiments: bool,
    probe_stdin: bool,
    wait_for: float,
    deadline: float,
    trace: Trace | None,
    early: EarlyExperiments | None,
    only: frozenset[str] | None = None,
    ran: dict[str, Result] | None = None,
) -> None:
    """Probe the original process and run the experiments the plan calls for (their starts and
    ends go to `trace`; those begun `early`, or that `ran` already as planned, are not run
    again; none but `only`, if given)."""
    entered = time.monotonic()
    cpu_wait_at_entry = cpu_waited(obs.worker.pid)  # (a busy worker's wait counts it, below)
    plan = _plan(obs)
    if early is not None and not (experiments and (plan.experiments or plan.probe_stdin)):
        early.stop(wait=False)  # the plan needs none of them
    if plan.probe_stdin and probe_stdin:
        # An answer that reached the pipe while the checks above ran (stack dumps take seconds
        # on a loaded machine) came with its stdin open: late, not held back in a buffer
        while worker.read_stdout(0.0):
            pass
        if (answer := worker.take_answer(failed.request)) is not None:
            obs.late_answer = worker.elapsed()
            _keep_refusal(obs, answer)
        else:
            obs.close_probe = close_stdin(worker, failed.request)
        progress.update()
    if experiments:
        planned = plan.experiments
        if plan.probe_stdin:
            planned = _experiments_after_probe(obs) if obs.late_answer is None else ()
        planned = allowed(planned, only)
        if planned:
            found = early.take(failed.request, planned) if early is not None else {}
            # the same experiment run by this diagnosis' first plan, before the worker's exit
            found.update({e.id: ran[e.id] for e in planned if ran and e.id in ran and _as(ran, e)})
            let_go = early.let_go_why() if early is not None else ""
            found.update(worker_as_replay(obs, [e for e in planned if e.id not in found], let_go))
            for result in found.values():
                progress.on_result(result)
            until = deadline - STOP_MARGIN
            if obs.exit_before is not None:
                # what is left of the budget is no measure of a fresh start: a language server
                # that took 3 s to exit on a loaded machine takes as long to answer with `--stdio`.
                # At most what its timeout had left when it exited is added: a diagnosis still
                # ends within the timeout and the budget.
                took = max(failed.waited, obs.exited_in_wait or 0.0)
                start_up = time.monotonic() + min(wait_for, START_FACTOR * took)
                until = max(until, min(start_up, until + wait_for - failed.waited))
            # each wave of experiments: the failed request, in fresh copies of the worker
            run_wave = functools.partial(
                run_experiments,
                command=failed.request.command,
                args=failed.request.args or {},
                timeout=wait_for,
                capture_dir=worker.capture_dir,
                base_id=worker.worker_id,
                context=worker.context,
                on_result=progress.on_result,
                trace=trace,
                not_needed=progress.protocol_settled,
            )
            unknown = [e for e in planned if e.id not in found]
            own = _own_frames_since(obs, worker, early, until - wait_for) if unknown else ""
            if own:  # the worker's own frames explain it: no copy started for nothing
                found.update({e.id: Skipped(e, own) for e in unknown})
                for exp in unknown:
                    progress.on_result(found[exp.id])
            fresh = run_wave([e for e in planned if e.id not in found], deadline=until)
            ran = {**found, **{r.id: r for r in fresh}}
            obs.results = {e.id: ran[e.id] for e in planned if e.id in ran}  # in the plan's order
            results = list(obs.results.values())
            own = own or _own_frames_since(obs, worker, None, 0.0)
            if (
                plan.probe_stdin
                and not own
                and not any(_accepted(worker, r) and not unknown_method(r) for r in results)
            ):
                # Nothing answered in any framing or buffering (or, to a handshake's opening,
                # only refusals: an MCP server refuses LSP's initialize): ask it in each other
                # protocol (they cost a start each, so only now), given a little more time.
                second = [
                    e
                    for e in allowed(protocol_experiments(worker.spec), only)
                    if e.id not in obs.results
                ]
                until = max(deadline, time.monotonic() + min(wait_for, PROTOCOL_WAVE)) - STOP_MARGIN
                asked = early.take_more(failed.request, second) if early is not None else {}
                # an opening answered past its wait, beside the other experiments, is asked
                # again given as long as that answer took: a loaded machine's start, not 5 s
                took = early.came_late(second) if early is not None else 0.0
                until = max(until, time.monotonic() + min(wait_for, took))
                for result in asked.values():
                    progress.on_result(result)
                more = run_wave([e for e in second if e.id not in asked], deadline=until)
                obs.results.update({**asked, **{r.id: r for r in more}})
    # without experiments too, a start slowed by the CPU it waited for is waited out: on a
    # loaded machine a worker that reads its whole input was not yet at its read at the timeout
    if plan.wait_longer and (experiments or _starved_start(obs)):

        def sample() -> None:
            """Where the wait goes: one dump at the timeout may catch a quick step."""
            found = sample_stack(worker, obs.live) if obs.live is not None else None
            if found is not None:
                obs.samples.append(found)

        # Long enough to see a slow start through (several timeouts), bounded by the budget;
        # a worker that read its request is busy with it: its verdict comes within the
        # timeout plus 3 s (its experiments ran during the wait)
        most = deadline - STOP_MARGIN / 2
        until = min(most, time.monotonic() + max(5.0, 4 * wait_for))
        waited_cpu: Callable[[], float] | None = None
        if request_unread(obs) is False:
            until = min(until, entered + BUSY_WAIT)

            def waited_cpu() -> float:
                """The time it has waited for a CPU since it was looked at: a worker starved
                by its cgroup's quota (2%) took 30 ms of CPU past BUSY_WAIT in a CI run."""
                return cpu_waited(obs.worker.pid) - cpu_wait_at_entry

        cpu_wait_at_read: list[float] = []  # its wait for a CPU when its read was seen

        def read(at: float) -> None:
            obs.read_in_wait = at
            cpu_wait_at_read.append(cpu_waited(obs.worker.pid))

        def waited_cpu_since_read() -> float:
            """The time it has waited for a CPU since its read was seen: a start starved past
            its timeout (a 2% quota) is starved in its request too, past BUSY_WAIT."""
            if not cpu_wait_at_read:
                return 0.0
            return cpu_waited(obs.worker.pid) - cpu_wait_at_read[0]

        # one that reads its request while poolctl waits is busy with it from then on
        once_read = (BUSY_WAIT, read) if request_unread(obs) else None
        if once_read is not None:
            waited_cpu = waited_cpu_since_read
        obs.late_answer = wait_longer(
            worker, failed.request, until, on_tick=sample, once_read=once_read,
            extend=(waited_cpu, most) if waited_cpu is not None else None,
            keep=lambda answer: _keep_refusal(obs, answer),
        )  # fmt: skip
        if obs.late_answer is not None and obs.live is not None:
            obs.at_answer = read_again(obs.live)  # the CPU it waited for, its answer's
        obs.stderr_after_wait = stderr_now(worker)  # what it logged as it kept on, answered or not
        if obs.late_answer is None:
            obs.waited_longer = worker.elapsed()
            obs.unread_after_wait = stdin_unread(worker)
        progress.update()
    if obs.close_probe is not None:  # its answer may have come while the experiments ran
        obs.answer_after_close = answer_after_close(worker, failed.request, obs.close_probe)
    if experiments and (starving := starved(obs)) is not None:
        obs.asked_again = ask_again(
            starving, worker, obs, timeout=wait_for, trace=trace, on_result=progress.on_result,
            accepted=lambda r: _accepted(worker, r) and not unknown_method(r),
            not_needed=progress.protocol_settled,
        )  # fmt: skip


def _own_frames_since(
    obs: Observations, worker: WorkerProcess, early: EarlyExperiments | None, until: float
) -> str:
    """Why no fresh copy is started, if none is: the worker wrote frames re-encoded on their
    way out since its evidence was collected (when still busy with its start as its wait ended,
    and so none began early for it, `start_busy`, once that start is over: waited for until
    `until` at most). Those explain its silence whatever a copy would show (an Elixir worker's
    copies, begun as its VM booted, all went unanswered). "" when the copies are needed."""
    if early is not None and early.still_starting():
        wait_out_start(worker.pid, until)
    while worker.read_stdout(0.0):
        pass
    if reencoded_since(obs) is None:
        return ""
    return (
        "its own frames, re-encoded on their way out, came on stdout once its start was over: "
        "they explain its silence, whatever a fresh copy would show"
    )


def _keep_refusal(obs: Observations, answer: Response) -> None:
    """Keep a late answer's error: waited for, it refuses (astro-ls's initialize under load)."""
    if not answer.success:
        obs.late_refusal = answer.error_message


def _starved_start(obs: Observations) -> bool:
    """Whether the worker, its request still unread, is a start the machine slowed: it waited
    for a CPU longer than it ran (and MIN_WAIT), or a process of it is runnable and has run
    less than half its life (schedstat's run_delay is added only when a task next runs, so a
    start still queued for a CPU at the look shows little of its wait). A Python worker beside
    CPU hogs was still in its start at the look, and said stuck in it."""
    live = obs.live
    if live is None or not request_unread(obs):
        return False
    queued = any(p.state == "R" and p.cpu_seconds < p.age_seconds / 2 for p in live.processes)
    return queued or cpu_wait(live, 0.0) is not None


def _as(ran: dict[str, Result], exp: Experiment) -> bool:
    """Whether the result `ran` holds under `exp`'s id ran `exp` itself, in a process."""
    return isinstance(ran[exp.id], Outcome) and ran[exp.id].experiment == exp


def _accepted(worker: WorkerProcess, result: Result) -> bool:
    """Did an experiment get an answer, other than a refusal of the protocol's opening?"""
    if not isinstance(result, Outcome) or not result.answered:
        return False
    return not refusal(result, worker.protocol.handshake)


def _judge(h: Registered, obs: Observations) -> Judgement:
    """Judge one hypothesis; one that raises is reported as untested, never fatal."""
    try:
        return h.judge(obs)
    except Exception as exc:
        return Judgement("untested", f"poolctl could not judge it ({type(exc).__name__}: {exc})")


def _hypothesis(h: Registered, j: Judgement) -> Hypothesis:
    return Hypothesis(h.id, h.title, j.status, j.evidence, j.reason)


@dataclass(frozen=True)
class _Verdict:
    cause: str
    remediation: str
    evidence: tuple[Evidence, ...]
    confidence: float


def _speaks_another(obs: Observations) -> bool:
    """Did a fresh process answer another protocol's opening, without an error?"""
    return any(
        eid.startswith("protocol-")
        and isinstance(r, Outcome)
        and r.response is not None
        and "error" not in r.response
        for eid, r in obs.results.items()
    )


def _verdict(obs: Observations, judged: list[tuple[Registered, Judgement]]) -> _Verdict:
    """The first confirmed hypothesis' verdict, or what is left when none is confirmed."""
    # A worker that listens on a socket and never read its request talks elsewhere: that is
    # the cause, whatever else it did (a banner on stdout moved to stderr changes nothing).
    # One that answers another protocol's opening in a fresh process is that protocol's server:
    # its framing and envelope both, so that verdict leads a framing mismatch's.
    other = _speaks_another(obs)
    ranked = sorted(
        judged, key=lambda hj: (hj[0].id != SERVES_SOCKET, not (other and hj[0].id == ENVELOPE))
    )
    confirmed = [j for _, j in ranked if j.status == "confirmed"]
    if confirmed:
        first = confirmed[0]
        confidence = 0.9 if len(confirmed) == 1 else 0.6
        return _Verdict(first.verdict, first.remediation, first.evidence, confidence)
    ruled = [h.id for h, j in judged if j.status == "ruled-out"]
    untested = [h.id for h, j in judged if j.status == "untested"]
    cause, remediation, evidence = none_confirmed(obs, ruled, untested)
    return _Verdict(cause, remediation, evidence, 0.3)
