"""A scenario's requests that got no answer (`no_response`), grouped as the trace records them,
so that a run whose every request times out holds a few events per reason, not one per request
(each one is still written to events.jsonl, and counted).

A trace observer. The requests-unanswered rule (poolctl/scenario/classify.py) quotes the first
ones and asks, of those that timed out, which were answered afterwards: the worker's answers
that nobody awaited (the first of them, kept by the worker) are matched against the ids of the
requests that timed out, kept here for each worker as runs of consecutive ids (a worker's
request ids count up: a run of timeouts is two numbers). What came once the run was
interrupted is the stop's doing, filed apart: the runner traces `interrupted` before the loop
hears of the workers the stop ends.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from poolctl.events import Event
from poolctl.scenario.failed_checks import CheckGroup

STOPPED_KEPT = 4  # the timeouts on a stopped worker kept to quote, of each worker


class IdRuns:
    """A set of request ids, integers held as runs of consecutive ones (others one each)."""

    def __init__(self) -> None:
        self._runs: list[list[int]] = []  # [first, last], in the order they came
        self._others: set[Any] = set()

    def add(self, request_id: Any) -> None:
        if type(request_id) is not int:
            if isinstance(request_id, str | float | bool | None):  # hashable as JSON gives it
                self._others.add(request_id)
            return
        runs = self._runs
        if runs and runs[-1][1] + 1 == request_id:
            runs[-1][1] = request_id
        else:
            runs.append([request_id, request_id])

    def __contains__(self, request_id: Any) -> bool:
        if type(request_id) is not int:
            try:
                return request_id in self._others
            except TypeError:
                return False
        return any(first <= request_id <= last for first, last in self._runs)


class Unanswered:
    """Every request of a run that got no answer, by reason, in the order each reason first
    came; how many of each step's; and the ids of those that timed out, by worker."""

    def __init__(self) -> None:
        self.groups: dict[str, CheckGroup] = {}
        self.of_the_stop = 0  # after the run was interrupted: counted, not the pool's failure
        self.by_caller: Counter[str] = Counter()  # (`s2c5`: the caller names its step)
        self.timed_out: defaultdict[str, IdRuns] = defaultdict(IdRuns)
        self.gone_workers: set[str] = set()  # those whose requests failed otherwise (a death)
        self._interrupted = False
        # the timeouts on a worker found stopped (state T in /proc), by worker: how many, and
        # the first few (a pool that keeps it hands it the next request, which times out too)
        self.stopped: Counter[str] = Counter()
        self.stopped_first: defaultdict[str, list[Event]] = defaultdict(list)

    def on_event(self, event: Event) -> None:
        if event.type == "interrupted":
            self._interrupted = True
        elif event.type == "no_response":
            self._add(event)

    def _add(self, event: Event) -> None:
        if self._interrupted:
            self.of_the_stop += 1
            return
        self.by_caller[event.caller or ""] += 1
        reason = str(event.data.get("reason"))
        if reason == "timeout":
            self.timed_out[event.worker or ""].add(event.data.get("id"))
            if event.data.get("stopped"):
                self.stopped[event.worker or ""] += 1
                if len(kept := self.stopped_first[event.worker or ""]) < STOPPED_KEPT:
                    kept.append(event)
        else:
            self.gone_workers.add(event.worker or "")
        group = self.groups.get(reason)
        if group is None:
            self.groups[reason] = CheckGroup([event], event)
        else:
            group.take(event)

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups.values())
