"""The facts a no-answer diagnosis records beside its verdict (`Diagnosis.facts`, in report.json):
plain values a reader, a CI job or `poolctl report` can use without the evidence's words."""

from __future__ import annotations

from typing import Any

from .observe import Observations


def diagnosis_facts(obs: Observations, seconds: float) -> dict[str, Any]:
    """What a no-answer diagnosis records beside its verdict: the wait, the worker's pipes and
    framing, each experiment's outcome, the files of evidence, what the live worker, the close
    probe and the wait past the timeout showed; `seconds` the diagnosis took."""
    worker = obs.worker
    facts: dict[str, Any] = {
        "pid": worker.pid,
        "reason": obs.failed.reason,
        "detail": obs.failed.detail,
        "waited_s": round(obs.failed.waited, 3),
        "timeout_s": obs.timeout,
        "framing": obs.framing,
        "stderr_mode": str(worker.spec.stderr),
        "request_bytes": len(obs.request_frame),
        "stdout_bytes": worker.transcript.total,
        "diagnosis_s": round(seconds, 3),
        "experiments": [
            {
                "id": r.id,
                "label": r.experiment.label,
                "answered": getattr(r, "answered", False),
                "detail": getattr(r, "detail", getattr(r, "reason", "")),
                "worker_id": getattr(r, "worker_id", None),
                "cpu_s": getattr(r, "cpu_s", None),  # CPU time its process had used, if read
                "cpu_share": getattr(r, "cpu_share", None),
                "started": getattr(r, "started", False),  # waiting for input when stopped
            }
            for r in obs.results.values()
        ],
        "evidence_files": [
            p
            for p in (
                obs.stdout_origin,
                obs.stderr_origin if worker.stderr_path.exists() else None,
                obs.rel(obs.live.stack_file) if obs.live and obs.live.stack_file else None,
            )
            if p
        ],
    }
    if obs.live is not None:
        facts["elapsed_at_failure_s"] = round(obs.live.elapsed, 3)
        facts["running_program"] = obs.running_program  # its language, where the command's is not
        facts["stdin_unread_bytes"] = obs.live.stdin_unread
    if obs.close_probe is not None:
        p = obs.close_probe
        facts["stdin_closed"] = {
            "exit": p.exit.describe() if p.exit else None,
            "flushed_bytes": len(p.flushed),
            "answer_flushed": p.answered,
        }
    if obs.late_answer is not None:
        facts["answered_after_s"] = round(obs.late_answer, 3)
    if obs.waited_longer is not None:  # seconds after spawn when poolctl stopped waiting
        facts["gave_up_at_s"] = round(obs.waited_longer, 3)
    if obs.exited_in_wait is not None:  # seconds after spawn when it exited, past its timeout
        facts["exited_at_s"] = round(obs.exited_in_wait, 3)
    return facts
