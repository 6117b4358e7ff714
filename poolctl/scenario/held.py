"""Checkouts that timed out while a hung worker was held: a worker kept all through their wait
by a request that never got an answer. When the other workers' answers, spread over every
worker of the pool, would have served the callers waiting within the checkout timeout, the
hang is their cause: folded into the unanswered requests' finding (pattern 1), not pattern 3's
"more callers than workers". Otherwise pattern 3 stands, and says the hang took those workers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from poolctl.scenario.failed_checks import total
from poolctl.scenario.timed_out import TimeoutGroup, TimeoutKind

if TYPE_CHECKING:
    from poolctl.scenario.classify import TraceClassifier


def _capacity(c: TraceClassifier) -> int:
    pool = c.run.scenario.pool
    return pool.size + pool.max_overflow


def _served_within(c: TraceClassifier, waiting: int) -> float:
    """How long, at most, `waiting` callers would wait with every worker free to serve, each
    answer as slow as the slowest answer of the run."""
    rounds = math.ceil(waiting / max(_capacity(c), 1))
    return rounds * c.run.checkout_timeouts.slowest_answer


def _would_be_served(c: TraceClassifier, group: TimeoutGroup) -> float | None:
    """`_served_within` of the callers waiting at these timeouts, when that is within the
    checkout timeout; None otherwise."""
    within = _served_within(c, group.waiting_max)
    return within if within < c.run.scenario.pool.checkout_timeout else None


def _hung(groups: list[TimeoutGroup]) -> list[str]:
    return sorted({worker for g in groups for worker in g.hung_workers})


def fold_held(c: TraceClassifier) -> tuple[list[TimeoutGroup], str]:
    """The checkout timeouts the hang caused, folded into the finding being made, and what its
    cause adds ("" when none)."""
    kinds: list[TimeoutKind] = [
        k for k in c.waits_on_silent() if _would_be_served(c, c.run.checkout_timeouts.groups[k])
    ]
    if not kinds:
        return [], ""
    within = max(_would_be_served(c, c.run.checkout_timeouts.groups[k]) or 0.0 for k in kinds)
    groups = c.fold(kinds)
    pool = c.run.scenario.pool
    hung = _hung(groups)
    said = (
        f"; {total(groups)} checkout(s) timed out meanwhile, worker(s) {', '.join(hung)} held "
        f"all through their wait by request(s) that never got an answer: with {_capacity(c)} "
        f"worker(s) free, the up to {max(g.waiting_max for g in groups)} caller(s) waiting would "
        f"each have had one within {within:.2f} s (the slowest answer took "
        f"{c.run.checkout_timeouts.slowest_answer:.2f} s), under the "
        f"{pool.checkout_timeout:g} s checkout timeout: the hang, not the number of callers, "
        "made them wait"
    )
    return groups, said


def held_note(c: TraceClassifier, groups: list[TimeoutGroup]) -> str:
    """Pattern 3's cause, of checkouts that waited while hung workers were held but would have
    waited past the timeout all the same: the hang said ("" when none was held)."""
    held = [g for g in groups if g.held_by_hangs]
    if not held:
        return ""
    hung = _hung(held)
    slowest = c.run.checkout_timeouts.slowest_answer
    waiting = max(g.waiting_max for g in held)
    return (
        f"; worker(s) {', '.join(hung)} were held all through {total(held)} of these waits by "
        "request(s) that never got an answer (the requests-unanswered finding): the hang took "
        f"{len(hung)} worker(s) from the pool, but with all {_capacity(c)} free the up to "
        f"{waiting} caller(s) waiting, at up to {slowest:.2f} s an answer, could still wait "
        f"{_served_within(c, waiting):.2f} s, past the "
        f"{c.run.scenario.pool.checkout_timeout:g} s checkout timeout"
    )
