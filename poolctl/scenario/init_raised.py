"""Workers whose init ended in an error of poolctl's own (`init_raised`: a notification its
framing cannot carry, caught up after the handshake): not the worker's fault, so no pattern's;
the checkouts that timed out before any worker was ready, and the calls failed when the pool
gave up on them, follow from it and are folded in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from poolctl.model import Finding, Unclassified
from poolctl.scenario.failed_checks import span, total

if TYPE_CHECKING:
    from poolctl.scenario.classify import TraceClassifier


def init_raised_failures(c: TraceClassifier) -> list[Finding]:
    """One finding for every init that raised, with the first error poolctl met."""
    raised = c.by_type["init_raised"]
    if not raised:
        return []
    kinds = [kind for kind in c.run.checkout_timeouts.groups if kind.before_ready]
    consequences = [c.run.checkout_timeouts.groups[kind] for kind in kinds]
    c.consumed_timeouts |= set(kinds)
    error = str(raised[0].data.get("error"))
    message = f"{len(raised)} worker init(s) failed in poolctl itself: {error}"
    if consequences:
        message += f"; {total(consequences)} checkout(s) timed out waiting for one"
    refused_calls, gave_up, failed_at_once = c.gave_up("init_raised")
    message += gave_up
    explains = {
        "init_raised": len(raised),
        "checkout_timeout": total(consequences),
        "call_failed": failed_at_once,
    }
    events = raised + span(consequences) + refused_calls
    failure = c.failure("worker inits raised", "init-raised", message, events, explains)
    why = f"poolctl could not finish the init of {len(raised)} worker(s): {error}"
    return [Finding(failure, Unclassified(None, 0.0, why))]
