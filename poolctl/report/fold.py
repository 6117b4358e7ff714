"""Keeping a timeline drawable whatever the run's size: what cannot be told apart is folded.

A picture 1,200 columns wide cannot show 10,000 requests one by one. Each lane gets a share of
a fixed budget of spans and marks; past its share, runs of spans narrower than a column are
merged into one (with what they held: `412 busy, 85% of the time`), checkouts are counted per
stretch of time, marks of one kind per stretch, and the waiting count keeps its peaks. The
width doubles until the lane fits, so the picture's size is bounded, never the run's.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence

from poolctl.model import TimeMark, TimeSpan

COLUMNS = 1200  # the plot's width in pixels
SPAN_BUDGET = 1500  # spans over all lanes
MARK_BUDGET = 400  # marks over all lanes
MIN_SPANS = 40  # a lane's share never goes below these
MIN_MARKS = 20
WAITING_POINTS = 600
URGENT = ("failed", "timeout", "refused")  # a folded stretch holding one of these shows it


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def span_cap(lanes: int) -> int:
    """A lane's share of the span budget, when `lanes` share it."""
    return max(MIN_SPANS, SPAN_BUDGET // max(1, lanes))


def mark_cap(lanes: int) -> int:
    """A lane's share of the mark budget, when `lanes` share it."""
    return max(MIN_MARKS, MARK_BUDGET // max(1, lanes))


def _merge(group: Sequence[TimeSpan]) -> TimeSpan:
    """Consecutive spans as one: the state that held longest (or an urgent one it holds)."""
    time: dict[str, float] = defaultdict(float)
    count: Counter[str] = Counter()
    for s in group:
        time[s.state] += s.end - s.start
        count[s.state] += s.count
    start, end = group[0].start, max(s.end for s in group)
    urgent = [state for state in URGENT if state in count]
    state = urgent[0] if urgent else max(time, key=lambda k: time[k])
    total = max(end - start, 1e-9)
    parts = ", ".join(
        f"{state_} {n:,} ({time[state_] / total:.0%} of the time)"
        for state_, n in count.most_common()
    )
    label = f"{sum(count.values()):,} spans from {_ms(start)} to {_ms(end)}, folded: {parts}"
    return TimeSpan(start, end, state, label, sum(count.values()))


def _coalesce(spans: Sequence[TimeSpan], width: float) -> list[TimeSpan]:
    out: list[TimeSpan] = []
    group: list[TimeSpan] = []

    def flush() -> None:
        if group:
            out.append(group[0] if len(group) == 1 else _merge(group))
            group.clear()

    for span in spans:
        if span.end - span.start < width:
            group.append(span)
        else:
            flush()
            out.append(span)
    flush()
    return out


def fold_spans(spans: Sequence[TimeSpan], end: float, lanes: int) -> tuple[list[TimeSpan], int]:
    """A lane's spans within its share (`lanes` share the budget), and how many were folded."""
    ordered = sorted(spans, key=lambda s: s.start)
    cap = span_cap(lanes)
    if len(ordered) <= cap:
        return ordered, 0
    width = max(end, 1e-6) / COLUMNS
    while True:
        out = _coalesce(ordered, width)
        if len(out) <= cap:
            return out, len(ordered) - len(out)
        width *= 2


def _bins(starts: Sequence[float], end: float, cap: int) -> tuple[float, dict[int, list[int]]]:
    """The narrowest bin width (doubling from one column) that groups `starts` in `cap` bins."""
    width = max(end, 1e-6) / COLUMNS
    while True:
        bins: dict[int, list[int]] = defaultdict(list)
        for i, t in enumerate(starts):
            bins[int(t / width)].append(i)
        if len(bins) <= cap:
            return width, bins
        width *= 2


def fold_checkouts(spans: Sequence[TimeSpan], end: float, lanes: int) -> tuple[list[TimeSpan], int]:
    """Checkouts overlap: past the lane's share they are counted per stretch of time."""
    ordered = sorted(spans, key=lambda s: s.start)
    cap = span_cap(lanes)
    if len(ordered) <= cap:
        return ordered, 0
    width, bins = _bins([s.start for s in ordered], end, cap)
    out = []
    for b, members in sorted(bins.items()):
        group = [ordered[i] for i in members]
        states = Counter(s.state for s in group)
        urgent = [state for state in URGENT if state in states]
        waits = [s.end - s.start for s in group]
        told = ", ".join(f"{n:,} {state}" for state, n in states.most_common())
        label = (
            f"{len(group):,} checkouts requested from {_ms(b * width)} to "
            f"{_ms((b + 1) * width)}: {told}; longest wait {_ms(max(waits))}, "
            f"median {_ms(statistics.median(waits))}"
        )
        state = urgent[0] if urgent else states.most_common(1)[0][0]
        start = b * width
        out.append(TimeSpan(start, min(end, start + width), state, label, len(group)))
    return out, len(ordered) - len(out)


def fold_marks(
    marks: Sequence[TimeMark], end: float, lanes: int, keep: int | None = None
) -> tuple[list[TimeMark], int]:
    """Past the lane's share, marks of one kind are counted per stretch of time (the mark of
    event `keep`, the deciding one, stays on its own)."""
    cap = mark_cap(lanes)
    if len(marks) <= cap:
        return sorted(marks, key=lambda m: m.t), 0
    kept = [m for m in marks if keep is not None and m.seq == keep]
    rest = [m for m in marks if m not in kept]
    width = max(end, 1e-6) / COLUMNS
    while True:
        groups: dict[tuple[str, int], list[TimeMark]] = defaultdict(list)
        for m in rest:
            groups[(m.kind, int(m.t / width))].append(m)
        if len(groups) + len(kept) <= cap:
            break
        width *= 2
    out = list(kept)
    for (kind, _), group in groups.items():
        if len(group) == 1:
            out.append(group[0])
            continue
        first, last = group[0], group[-1]
        n = sum(m.count for m in group)
        label = f"{n:,} {kind} marks from {_ms(first.t)} to {_ms(last.t)}; the first: {first.label}"
        out.append(TimeMark(first.t, kind, label, first.seq, n))
    return sorted(out, key=lambda m: m.t), len(marks) - len(out)


def thin_waiting(points: Sequence[tuple[float, int]], end: float) -> tuple[tuple[float, int], ...]:
    """The waiting count where it changes, its peak per stretch where it changes too often."""
    if len(points) <= 2 * WAITING_POINTS:
        return tuple((round(t, 6), n) for t, n in points)
    width = max(end, 1e-6) / WAITING_POINTS
    peaks: dict[int, tuple[float, int]] = {}
    for t, n in points:
        b = int(t / width)
        if b not in peaks or n > peaks[b][1]:
            peaks[b] = (b * width, n)
    out = [peaks[b] for b in sorted(peaks)]
    out.append(points[-1])
    return tuple((round(t, 6), n) for t, n in out)
