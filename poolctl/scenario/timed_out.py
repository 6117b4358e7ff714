"""A scenario's checkouts that timed out, grouped as the trace records them, so that a run of
endless timeouts holds a few events per kind, not one per timeout (each one is still written to
events.jsonl, and counted).

A trace observer: what tells the kinds apart is what the rules that fold timeouts into another
finding ask of each (poolctl/scenario/classify.py, services.py) and when it came in the run,
which the observer sees in order: before any worker was ready, with a failed init named, after
a worker had gone, while a worker was starting, while none served a caller. Pattern 3 reads
what they leave.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from poolctl.events import Event
from poolctl.scenario.failed_checks import CheckGroup


class TimeoutKind(NamedTuple):
    before_ready: bool  # no worker had finished its init
    init_failure: bool  # the pool named a failed init as it timed out
    after_exit: bool  # a worker had exited
    starting: bool  # a worker was starting as it timed out
    none_busy: bool  # no worker was serving a caller as it timed out
    empty: bool  # the pool had no worker at all as it timed out (none starting either)
    held: bool = False  # a worker was held all through the wait by one request


@dataclass
class TimeoutGroup(CheckGroup):
    """Checkout timeouts of one kind: the first ones, the last, how many, and the most callers
    waiting and workers starting any of them saw."""

    waiting_max: int = 0
    starting_max: int = 0
    # the requests that held a worker all through one of its waits, told by how they ended
    # as they end (a set of those in flight alone: a run's memory does not grow with them)
    hung_workers: set[str] = field(default_factory=set)  # whose held request timed out
    held_otherwise: bool = False  # one was answered, failed otherwise, or never ended
    held_pending: int = 0  # held requests not ended yet

    @property
    def held_by_hangs(self) -> bool:
        """Every request that held a worker all through one of these waits timed out."""
        return bool(self.hung_workers) and not self.held_otherwise and not self.held_pending


class CheckoutTimeouts:
    """Every checkout timeout of a run, by kind, in the order each kind first came."""

    def __init__(self) -> None:
        self.groups: dict[TimeoutKind, TimeoutGroup] = {}
        self._ready = False
        self._exited = False
        self._in_flight: dict[str, tuple[Any, float]] = {}  # worker -> (request id, written at)
        self._holding: dict[str, list[TimeoutGroup]] = {}  # worker -> groups its request held
        self.slowest_answer = 0.0  # seconds, of every request answered

    def on_event(self, event: Event) -> None:
        kind = event.type
        if kind == "init_end" and event.data.get("ok"):
            self._ready = True
        elif kind == "worker_exit":
            self._exited = True
        elif kind == "checkout_timeout":
            self._add(event)
        elif kind == "request" and event.worker is not None:
            self._in_flight[event.worker] = (event.data.get("id"), event.t)
        elif kind in ("response", "no_response") and event.worker is not None:
            self._in_flight.pop(event.worker, None)
            hung = kind == "no_response" and event.data.get("reason") == "timeout"
            for group in self._holding.pop(event.worker, []):
                group.held_pending -= 1
                if hung:
                    group.hung_workers.add(event.worker)
                else:
                    group.held_otherwise = True
            if kind == "response":
                seconds = float(event.data.get("seconds") or 0.0)
                self.slowest_answer = max(self.slowest_answer, seconds)

    def _add(self, event: Event) -> None:
        d = event.data
        began = event.t - float(d.get("waited") or 0.0)
        held = [(w, rid) for w, (rid, at) in self._in_flight.items() if at <= began]
        key = TimeoutKind(
            not self._ready,
            bool(d.get("last_init_failure")),
            self._exited,
            bool(d.get("starting")),
            not d.get("busy"),
            not d.get("total"),
            bool(held),
        )
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = TimeoutGroup([event], event)
        else:
            group.take(event)
        group.waiting_max = max(group.waiting_max, int(d.get("waiting") or 0))
        group.starting_max = max(group.starting_max, int(d.get("starting") or 0))
        for worker, _ in held:  # told when its request ends (a response, or none)
            holding = self._holding.setdefault(worker, [])
            if not any(g is group for g in holding):
                holding.append(group)
                group.held_pending += 1
