"""Why a worker never answered (pattern 1, `port-no-response`), from the evidence at hand.

This first version reads only what the failed exchange left behind (exit status, stderr,
stdout bytes); hypotheses that need experiments are reported as untested.
"""

from __future__ import annotations

import re

from poolctl.framing import explain, quote
from poolctl.model import Diagnosis, Evidence, Hypothesis
from poolctl.rundir import RunDir
from poolctl.worker import NoAnswer, StderrMode, WorkerProcess

PATTERN_ID = "port-no-response"
PATTERN_TITLE = "Worker started but never answered"

_EXCEPTION_LINE = re.compile(
    r"^(?:[\w.]+(?:Error|Exception|Exit|Interrupt)|[\w.]+Warning)\b.*$", re.M
)


def exception_line(stderr: str) -> str | None:
    """The last `SomeError: message` line of a Python traceback in `stderr`, if any."""
    if "Traceback (most recent call last)" not in stderr:
        return None
    found = _EXCEPTION_LINE.findall(stderr)
    return found[-1] if found else None


def diagnose_no_answer(
    worker: WorkerProcess, failed: NoAnswer, *, experiments: bool, run_dir: RunDir
) -> Diagnosis:
    """Test what the evidence of one failed exchange can test; report the rest as untested."""
    hypotheses: list[Hypothesis] = []
    status = worker.poll()
    stderr = worker.stderr_tail() if worker.spec.stderr is StderrMode.CAPTURE else ""
    if status is not None:
        ev = [Evidence(status.describe(), f"pid {worker.pid}")]
        exc = exception_line(stderr)
        if exc:
            ev.append(Evidence(exc, str(worker.stderr_path), "the exception that ended it"))
        hypotheses.append(Hypothesis("crashed", "The worker crashed", "confirmed", tuple(ev)))
    else:
        hypotheses.append(
            Hypothesis("crashed", "The worker crashed", "ruled-out", reason="still running")
        )
    pending = worker.pending_stdout()
    if pending:
        what = explain(pending, worker.framing)
        hypotheses.append(
            Hypothesis(
                "text-on-stream",
                "Bytes that are not a frame arrived on stdout",
                "confirmed"
                if what.kind in ("text", "json-without-header", "binary")
                else "untested",
                (Evidence(quote(pending), str(worker.stdout_path), what.text),),
            )
        )
    confirmed = [h for h in hypotheses if h.status == "confirmed"]
    cause = (
        f"{confirmed[0].title}: {confirmed[0].evidence[0].note or confirmed[0].evidence[0].text}"
        if confirmed
        else f"no hypothesis confirmed ({failed.detail})"
    )
    return Diagnosis(
        pattern_id=PATTERN_ID,
        pattern_number=1,
        title=PATTERN_TITLE,
        confidence=1.0 if confirmed else 0.3,
        evidence=tuple(e for h in confirmed for e in h.evidence),
        facts={"pid": worker.pid, "reason": failed.reason, "waited_s": round(failed.waited, 3)},
        cause=cause,
        remediation="",
        hypotheses=tuple(hypotheses),
    )
