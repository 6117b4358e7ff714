"""Patterns 2 and 3 in a scenario's trace: callers failed by a pool shutdown, and checkouts that
timed out with callers waiting (those caused by a failed init are pattern 1's, already folded in).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from poolctl.events import Event
from poolctl.model import Finding
from poolctl.scenario.evidence import quote_event

if TYPE_CHECKING:
    from poolctl.scenario.classify import TraceClassifier

SHUTDOWN = "pool-shutdown-during-checkout"
WAITERS = "checkout-timeout-waiters"


def shutdowns(c: TraceClassifier) -> list[Finding]:
    """Pattern 2: callers told the pool shut down, in flight or waiting for a worker when it
    began to stop; and the calls that asked once it had begun, refused at once."""
    failed = [e for e in c.by_type["call_failed"] if e.data.get("error_type") == "PoolShuttingDown"]
    if not failed:
        return []
    begun = c.by_type["shutdown_begun"]
    start = begun[0] if begun else None
    asks = c.run.asks
    # a call is the stop's when it asked before the stop began, whenever it failed
    stop_at = start.t if start else float("inf")
    after = [e for e in failed if asks.asked_at(e) >= stop_at]
    dropped = [e for e in failed if asks.asked_at(e) < stop_at]
    in_flight = [e for e in dropped if e.data.get("phase") == "in flight"]
    waiting = [e for e in dropped if e.data.get("phase") != "in flight"]
    # One caller of each kind is enough to show what each was told (and when a late one asked).
    shown = begun[:1] + in_flight[:1] + waiting[:1]
    evidence = [quote_event(e) for e in shown]
    asked_late = [asks.of_failure[e.seq] for e in after[:1] if e.seq in asks.of_failure]
    evidence += [quote_event(e) for e in asked_late + after[:1]]
    facts: dict[str, Any] = {
        "pool": c.name,
        "callers_dropped": len(dropped),
        "callers_failed": len(failed),
        "in_flight": len(in_flight),
        "waiting": len(waiting),
        "mode": start.data.get("mode") if start else None,
        "shutdown_at_s": round(start.t, 3) if start else None,
    }
    cause = (
        f"the pool was stopped ({facts['mode']}) at t={facts['shutdown_at_s']} s while "
        f"{facts['in_flight']} caller(s) were in flight and {facts['waiting']} waiting "
        "for a worker: each got a shutdown error instead of an answer"
    )
    remediation = None
    done = c.by_type["shutdown_done"]
    if after:
        facts["calls_after_stop"] = len(after)
        cause += f"; {len(after)} more call(s) came once it had begun to stop, refused at once"
    if after and not dropped and start is not None:  # every one asked once the pool stopped
        facts["waiting"] = start.data.get("waiting", 0)
        stopped = done and all(asks.asked_at(e) >= done[0].t for e in after)
        ended = f", done at t={round(done[0].t, 3)} s" if done else ""
        cause = (
            f"{len(after)} call(s) came after the pool had stopped (stopped at "
            f"t={facts['shutdown_at_s']} s{ended}): a stopped pool takes no more calls"
            if stopped
            else f"{len(after)} call(s) came after the pool began to stop (at "
            f"t={facts['shutdown_at_s']} s{ended}): a stopping pool takes no more calls"
        )
        remediation = (
            "Do not call a pool after it stopped: give each test its own pool (start_supervised! "
            "in setup), or do not stop a pool that later tests share."
        )
    message = failed[0].data.get("error", "")
    failure = c.failure("callers failed by a pool shutdown", "pool-shutdown", message, failed)
    return [Finding(failure, c.diagnosis(SHUTDOWN, evidence, facts, cause, remediation))]


def checkout_timeouts(c: TraceClassifier) -> list[Finding]:
    """Pattern 3: checkouts that gave up waiting, against the pool's capacity and init time."""
    consumed = c.consumed_timeouts
    timeouts = [e for e in c.by_type["checkout_timeout"] if e.seq not in consumed]
    if not timeouts:
        return []
    pool = c.run.scenario.pool
    inits = [e.data.get("seconds", 0.0) for e in c.by_type["init_end"] if e.data.get("ok")]
    granted = c.run.trace.count_of("checkout_granted")  # let go once written: counted
    peak_waiting = max(e.data.get("waiting", 0) for e in timeouts)
    callers = c.run.scenario.peak_concurrency()
    capacity = pool.size + pool.max_overflow
    facts: dict[str, Any] = {
        "pool": c.name,
        "pool_size": pool.size,
        "overflow": pool.max_overflow,
        "max_overflow": pool.max_overflow,
        "capacity": capacity,
        "concurrent_callers": callers,
        "waiters": peak_waiting,
        "timeouts": len(timeouts),
        "checkouts": len(timeouts) + granted,
        "checkouts_granted": granted,
        "checkout_timeout": pool.checkout_timeout,
        "timeout": pool.checkout_timeout,
        "lazy": pool.lazy,
        "init_seconds_max": round(max(inits), 3) if inits else None,
    }
    cause = (
        f"{callers} callers at once against {capacity} worker(s) "
        f"(size {pool.size}, max_overflow {pool.max_overflow}); {len(timeouts)} checkout(s) "
        f"waited past {pool.checkout_timeout:g} s with up to {peak_waiting} caller(s) waiting"
    )
    starting = max(e.data.get("starting", 0) for e in timeouts)
    if pool.lazy and inits and max(inits) > pool.checkout_timeout:
        cause += (
            f"; the lazy pool started its workers on first demand and their init took up to "
            f"{max(inits):.2f} s, longer than the checkout timeout"
        )
    elif pool.lazy and starting:
        cause += (
            f"; the lazy pool was still starting {starting} worker(s) (init on first demand) "
            "when the callers gave up"
        )
    facts["starting_at_timeout"] = starting
    remediation = None
    slow_start = pool.lazy and ((inits and max(inits) > pool.checkout_timeout) or starting)
    if slow_start and callers <= capacity:  # enough workers: it was their start they waited for
        init = f" (up to {max(inits):.2f} s here)" if inits else ""
        remediation = (
            "Start the workers with the pool (lazy: false), or set the checkout timeout above "
            f"a worker's init{init}, or make the init quicker: more lazy workers would each "
            "wait the same init."
        )
    evidence = [quote_event(e) for e in timeouts[:3]]
    evidence += [quote_event(e) for e in c.by_type["init_end"][:2]]
    message = str(timeouts[0].data.get("detail") or _timeout_text(timeouts[0]))
    failure = c.failure("checkouts timed out", "checkout-timeout", message, timeouts)
    return [Finding(failure, c.diagnosis(WAITERS, evidence, facts, cause, remediation))]


def _timeout_text(event: Event) -> str:
    d = event.data
    return (
        f"checkout timed out after {d.get('timeout')} s: total={d.get('total')}, "
        f"busy={d.get('busy')}, idle={d.get('idle')}, starting={d.get('starting')}, "
        f"waiting={d.get('waiting')}"
    )
