"""`poolctl ping`: start one worker, send framed pings, report the round trip or why none came."""

from __future__ import annotations

import os
import statistics
import sys
from dataclasses import dataclass, field
from typing import Any

from poolctl.diagnose import diagnose_no_answer
from poolctl.model import Diagnosis, Evidence, Failure, Finding, Report
from poolctl.protocol import Response
from poolctl.rundir import RunDir
from poolctl.worker import Answer, NoAnswer, WorkerProcess, WorkerSpec

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


def run_ping(options: PingOptions, run_dir: RunDir) -> PingResult:
    """Spawn the worker, ping it `count` times, diagnose the first ping that gets no answer."""
    worker = WorkerProcess(options.spec, run_dir.workers, worker_id="w1")
    round_trips: list[float] = []
    last: Response | None = None
    failed: NoAnswer | None = None
    diagnosis: Diagnosis | None = None
    with worker:
        for _ in range(options.count):
            outcome = worker.exchange(options.command, options.args, options.timeout)
            if isinstance(outcome, NoAnswer):
                failed = outcome
                # Diagnose while the process is still there: stack dumps need it alive.
                diagnosis = diagnose_no_answer(
                    worker, outcome, experiments=options.experiments, run_dir=run_dir
                )
                break
            assert isinstance(outcome, Answer)
            round_trips.append(outcome.round_trip)
            last = outcome.response
        worker.stop(options.stop_grace)
    notes = list(environment_notes(options.spec))
    if worker.stray:
        notes.append(
            f"{len(worker.stray)} frame(s) arrived that answered no request: "
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
    extra: dict[str, Any] = {
        "ok": result.ok,
        "worker": result.worker,
        "round_trips_ms": [round(t * 1000, 4) for t in result.round_trips],
        "stats_ms": {k: round(v, 4) for k, v in result.stats_ms().items()},
        "response": result.last_response.raw if result.last_response else None,
    }
    return Report(
        kind="ping",
        title=f"ping {argv}",
        inputs=(argv,),
        findings=findings,
        environment={"python": sys.version.split()[0], "cwd": os.getcwd()},
        notes=result.notes,
        run_dir=result.run_dir,
        extra=extra,
    )


__all__ = ["REFERENCE_WORKER", "Evidence", "PingOptions", "PingResult", "run_ping", "to_report"]
