"""Patterns 2 and 3 in a scenario's trace: callers failed by a pool shutdown, and checkouts that
timed out with callers waiting (those caused by a failed init are pattern 1's, already folded in).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from poolctl.events import Event
from poolctl.model import Finding
from poolctl.scenario.evidence import quote_event
from poolctl.scenario.failed_calls import merged_calls
from poolctl.scenario.failed_checks import firsts, span, total
from poolctl.scenario.held import held_note
from poolctl.scenario.stopped import lingered

if TYPE_CHECKING:
    from poolctl.scenario.classify import TraceClassifier

SHUTDOWN = "pool-shutdown-during-checkout"
SHUTDOWN_ERROR = "PoolShuttingDown"  # the error type of a call a stopping pool failed
WAITERS = "checkout-timeout-waiters"


def shutdowns(c: TraceClassifier) -> list[Finding]:
    """Pattern 2: callers told the pool shut down, in flight or waiting for a worker when it
    began to stop; and the calls that asked once it had begun, refused at once."""
    calls = c.run.failed_calls
    if not calls.of_type(SHUTDOWN_ERROR):
        return []
    begun = c.by_type["shutdown_begun"]
    start = begun[0] if begun else None
    # a call is the stop's when it asked before the stop began, whenever it failed
    dropped = calls.of_type(SHUTDOWN_ERROR, after_stop=False)
    in_flight = [g for g in dropped if g.phase == "in flight"]
    waiting = [g for g in dropped if g.phase != "in flight"]
    after = calls.of_type(SHUTDOWN_ERROR, after_stop=True)
    failed = merged_calls(calls.of_type(SHUTDOWN_ERROR))
    # One caller of each kind is enough to show what each was told (and when a late one asked).
    shown = begun[:1] + firsts(in_flight, 1) + firsts(waiting, 1)
    evidence = [quote_event(e) for e in shown]
    late = firsts(after, 1)
    asks = {seq: ask for g in after for seq, ask in g.asks.items()}
    evidence += [quote_event(asks[e.seq]) for e in late if e.seq in asks]
    evidence += [quote_event(e) for e in late]
    late_calls = total(after)
    facts: dict[str, Any] = {
        "pool": c.name,
        "callers_dropped": total(dropped),
        "callers_failed": failed.count,
        "in_flight": total(in_flight),
        "waiting": total(waiting),
        "mode": start.data.get("mode") if start else None,
        "shutdown_at_s": round(start.t, 3) if start else None,
    }
    cause = (
        f"the pool was stopped ({facts['mode']}) at t={facts['shutdown_at_s']} s while "
        f"{facts['in_flight']} caller(s) were in flight and {facts['waiting']} waiting "
        "for a worker: each got a shutdown error instead of an answer"
    )
    # a drain answers the calls in flight that end within its grace: those were no failure
    in_flight_at_stop = int(start.data.get("in_flight") or 0) if start else 0
    finished = in_flight_at_stop - facts["in_flight"]
    if finished > 0:
        facts["finished_in_grace"] = finished
        cause = (
            f"the pool was stopped ({facts['mode']}) at t={facts['shutdown_at_s']} s while "
            f"{in_flight_at_stop} caller(s) were in flight and {facts['waiting']} waiting for "
            f"a worker: the {facts['waiting']} waiting and {facts['in_flight']} still in "
            f"flight as its grace ran out got a shutdown error instead of an answer; "
            f"{finished} in flight finished within the grace, answered"
        )
    remediation = None
    done = c.by_type["shutdown_done"]
    if facts["in_flight"]:  # the workers those callers were in, still at work as it stopped
        ended, event = lingered(done, c.run.scenario.pool.stop_grace)
        cause += ended
        evidence += [quote_event(event)] if event is not None else []
    if late_calls:
        facts["calls_after_stop"] = late_calls
        cause += f"; {late_calls} more call(s) came once it had begun to stop, refused at once"
    if late_calls == failed.count and start is not None:  # every one asked once it stopped
        facts["waiting"] = start.data.get("waiting", 0)
        stopped = done and min(g.asked_first for g in after) >= done[0].t
        ended = f", done at t={round(done[0].t, 3)} s" if done else ""
        cause = (
            f"{late_calls} call(s) came after the pool had stopped (stopped at "
            f"t={facts['shutdown_at_s']} s{ended}): a stopped pool takes no more calls"
            if stopped
            else f"{late_calls} call(s) came after the pool began to stop (at "
            f"t={facts['shutdown_at_s']} s{ended}): a stopping pool takes no more calls"
        )
        remediation = (
            "Do not call a pool after it stopped: give each test its own pool (start_supervised! "
            "in setup), or do not stop a pool that later tests share."
        )
    message = failed.first.data.get("error", "")
    explains = {"call_failed": failed.count}
    name = "callers failed by a pool shutdown"
    failure = c.failure(name, "pool-shutdown", message, failed.span, explains)
    return [Finding(failure, c.diagnosis(SHUTDOWN, evidence, facts, cause, remediation))]


def checkout_timeouts(c: TraceClassifier) -> list[Finding]:
    """Pattern 3: checkouts that gave up waiting, against the pool's capacity and init time."""
    consumed = c.consumed_timeouts
    groups = [g for kind, g in c.run.checkout_timeouts.groups.items() if kind not in consumed]
    if not groups:
        return []
    timeouts = firsts(groups, 3)
    count = total(groups)
    pool = c.run.scenario.pool
    inits = [e.data.get("seconds", 0.0) for e in c.by_type["init_end"] if e.data.get("ok")]
    granted = c.run.trace.count_of("checkout_granted")  # let go once written: counted
    peak_waiting = max(g.waiting_max for g in groups)
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
        "timeouts": count,
        "checkouts": count + granted,
        "checkouts_granted": granted,
        "checkout_timeout": pool.checkout_timeout,
        "timeout": pool.checkout_timeout,
        "lazy": pool.lazy,
        "init_seconds_max": round(max(inits), 3) if inits else None,
    }
    cause = (
        f"{callers} callers at once against {capacity} worker(s) "
        f"(size {pool.size}, max_overflow {pool.max_overflow}); {count} checkout(s) "
        f"waited past {pool.checkout_timeout:g} s with up to {peak_waiting} caller(s) waiting"
    )
    starting = max(g.starting_max for g in groups)
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
    cause += held_note(c, groups)
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
    evidence = [quote_event(e) for e in timeouts]
    evidence += [quote_event(e) for e in c.by_type["init_end"][:2]]
    message = str(timeouts[0].data.get("detail") or _timeout_text(timeouts[0]))
    explains = {"checkout_timeout": count}
    failure = c.failure("checkouts timed out", "checkout-timeout", message, span(groups), explains)
    return [Finding(failure, c.diagnosis(WAITERS, evidence, facts, cause, remediation))]


def _timeout_text(event: Event) -> str:
    d = event.data
    return (
        f"checkout timed out after {d.get('timeout')} s: total={d.get('total')}, "
        f"busy={d.get('busy')}, idle={d.get('idle')}, starting={d.get('starting')}, "
        f"waiting={d.get('waiting')}"
    )
