"""One worker started as configured and pinged once: what the hygiene and framing checks read.

On no answer, the no-response engine (`diagnose_no_answer`) runs while the process is still
alive, as `ping` does: its verdict is what the framing check reports.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from poolctl.diagnose import diagnose_no_answer
from poolctl.errors import WorkerStartError
from poolctl.events import Trace
from poolctl.model import Diagnosis
from poolctl.protocol import Response
from poolctl.rundir import RunDir
from poolctl.worker import Answer, NoAnswer, StderrMode, WorkerProcess, WorkerSpec
from poolctl.worker_trace import WorkerTrace

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
    stderr: str = ""  # the start of its stderr (when captured)
    diagnosis: Diagnosis | None = None
    seconds: float = 0.0

    @property
    def answered(self) -> bool:
        return self.response is not None


def run_probe(
    spec: WorkerSpec,
    run_dir: RunDir,
    worker_id: str,
    timeout: float,
    *,
    diagnose: bool,
    budget: float = 8.0,
) -> Probe:
    """Start `spec`, send one ping, wait up to `timeout`; diagnose a missing answer if asked
    (the probe that diagnoses is traced to the run folder's `events.jsonl`)."""
    started = time.monotonic()
    worker = WorkerProcess(spec, run_dir.workers, worker_id=worker_id)
    traced = WorkerTrace(worker, Trace(run_dir.events) if diagnose else None)
    try:
        worker.start()
    except WorkerStartError as exc:
        return Probe(spec, worker_id, start_error=exc.message)
    diagnosis = None
    traced.spawned()
    try:
        outcome = traced.exchange("ping", {}, timeout)
        ready = worker.elapsed() if isinstance(outcome, Answer) else None
        if isinstance(outcome, Answer):  # the first waited for the start; time a second one
            again = traced.exchange("ping", {}, timeout)
            outcome = again if isinstance(again, Answer) else outcome
        if isinstance(outcome, NoAnswer) and diagnose:
            diagnosis = diagnose_no_answer(
                worker,
                outcome,
                experiments=True,
                run_dir=run_dir,
                timeout=timeout,
                budget=budget,
                trace=traced.trace,
            )
            traced.diagnosed(diagnosis)
    finally:
        worker.stop(1.0)
        traced.stopped()
    stderr = ""
    if spec.stderr is StderrMode.CAPTURE:
        with open(worker.stderr_path, "rb") as f:
            stderr = f.read(STDERR_HEAD).decode("utf-8", "replace")
    return Probe(
        spec,
        worker_id,
        response=outcome.response if isinstance(outcome, Answer) else None,
        round_trip=outcome.round_trip if isinstance(outcome, Answer) else None,
        ready_s=ready,
        no_answer=outcome if isinstance(outcome, NoAnswer) else None,
        stdout=bytes(worker.transcript.data),
        stray=tuple(worker.stray),
        stderr=stderr,
        diagnosis=diagnosis,
        seconds=time.monotonic() - started,
    )
