"""A `Timeline` as a Mermaid `gantt` chart, which GitHub renders in Markdown (job summaries,
comments): a section per lane with its states, and the marks that matter as milestones.

GitHub refuses a diagram over 50,000 characters, and a gantt of hundreds of tasks is
unreadable anyway: the chart keeps the tasks that tell the story (failures, timeouts, deaths,
the deciding event first) up to `MAX_TASKS`, and says what it left out.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from poolctl.model import Lane, Timeline, TimeMark, TimeSpan

MAX_TASKS = 60
MAX_CHARS = 10_000  # far under GitHub's 50,000: a job summary holds more than the chart
# span state → gantt tag (done: grey, active: light, crit: red); idle is left as a gap
TAGS = {
    "starting": "done",
    "stopping": "done",
    "init": "active",
    "diagnosing": "active",
    "experiment": "active",
    "busy": "",
    "answered": "",
    "step": "",
    "granted": "",
    "failed": "crit",
    "silent": "crit",
    "timeout": "crit",
    "refused": "crit",
    "waiting": "active",
    "fault-step": "crit",
}
URGENT_MARKS = frozenset(
    {
        "timeout",
        "refused",
        "death",
        "fault",
        "stop",
        "init-failed",
        "no-answer",
        "error",
        "expectation",
        "aborted",
        "missing",
        "verdict",
        "decided",
    }
)


@dataclass(frozen=True)
class _Task:
    section: int
    start_ms: int
    line: str
    rank: int  # lower is kept first
    order: int = 0  # as the lane has it (ties on `start_ms` keep it)


def _text(value: str, limit: int = 60) -> str:
    """A task or section name Mermaid reads as plain text (no `:`, `;`, `#`, no newline)."""
    value = re.sub(r"[:;#%`\"\n\r]+", " ", value)
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _when(seconds: float) -> int:
    return round(seconds * 1000)


def _span_task(section: int, lane: Lane, span: TimeSpan) -> _Task | None:
    tag = TAGS.get(span.state)
    if tag is None:
        return None  # idle: the gap between tasks says it
    start = _when(span.start)
    end = max(start + 1, _when(span.end))
    name = span.state if span.count == 1 else f"{span.state} ×{span.count:,}"
    if lane.kind == "queue" and span.count == 1:
        name = span.label.split(":")[0].removeprefix("checkout ").split(" (")[0] + f" {span.state}"
    elif lane.kind == "steps":
        name = span.label.split(" (")[0]
    tags = f"{tag}, " if tag else ""
    rank = 1 if tag == "crit" else (3 if span.state in ("starting", "stopping", "granted") else 2)
    return _Task(section, start, f"    {_text(name)} :{tags}{start}, {end}", rank)


def _milestone(section: int, at: int, what: str, rank: int) -> _Task:
    return _Task(section, at, f"    {_text(what)} :milestone, crit, {at}, {at}", rank)


def _mark_tasks(section: int, marks: Sequence[TimeMark], deciding: TimeMark | None) -> list[_Task]:
    """Milestones for the marks that matter; those of one kind at one millisecond as one."""
    counts: Counter[tuple[str, int]] = Counter()
    for mark in marks:
        if deciding is not None and mark.seq == deciding.seq and mark.kind == deciding.kind:
            continue
        if mark.kind in URGENT_MARKS:
            counts[(mark.kind, _when(mark.t))] += mark.count
    tasks = [
        _milestone(section, at, kind if n == 1 else f"{kind} ×{n:,}", 1)
        for (kind, at), n in counts.items()
    ]
    if deciding is not None and deciding in marks:
        what = f"deciding {deciding.kind} #{deciding.seq}"
        tasks.append(_milestone(section, _when(deciding.t), what, 0))
    return tasks


def gantt(timeline: Timeline, title: str) -> tuple[str, int]:
    """The chart's Mermaid source, and how many tasks it left out (0: none)."""
    sections = [f"section {_text(lane.title, 40)}" for lane in timeline.lanes]
    tasks: list[_Task] = []
    deciding = timeline.deciding
    for i, lane in enumerate(timeline.lanes):
        for span in lane.spans:
            task = _span_task(i, lane, span)
            if task is not None:
                tasks.append(task)
        tasks += _mark_tasks(i, lane.marks, deciding)
    tasks = [dataclasses.replace(t, order=n) for n, t in enumerate(tasks)]
    ranked = sorted(tasks, key=lambda t: (t.rank, t.start_ms))
    kept = ranked[:MAX_TASKS]
    while kept and sum(len(t.line) + 1 for t in kept) > MAX_CHARS:
        kept.pop()
    axis = "%S.%L s" if timeline.end < 60 else "%M:%S"
    lines = [
        "gantt",
        f"    title {_text(title, 90)}",
        "    dateFormat x",
        f"    axisFormat {axis}",
    ]
    for i, section in enumerate(sections):
        own = sorted((t for t in kept if t.section == i), key=lambda t: (t.start_ms, t.order))
        if own:
            lines.append(f"    {section}")
            lines.extend(t.line for t in own)
    return "\n".join(lines), len(tasks) - len(kept)
