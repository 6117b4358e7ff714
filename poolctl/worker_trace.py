"""One worker outside a pool (a ping, a doctor probe) traced in the pool's own vocabulary.

`spawn`, `request`, `response` or `no_response` (with the bytes written and read),
`diagnosis` with its verdict, and `worker_stopped` go to the run folder's `events.jsonl`, with
the experiments the diagnosis starts (`experiment_start`, `experiment_end`): the timeline of a
silent worker is drawn from that file, as a scenario's is.
"""

from __future__ import annotations

from poolctl.events import Trace
from poolctl.model import Diagnosis
from poolctl.protocol import Request
from poolctl.worker import WorkerProcess
from poolctl.worker_types import Answer, NoAnswer


class WorkerTrace:
    """Records `worker`'s exchanges as events of `trace`; with no trace, only exchanges."""

    def __init__(self, worker: WorkerProcess, trace: Trace | None) -> None:
        self.worker = worker
        self.trace = trace

    def spawned(self) -> None:
        """After `worker.start`: its pid."""
        if self.trace is not None:
            self.trace.emit("spawn", worker=self.worker.worker_id, pid=self.worker.pid)
            if self.worker.stderr_cap is not None:  # when its stderr log reached the cap
                self.worker.stderr_cap.traced(self.trace, self.worker.worker_id)

    def exchange_request(self, request: Request, timeout: float) -> Answer | NoAnswer:
        """`worker.exchange_request`, with the request and its answer (or the silence) as
        events of the trace."""
        if self.trace is None:
            return self.worker.exchange_request(request, timeout)
        frame = self.worker.send(request)
        sent = len(frame)
        read_before = self.worker.transcript.total
        who = self.worker.worker_id
        self.trace.emit(
            "request", worker=who, id=request.id, command=request.command, bytes_out=sent
        )
        outcome = self.worker.exchange_request(request, timeout, frame)
        read = self.worker.transcript.total - read_before
        if isinstance(outcome, Answer):
            self.trace.emit(
                "response",
                worker=who,
                id=request.id,
                success=outcome.response.success,
                seconds=round(outcome.round_trip, 6),
                error=None if outcome.response.success else outcome.response.error_message,
                bytes_out=sent,
                bytes_in=read,
            )
        else:
            self.trace.emit(
                "no_response",
                worker=who,
                id=request.id,
                reason=outcome.reason,
                detail=outcome.detail,
                waited=round(outcome.waited, 6),
                bytes_out=sent,
                bytes_in=read,
            )
        return outcome

    def diagnosed(self, diagnosis: Diagnosis) -> None:
        """The verdict of the no-response engine, and the pattern it names."""
        if self.trace is None:
            return
        facts = diagnosis.facts
        self.trace.emit(
            "diagnosis",
            worker=self.worker.worker_id,
            pattern=diagnosis.pattern_id,
            number=diagnosis.pattern_number,
            title=diagnosis.title,
            verdict=diagnosis.cause,
            confirmed=[h.id for h in diagnosis.hypotheses if h.status == "confirmed"],
            answered_after_s=facts.get("answered_after_s"),  # seconds after spawn, when it did
        )

    def stopped(self) -> None:
        """After `worker.stop`: how it ended; the trace written (the run's end closes it: a
        probe beside this one may write to it still)."""
        if self.trace is None:
            return
        status = self.worker.poll()
        self.trace.emit(
            "worker_stopped",
            worker=self.worker.worker_id,
            exit=status.describe() if status else None,
            stopped_by=self.worker.stopped_by or None,
        )
        self.trace.flush()
