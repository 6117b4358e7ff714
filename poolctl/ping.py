"""`poolctl ping`: start one worker, send framed pings, report the round trip or why none came."""

from __future__ import annotations

import dataclasses
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from poolctl.diagnose import diagnose_no_answer
from poolctl.diagnose.experiments import Experiment, Outcome, Skipped, run_experiments
from poolctl.events import Trace
from poolctl.framing import FRAMINGS
from poolctl.model import (
    Diagnosis,
    Failure,
    Finding,
    FramingAuto,
    FramingTrial,
    PingDetails,
    Report,
)
from poolctl.protocol import Response
from poolctl.rundir import RunDir
from poolctl.worker import Answer, NoAnswer, WorkerProcess, WorkerSpec
from poolctl.worker_trace import WorkerTrace

REFERENCE_WORKER = (sys.executable, "-m", "poolctl.workers.reference")


@dataclass(frozen=True)
class PingOptions:
    """What to ping and how."""

    spec: WorkerSpec
    timeout: float = 5.0
    count: int = 1
    command: str = "ping"
    args: dict[str, Any] = field(default_factory=dict)
    experiments: bool = True
    stop_grace: float = 2.0
    auto_framing: bool = False  # try every framing in a fresh process, use the one that answers


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

    @property
    def ok(self) -> bool:
        return self.no_answer is None

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
    """Facts about the worker's environment that change what a ping can show."""
    env = spec.environment()
    notes = []
    if env.get("PYTHONUNBUFFERED"):
        notes.append(
            "PYTHONUNBUFFERED is set in the worker's environment: a Python worker's stdout is "
            "unbuffered here, which hides a worker that forgets to flush "
            "(`--env PYTHONUNBUFFERED=` or `--unset-env PYTHONUNBUFFERED` to see it)."
        )
    return tuple(notes)


def try_framings(
    options: PingOptions, run_dir: RunDir, trace: Trace | None = None
) -> tuple[FramingTrial, ...]:
    """Ping the worker in every framing, each in a fresh process, side by side."""
    spec = options.spec
    trials = [
        Experiment(f"auto-{name}", f"in {name}", dataclasses.replace(spec, framing=name))
        for name in FRAMINGS
    ]
    results = run_experiments(
        trials,
        command=options.command,
        args=options.args,
        timeout=options.timeout,
        deadline=time.monotonic() + options.timeout + 5.0,
        capture_dir=run_dir.workers,
        base_id="w1",
        first_answer_wins=True,
        trace=trace,
    )
    winner = next((r for r in results if isinstance(r, Outcome) and r.answered), None)

    def detail(r: Outcome | Skipped) -> str:
        if isinstance(r, Skipped):
            return f"not run ({r.reason})"
        if winner is not None and not r.answered and r.detail.startswith("not waited for"):
            return f"no answer before {winner.experiment.spec.framing} answered"
        return r.detail

    return tuple(
        FramingTrial(r.experiment.spec.framing, isinstance(r, Outcome) and r.answered, detail(r))
        for r in results
    )


def run_ping(options: PingOptions, run_dir: RunDir) -> PingResult:
    """Spawn the worker, ping it `count` times, diagnose the first ping that gets no answer.

    With `auto_framing`, every framing is tried first in a fresh process and the first one
    that gets an answer is used (packet-4 when none does, and the diagnosis says why).
    """
    trials: tuple[FramingTrial, ...] = ()
    trace = Trace(run_dir.events)  # the timeline of a silent worker is drawn from it
    if options.auto_framing:
        trials = try_framings(options, run_dir, trace)
        chosen = next((t.framing for t in trials if t.answered), options.spec.framing)
        options = dataclasses.replace(
            options, spec=dataclasses.replace(options.spec, framing=chosen)
        )
    worker = WorkerProcess(options.spec, run_dir.workers, worker_id="w1")
    traced = WorkerTrace(worker, trace)
    round_trips: list[float] = []
    last: Response | None = None
    failed: NoAnswer | None = None
    diagnosis: Diagnosis | None = None
    with worker:
        traced.spawned()
        for _ in range(options.count):
            outcome = traced.exchange(options.command, options.args, options.timeout)
            if isinstance(outcome, NoAnswer):
                failed = outcome
                # Diagnose while the process is still there: stack dumps need it alive.
                diagnosis = diagnose_no_answer(
                    worker,
                    outcome,
                    experiments=options.experiments,
                    run_dir=run_dir,
                    timeout=options.timeout,
                    trace=trace,
                )
                traced.diagnosed(diagnosis)
                break
            assert isinstance(outcome, Answer)
            round_trips.append(outcome.round_trip)
            last = outcome.response
        worker.stop(options.stop_grace)
    traced.stopped()
    notes = list(environment_notes(options.spec))
    if worker.stray:
        notes.append(
            f"{worker.stray_count} frame(s) arrived that answered no request: "
            + "; ".join(worker.stray[:3])
        )
    return PingResult(
        options=options,
        worker=worker.summary(),
        round_trips=tuple(round_trips),
        last_response=last,
        no_answer=failed,
        diagnosis=diagnosis,
        notes=tuple(notes),
        run_dir=str(run_dir.path),
        framing_trials=trials,
    )


def to_report(result: PingResult) -> Report:
    """The ping as a Report: no finding on success, one pattern-1 finding otherwise."""
    argv = " ".join(result.options.spec.argv)
    findings: tuple[Finding, ...] = ()
    if result.no_answer is not None and result.diagnosis is not None:
        failure = Failure(
            source="ping",
            name=f"{result.options.command} to {argv}",
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
        command=result.options.command,
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


__all__ = ["REFERENCE_WORKER", "PingOptions", "PingResult", "run_ping", "to_report"]
