"""Pattern 7 in a scenario's trace (a step needs a service that is not running), and the steps
that could not run at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from poolctl.model import Finding, Unclassified
from poolctl.scenario.evidence import quote_event

if TYPE_CHECKING:
    from poolctl.scenario.classify import TraceClassifier

NOT_STARTED = "dependency-not-started"


def services(c: TraceClassifier) -> list[Finding]:
    """Pattern 7: each `require_service` step that found its service not running."""
    findings = []
    for event in c.by_type["service_missing"]:
        name, state = event.data.get("service"), event.data.get("state")
        facts = {
            "process": name,
            "service": name,
            "state": state,
            "step": event.data.get("step"),
        }
        step = event.data.get("step")
        cause = f"step {step} needs service {name!r}, which is not running ({state})"
        failure = c.failure(
            f"service {name} not running",
            "service-not-running",
            f"no process: {name} ({state})",
            [event],
        )
        findings.append(
            Finding(
                failure,
                c.diagnosis(NOT_STARTED, [quote_event(event)], facts, cause),
            )
        )
    return findings


def step_errors(c: TraceClassifier) -> list[Finding]:
    """Steps that could not run at all: unclassified, with why."""
    return [
        Finding(
            c.failure(
                f"step {e.data.get('step')} ({e.data.get('kind')})",
                "step-error",
                str(e.data.get("error")),
                [e],
            ),
            Unclassified(None, 0.0, "the step itself could not run"),
        )
        for e in c.by_type["step_error"]
    ]


def spawn_failures(c: TraceClassifier) -> list[Finding]:
    """Workers that could not be started at all (the command cannot run): unclassified, with
    the reason. Checkouts that timed out before any worker was ready follow from it; they are
    folded in, not read as too few workers for the callers."""
    failed = c.by_type["spawn_failed"]
    if not failed:
        return []
    ready_at = min((e.t for e in c.by_type["init_end"] if e.data.get("ok")), default=None)
    consequences = [e for e in c.by_type["checkout_timeout"] if ready_at is None or e.t < ready_at]
    c.consumed_timeouts |= {e.seq for e in consequences}
    error = str(failed[0].data.get("error"))
    message = f"{len(failed)} worker(s) could not be started: {error}"
    if consequences:
        message += f"; {len(consequences)} checkout(s) timed out waiting for one"
    failure = c.failure("workers could not start", "spawn-failed", message, failed + consequences)
    why = (
        "no worker process could be started"
        if ready_at is None
        else f"{len(failed)} worker process(es) could not be started: the pool ran short"
    )
    return [Finding(failure, Unclassified(None, 0.0, why))]
