"""Pattern 7 in a scenario's trace (a step needs a service that is not running, never started
or started and stopped), and what no pattern covers: workers that could not be started, and
steps that could not run at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from poolctl.model import Evidence, Finding, Unclassified
from poolctl.scenario.evidence import quote_event
from poolctl.scenario.failed_checks import span, total

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
        evidence = [quote_event(event)]
        remediation = None
        started = next(
            (e for e in c.by_type["service_start"] if e.data.get("service") == name), None
        )
        if started is not None:  # it was started, and stopped: why is on its stderr
            cause = (
                f"step {step} needs service {name!r}, which was started (pid "
                f"{started.data.get('pid')}) and is not running any more ({state})"
            )
            log = f"workers/svc-{name}.stderr.log"  # in the run folder
            said = _last_line(c.run.run_dir.path / log)
            evidence.insert(0, quote_event(started))
            if said:
                evidence.append(Evidence(said, log, "its stderr's last line"))
            remediation = (
                f"Find why {name} stopped after it started (its stderr: {log}"
                + (f", which ends: {said!r}" if said else "")
                + "), and fix that; starting it earlier will not help."
            )
        failure = c.failure(
            f"service {name} not running",
            "service-not-running",
            f"no process: {name} ({state})",
            [event],
            {"service_missing": 1},
        )
        diagnosis = c.diagnosis(NOT_STARTED, evidence, facts, cause, remediation)
        findings.append(Finding(failure, diagnosis))
    return findings


def _last_line(path: Path) -> str:
    """The last non-blank line of a log's last 4 KB (the report redacts it, as all evidence)."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, 2) - 4096))
            tail = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def step_errors(c: TraceClassifier) -> list[Finding]:
    """Steps that could not run at all: unclassified, with why."""
    return [
        Finding(
            c.failure(
                f"step {e.data.get('step')} ({e.data.get('kind')})",
                "step-error",
                str(e.data.get("error")),
                [e],
                {"step_error": 1},
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
    # those before any worker was ready (`ready_at`)
    kinds = [kind for kind in c.run.checkout_timeouts.groups if kind.before_ready]
    consequences = [c.run.checkout_timeouts.groups[kind] for kind in kinds]
    c.consumed_timeouts |= set(kinds)
    error = str(failed[0].data.get("error"))
    message = f"{len(failed)} worker(s) could not be started: {error}"
    if consequences:
        message += f"; {total(consequences)} checkout(s) timed out waiting for one"
    refused_calls, gave_up, failed_at_once = c.gave_up("spawn_failed")
    message += gave_up
    events = failed + span(consequences) + refused_calls
    explains = {
        "spawn_failed": len(failed),
        "checkout_timeout": total(consequences),
        "call_failed": failed_at_once,
    }
    failure = c.failure("workers could not start", "spawn-failed", message, events, explains)
    started = len(c.by_type["spawn"])  # processes that ran, ready or not
    why = f"{len(failed)} worker process(es) could not be started: the pool ran short"
    if ready_at is None:
        why = (
            f"{len(failed)} worker process(es) could not be started, and none of the "
            f"{started} that could became ready"
            if started
            else "no worker process could be started"
        )
    return [Finding(failure, Unclassified(None, 0.0, why))]
