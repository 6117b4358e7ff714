"""A run's replayed trace folded into a `Timeline`, bounded in size whatever the run's length,
with the pattern the run reproduced and the event that decided it (from the report).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

from poolctl.model import Diagnosis, Lane, Report, Timeline, TimeMark
from poolctl.report.fold import fold_checkouts, fold_marks, fold_spans, thin_waiting
from poolctl.report.replay import Event, Replay, ms

# what the decision of a failure can rest on, when its evidence cites no event
DECISIVE = frozenset(
    {
        "init_end",
        "no_response",
        "checkout_timeout",
        "worker_exit",
        "call_failed",
        "expectation_failed",
        "service_missing",
        "diagnosis",
        "shutdown_begun",
    }
)
CITED = re.compile(r"events\.jsonl #(\d+)")


# --- what the run reproduced, and the event that decided it -----------------------------------
def _pattern(report: Report | None, events: Sequence[Event]) -> tuple[str, str]:
    """`3 checkout-timeout-waiters — Checkout timed out…` and the likely cause."""
    if report is not None and report.diagnosed:
        seen: dict[str, str] = {}
        cause = ""
        for finding in report.diagnosed:
            d = finding.outcome
            assert isinstance(d, Diagnosis)
            seen.setdefault(d.pattern_id, f"{d.pattern_number} {d.pattern_id} — {d.title}")
            cause = cause or d.cause
        return "; ".join(seen.values()), cause
    verdict = next((e for e in reversed(events) if e.get("type") == "diagnosis"), None)
    if verdict is not None:
        pattern = verdict.get("pattern") or "port-no-response"
        named = f"{verdict.get('number', 1)} {pattern} — {verdict.get('title') or 'no answer'}"
        return named, str(verdict.get("verdict"))
    return "", ""


def _deciding_seq(report: Report | None, by_seq: Mapping[int, Event]) -> int | None:
    """The first event a diagnosis cites; else the first decisive one in its failure's lines;
    else (a ping, a doctor probe) the request that got no answer."""
    for finding in report.diagnosed if report is not None else ():
        d = finding.outcome
        assert isinstance(d, Diagnosis)
        for ev in d.evidence:
            cited = CITED.match(ev.origin)
            if cited and int(cited.group(1)) in by_seq:
                return int(cited.group(1))
        f = finding.failure
        if f.input_file.endswith("events.jsonl") and f.line_start:
            lines = range(f.line_start, max(f.line_end, f.line_start) + 1)
            decisive = [n for n in lines if by_seq.get(n, {}).get("type") in DECISIVE]
            if decisive or f.line_start in by_seq:
                return decisive[0] if decisive else f.line_start
    # a ping or a doctor probe: the request nothing answered (the verdict, if it came to none)
    for kind in ("no_response", "diagnosis"):
        found = [seq for seq, e in by_seq.items() if e.get("type") == kind]
        if found:
            return found[0]
    return None


def describe(event: Event) -> str:
    """An event as one line: `#14 checkout_timeout at 508 ms: caller=s1c0, waited=0.507…`."""
    skip = {"seq", "t", "type"}
    shown = ", ".join(
        f"{k}={v}" for k, v in event.items() if k not in skip and v not in (None, [], {}, "")
    )
    return f"#{event.get('seq')} {event.get('type')} at {ms(float(event['t']))}: {shown}"


def _deciding_mark(lanes: list[Lane], event: Event) -> tuple[list[Lane], TimeMark]:
    """The deciding event's own mark; a mark added on its lane when none shows it."""
    seq = int(event.get("seq", 0))
    for lane in lanes:
        for mark in lane.marks:
            if mark.seq == seq and mark.count == 1:
                return lanes, mark
    mark = TimeMark(float(event["t"]), "decided", describe(event), seq)
    target = str(event.get("worker") or ("queue" if event.get("caller") else "steps"))
    ids = [lane.id for lane in lanes]
    index = ids.index(target) if target in ids else 0
    if not lanes:
        return [Lane("steps", "steps", "steps", marks=(mark,))], mark
    lane = lanes[index]
    lanes[index] = Lane(
        lane.id, lane.kind, lane.title, lane.spans, (*lane.marks, mark), lane.folded
    )
    return lanes, mark


def build_timeline(events: Sequence[Event], report: Report | None = None) -> Timeline:
    """The lanes of the run `events` trace (`report` names the pattern and the deciding event),
    bounded in size: spans, checkouts and marks fold where they are too dense to draw apart."""
    builder = Replay()
    builder.replay(events)
    end = builder.end or 0.001
    workers = list(builder.workers.values())
    drafts = [builder.steps, builder.queue, *workers, *builder.experiments.values()]
    drafts = [
        d for d in drafts if d.spans or d.marks or (d is builder.queue and builder.checkout_spans)
    ]
    by_seq = {int(e.get("seq", 0)): e for e in events}
    deciding_seq = _deciding_seq(report, by_seq)
    notes: list[str] = []
    lanes: list[Lane] = []
    share = max(1, len(drafts))
    for draft in drafts:
        spans = draft.spans if draft is not builder.queue else builder.checkout_spans
        if draft is builder.queue:
            kept, folded = fold_checkouts(spans, end, share)
        else:
            kept, folded = fold_spans(spans, end, share)
        marks, marks_folded = fold_marks(draft.marks, end, share, keep=deciding_seq)
        if folded:
            notes.append(f"{draft.id}: {len(spans):,} spans drawn as {len(kept):,} (dense)")
        if marks_folded:
            notes.append(f"{draft.id}: {len(draft.marks):,} marks drawn as {len(marks):,} (dense)")
        lanes.append(
            Lane(draft.id, draft.kind, draft.title, tuple(kept), tuple(marks), folded)  # type: ignore[arg-type]
        )
    checkouts = len(builder.checkout_spans)
    lanes = [
        dataclasses.replace(lane, title=f"queue · {checkouts:,} checkouts")
        if lane.kind == "queue"
        else lane
        for lane in lanes
    ]
    deciding = None
    if deciding_seq is not None and deciding_seq in by_seq:
        lanes, deciding = _deciding_mark(lanes, by_seq[deciding_seq])
    pattern, verdict = _pattern(report, events)
    return Timeline(
        end=round(end, 6),
        lanes=tuple(lanes),
        waiting=thin_waiting(builder.waiting, end),
        pattern=pattern,
        verdict=verdict,
        deciding=deciding,
        events=len(events),
        notes=tuple(notes),
    )
