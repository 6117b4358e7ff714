"""A scenario's failed calls (`call_failed`: refused by a stopping pool, or by one that gave up,
or timed out in checkout), grouped as the trace records them, so that a run whose every call
fails holds a few events per kind of failure, not one per request (each one is still written to
events.jsonl, and counted).

A trace observer: it also sees each caller's `checkout_requested` (let go from the trace once
written, as every request's events are) and the pool's `shutdown_begun`, so that each failure is
filed by when its call asked for a worker, before the stop began or after, not when it failed:
every call a shutdown fails fails after the stop began.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from poolctl.events import Event
from poolctl.scenario.failed_checks import EXAMPLES, CheckGroup, firsts


@dataclass
class CallGroup(CheckGroup):
    """Failed calls of one kind: the first ones (and the checkout each asked with), the last
    one, how many, and the earliest time one of them asked."""

    asks: dict[int, Event] = field(default_factory=dict)  # by failure seq, for the examples
    asked_first: float = float("inf")

    @property
    def error_type(self) -> str:
        return str(self.first.data.get("error_type"))

    @property
    def phase(self) -> str:
        return str(self.first.data.get("phase"))


def merged_calls(groups: Iterable[CallGroup]) -> CallGroup:
    """Several groups (one at least) as one: the first `EXAMPLES` failures of them all, the
    last, the sum."""
    groups = list(groups)
    examples = firsts(groups, EXAMPLES)
    asks = {seq: ask for g in groups for seq, ask in g.asks.items()}
    return CallGroup(
        examples,
        max((g.last for g in groups), key=lambda e: e.seq),
        sum(g.count for g in groups),
        {e.seq: asks[e.seq] for e in examples if e.seq in asks},
        min(g.asked_first for g in groups),
    )


class FailedCalls:
    """Every call that failed in a run, by kind: its error type, the phase it failed in, and
    whether it asked once the pool had begun to stop; in the order each kind first came."""

    def __init__(self) -> None:
        self.groups: dict[tuple[Any, ...], CallGroup] = {}
        self.by_step: Counter[int] = Counter()
        self._asked: dict[str, Event] = {}  # each caller's last checkout (one call at a time)
        self._stop_at: float | None = None

    def on_event(self, event: Event) -> None:
        kind = event.type
        if kind == "checkout_requested" and event.caller is not None:
            self._asked[event.caller] = event
        elif kind == "shutdown_begun" and self._stop_at is None:
            self._stop_at = event.t
        elif kind == "call_failed":
            self._add(event)

    def _add(self, event: Event) -> None:
        step = event.data.get("step")
        if isinstance(step, int):
            self.by_step[step] += 1
        ask = self._asked.get(event.caller or "")
        asked_at = ask.t if ask is not None else event.t
        after = self._stop_at is not None and asked_at >= self._stop_at
        key = (event.data.get("error_type"), event.data.get("phase"), after)
        group = self.groups.get(key)
        kept = True
        if group is None:
            group = self.groups[key] = CallGroup([event], event)
        else:
            kept = group.take(event)
        group.asked_first = min(group.asked_first, asked_at)
        if ask is not None and kept:
            group.asks[event.seq] = ask

    def of_type(self, error_type: str, *, after_stop: bool | None = None) -> list[CallGroup]:
        """The groups of `error_type`; with `after_stop`, only those that asked after the stop
        began (True) or before it (False)."""
        return [
            g
            for key, g in self.groups.items()
            if key[0] == error_type and (after_stop is None or key[2] == after_stop)
        ]
