"""A run's trace in the Chrome trace event format (`trace.json`), for Perfetto or
`chrome://tracing`.

One process (the run), one thread (track) per worker, per experiment, for the steps and for
the queue. Complete events (`ph` `X`) for each worker's states and, nested in a checkout, its
request; async events (`b`/`e`) for each checkout on the queue's track, which overlap; a
counter (`C`) of the callers waiting; instant events (`i`) for timeouts, deaths, faults, the
pool stopping and the verdict. Every event, not folded: Perfetto handles millions. No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from poolctl.model import TimeMark, TimeSpan
from poolctl.report.replay import Event, Replay

PID = 1
STEPS, QUEUE = 1, 2
POOL_WIDE = frozenset({"stop"})  # instants that concern the whole pool


def _us(seconds: float) -> float:
    return round(seconds * 1_000_000, 3)


def _name(label: str) -> str:
    """A span's label up to its duration: `w1 busy for s1c0 (session user_0)`."""
    return label.split(" (")[0] if "(" in label else label


def _complete(span: TimeSpan, tid: int, cat: str) -> dict[str, Any]:
    return {
        "name": f"{span.state}",
        "cat": cat,
        "ph": "X",
        "ts": _us(span.start),
        "dur": _us(span.end - span.start),
        "pid": PID,
        "tid": tid,
        "args": {"detail": span.label},
    }


def _instant(mark: TimeMark, tid: int) -> dict[str, Any]:
    return {
        "name": mark.kind,
        "cat": "mark",
        "ph": "i",
        "s": "p" if mark.kind in POOL_WIDE else "t",
        "ts": _us(mark.t),
        "pid": PID,
        "tid": tid,
        "args": {"detail": mark.label, "seq": mark.seq},
    }


def _thread(tid: int, name: str, order: int) -> list[dict[str, Any]]:
    return [
        {"name": "thread_name", "ph": "M", "pid": PID, "tid": tid, "args": {"name": name}},
        {
            "name": "thread_sort_index",
            "ph": "M",
            "pid": PID,
            "tid": tid,
            "args": {"sort_index": order},
        },
    ]


def chrome_trace(events: Sequence[Event], title: str, left_out: str = "") -> dict[str, Any]:
    """The `events` of one run as a Chrome trace (`{"traceEvents": [...], ...}`); `left_out`
    says which of the run's events are not among them (a trace read in part)."""
    builder = Replay()
    builder.replay(events)
    out: list[dict[str, Any]] = [
        {"name": "process_name", "ph": "M", "pid": PID, "tid": 0, "args": {"name": title}}
    ]
    out += _thread(STEPS, "steps", 0)
    for span in builder.steps.spans:
        out.append(_complete(span, STEPS, "step"))
    for mark in builder.steps.marks:
        out.append(_instant(mark, STEPS))
    if builder.checkout_spans or builder.queue.marks:
        out += _thread(QUEUE, "queue", 1)
        for n, span in enumerate(sorted(builder.checkout_spans, key=lambda s: s.start), 1):
            common = {"cat": "checkout", "id": n, "pid": PID, "tid": QUEUE}
            name = f"checkout {_name(span.label).removeprefix('checkout ').split(':')[0]}"
            begin = {"name": name, "ph": "b", "ts": _us(span.start), **common}
            end = {"name": name, "ph": "e", "ts": _us(span.end), **common}
            out += [{**begin, "args": {"outcome": span.state, "detail": span.label}}, end]
        for mark in builder.queue.marks:
            out.append(_instant(mark, QUEUE))
        out += [
            {
                "name": "callers waiting",
                "ph": "C",
                "ts": _us(t),
                "pid": PID,
                "tid": QUEUE,
                "args": {"waiting": n},
            }
            for t, n in builder.waiting
        ]
    lanes = [*builder.workers.values(), *builder.experiments.values()]
    for order, lane in enumerate(lanes, start=2):
        tid = 10 + order
        out += _thread(tid, lane.title, order)
        for span in sorted(lane.spans, key=lambda s: s.start):
            out.append(_complete(span, tid, lane.kind))
        for span in lane.requests:
            out.append({**_complete(span, tid, "request"), "name": _name(span.label)})
        for mark in lane.marks:
            out.append(_instant(mark, tid))
    return {
        "traceEvents": out,
        "displayTimeUnit": "ms",
        "otherData": {
            "poolctl": title,
            "source": "events.jsonl",
            "events": len(events),
            **({"left_out": left_out} if left_out else {}),
        },
    }
