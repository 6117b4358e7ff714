"""Answers a worker sent twice, read from a scenario's trace (`duplicate_answer` events).

poolctl's pool matches answers to requests by id and sets a second answer aside, so every
caller got its own. A pool that takes the next message as the next caller's reply (an Erlang
port's next `{:data, _}`, a reader of the next line) hands the copy to the wrong caller: the
run fails. None of the seven patterns describes it, so the finding is unclassified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from poolctl.model import Finding, Unclassified

if TYPE_CHECKING:
    from poolctl.scenario.classify import TraceClassifier

WHY = (
    "a second answer to a request answered already: poolctl's pool matches answers by id and "
    "set it aside, but a pool that takes the next message as the next caller's reply (an "
    "Erlang port's next {:data, _}) hands it to the wrong caller; no pattern describes it "
    "(a worker answers each request once)"
)


def duplicate_answers(c: TraceClassifier) -> list[Finding]:
    """One finding for every second answer in the run, the first of them quoted."""
    events = c.by_type["duplicate_answer"]
    if not events:
        return []
    first = events[0]
    workers = sorted({e.worker or "?" for e in events})
    message = (
        f"{len(events)} answer(s) came a second time for requests answered already, from "
        f"worker(s) {', '.join(workers)}; the first, from {first.worker}, to id "
        f"{first.data.get('id')!r}: {first.data.get('frame')}"
    )
    explains = {"duplicate_answer": len(events)}
    failure = c.failure("requests answered twice", "duplicate-answer", message, events, explains)
    return [Finding(failure, Unclassified(None, 0.0, WHY))]
