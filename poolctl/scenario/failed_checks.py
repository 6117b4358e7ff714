"""A scenario's failed expectations, grouped as the trace records them, so that a run whose every
response fails holds a few events per kind of failure, not one per request (each one is still
written to events.jsonl, and counted).

Failures of one shape (the same step, command, check and field, and for `equals` the same
types expected and got) form a group that keeps its first `EXAMPLES` events, quoted as its
evidence, and its last (where its span in events.jsonl ends); the others are counted. Past
`MAX_GROUPS` shapes, a failure of a new shape is counted, never kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from poolctl.events import Event

EXAMPLES = 3  # events kept of each group: what its finding quotes
MAX_GROUPS = 500  # shapes kept apart, as triage keeps the first 500 groups past its cap


@dataclass
class CheckGroup:
    """Failed expectations of one shape: the first ones, the last one and how many."""

    examples: list[Event]
    last: Event
    count: int = 1

    @property
    def first(self) -> Event:
        return self.examples[0]

    def take(self, event: Event) -> bool:
        """Count another event of the group, kept among its examples while they are fewer
        than `EXAMPLES`; whether it was kept."""
        kept = len(self.examples) < EXAMPLES
        if kept:
            self.examples.append(event)
        self.count += 1
        self.last = event
        return kept

    @property
    def span(self) -> list[Event]:
        """The events a finding's span in events.jsonl reads, first ones first: those kept,
        and the last."""
        return self.examples if self.last is self.examples[-1] else [*self.examples, self.last]


def merged(groups: Iterable[CheckGroup]) -> CheckGroup:
    """Several groups as one: the first `EXAMPLES` events of them all (each group keeps its
    own first ones, so the first of the union are among them), the last, the sum."""
    groups = list(groups)
    examples = sorted((e for g in groups for e in g.examples), key=lambda e: e.seq)
    last = max((g.last for g in groups), key=lambda e: e.seq)
    return CheckGroup(examples[:EXAMPLES], last, sum(g.count for g in groups))


def firsts(groups: Iterable[CheckGroup], n: int) -> list[Event]:
    """The first `n` events of `groups` (none of none)."""
    return sorted((e for g in groups for e in g.examples), key=lambda e: e.seq)[:n]


def total(groups: Iterable[CheckGroup]) -> int:
    return sum(g.count for g in groups)


def span(groups: Iterable[CheckGroup]) -> list[Event]:
    """The first and last events of `groups`, for a finding's span (none of none)."""
    groups = list(groups)
    return merged(groups).span if groups else []


def _type_of(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def shape(event: Event) -> tuple[Any, ...]:
    """What makes two failed expectations the same failure: the values a step fills with
    `{i}` (or a worker's reply that differs each time) count by their type alone."""
    d = event.data
    check = d.get("check")
    where = (d.get("step"), d.get("command"), check, d.get("field"))
    if check == "success":  # a rejection: its error, as the worker worded it
        return (*where, d.get("expected"), d.get("error"))
    if check == "equals":
        got = "absent" if d.get("present") is not None else _type_of(d.get("got"))
        return (*where, _type_of(d.get("expected")), got)
    return where


@dataclass
class FailedChecks:
    """Every expectation that failed in a run, by shape, in the order each shape first came."""

    groups: dict[tuple[Any, ...], CheckGroup] = field(default_factory=dict)
    by_step: Counter[int] = field(default_factory=Counter)
    unkept: int = 0  # failures of shapes past MAX_GROUPS: counted, not kept

    def on_event(self, event: Event) -> None:
        """A trace observer: each `expectation_failed` as it is written."""
        if event.type != "expectation_failed":
            return
        step = event.data.get("step")
        if isinstance(step, int):
            self.by_step[step] += 1
        key = shape(event)
        group = self.groups.get(key)
        if group is not None:
            group.take(event)
        elif len(self.groups) < MAX_GROUPS:
            self.groups[key] = CheckGroup([event], event)
        else:
            self.unkept += 1

    def of_check(self, check: str) -> list[CheckGroup]:
        return [g for g in self.groups.values() if g.first.data.get("check") == check]

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups.values()) + self.unkept
