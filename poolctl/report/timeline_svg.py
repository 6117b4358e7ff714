"""A `Timeline` drawn as inline SVG: a lane per worker, the queue, the steps, the experiments.

Spans are rectangles coloured by state, marks are symbols, both with a `<title>` (the hover
text: worker, pid, request id, bytes, caller); the pool stopping and the deciding event are
lines across every lane, the deciding mark is ringed. Lanes, spans and marks carry
`data-lane`, `data-seq` and `data-count` so that a test (or a reader's devtools) finds them.
Sized for a 1,400-pixel-wide page. Pure text: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from poolctl.model import Lane, Timeline, TimeMark, TimeSpan
from poolctl.termtext import html_escape as escape

WIDTH = 1360
LABEL_W = 190  # lane titles
RIGHT = 24
TOP = 30  # the axis labels
HEIGHTS = {"steps": 24, "worker": 26, "experiment": 22}
WAITING_H = 40  # the queue's waiting-count chart
ROW_H = 7  # one row of checkouts
MAX_ROWS = 10
GAP = 6

# state → colour, for spans and the legend
STATES = {
    "starting": ("#b0bec5", "starting"),
    "init": ("#ffd54f", "init ping"),
    "idle": ("#c8e6c9", "idle"),
    "busy": ("#1e88e5", "busy with a request"),
    "failed": ("#e53935", "waiting: no answer came"),
    "diagnosing": ("#ce93d8", "being diagnosed"),
    "stopping": ("#9e9e9e", "stopping"),
    "experiment": ("#90caf9", "experiment running"),
    "answered": ("#81c784", "experiment answered"),
    "silent": ("#ef9a9a", "experiment: no answer"),
    "step": ("#eceff1", "scenario step"),
    "fault-step": ("#ffb74d", "fault step"),
    "granted": ("#66bb6a", "checkout granted"),
    "timeout": ("#e53935", "checkout timed out"),
    "refused": ("#fb8c00", "checkout refused (pool stopping)"),
    "waiting": ("#bdbdbd", "checkout still waiting"),
}
# mark kind → (colour, shape, legend)
MARKS = {
    "timeout": ("#c62828", "diamond", "checkout timeout"),
    "refused": ("#ef6c00", "diamond", "checkout refused"),
    "death": ("#212121", "cross", "worker died"),
    "fault": ("#ff6f00", "bolt", "fault injected (kill)"),
    "stop": ("#37474f", "square", "pool stop (dashed across the lanes)"),
    "stopped": ("#757575", "square", "worker stopped"),
    "replaced": ("#00897b", "arrow", "replaced by a new worker"),
    "init-failed": ("#c62828", "triangle", "init failed"),
    "no-answer": ("#c62828", "triangle", "no answer"),
    "error": ("#c62828", "circle", "error response"),
    "expectation": ("#ad1457", "circle", "expectation failed"),
    "aborted": ("#ef6c00", "triangle", "request aborted"),
    "missing": ("#c62828", "cross", "service missing"),
    "verdict": ("#6a1b9a", "star", "diagnosis verdict"),
    "spawn": ("#2e7d32", "tick", "spawned"),
    "request": ("#1565c0", "arrow", "request written"),
    "late-answer": ("#2e7d32", "circle", "answered late"),
    "answered": ("#2e7d32", "circle", "answered"),
    "service": ("#00897b", "tick", "service started"),
    "decided": ("#6a1b9a", "circle", "deciding event"),
}
SHAPES = {
    "diamond": "M0,-6 L6,0 L0,6 L-6,0 Z",
    "cross": "M-5,-5 L5,5 M5,-5 L-5,5",
    "bolt": "M-2,-7 L4,-1 L0,-1 L2,7 L-4,1 L0,1 Z",
    "square": "M-4,-4 H4 V4 H-4 Z",
    "arrow": "M-5,-4 L4,0 L-5,4 Z",
    "triangle": "M0,-6 L6,5 L-6,5 Z",
    "circle": "M-4,0 A4,4 0 1,0 4,0 A4,4 0 1,0 -4,0 Z",
    "star": "M0,-7 L2,-2 L7,-2 L3,1 L5,7 L0,3 L-5,7 L-3,1 L-7,-2 L-2,-2 Z",
    "tick": "M0,-7 V7",
}
STROKED = frozenset({"cross", "tick"})
INKED = frozenset({"init", "failed", "diagnosing"})  # worker states with their story written on
DARK = frozenset({"busy", "failed", "timeout"})  # white text on these

CSS = (
    "svg.timeline{font:11px system-ui,sans-serif;max-width:100%;height:auto}"
    ".timeline .lane-bg{fill:#fafafa}.timeline .lane-bg.odd{fill:#f3f5f7}"
    ".timeline .lane-title{fill:#263238;font-weight:600}"
    ".timeline .axis text{fill:#546e7a}.timeline .grid{stroke:#e0e0e0}"
    ".timeline .span{stroke:#fff;stroke-width:.4}.timeline .span.folded{stroke:#263238;"
    "stroke-dasharray:2 1}.timeline .waiting{fill:#ffccbc;stroke:#e64a19}"
    ".timeline .guide{stroke-width:1.2}.timeline .guide.stop{stroke:#37474f;"
    "stroke-dasharray:6 3}.timeline .guide.deciding{stroke:#6a1b9a;stroke-dasharray:3 2}"
    ".timeline .mark.deciding .halo{fill:#fff59d;stroke:#6a1b9a;stroke-width:2}"
    ".timeline .count{font-size:9px;fill:#263238}"
    ".timeline .span-text{fill:#102027;font-size:10px;pointer-events:none}"
    ".timeline .span-text.on-dark{fill:#fff}"
    + "".join(f".timeline .s-{k}{{fill:{c}}}" for k, (c, _) in STATES.items())
    + "".join(f".sw.s-{k}{{background:{c}}}" for k, (c, _) in STATES.items())
)


def _lane_height(lane: Lane, rows: int) -> int:
    if lane.kind == "queue":
        return WAITING_H + max(1, rows) * ROW_H + 8
    return HEIGHTS.get(lane.kind, 24)


def _rows(spans: Sequence[TimeSpan]) -> list[int]:
    """A row for each checkout, the lowest free one (folded checkouts share one row)."""
    if any(s.count > 1 for s in spans):
        return [0] * len(spans)
    ends: list[float] = []
    rows = []
    for s in spans:
        row = next((i for i, end in enumerate(ends) if end <= s.start), len(ends))
        if row >= MAX_ROWS:
            row = min(range(MAX_ROWS), key=lambda i: ends[i])
        if row == len(ends):
            ends.append(s.end)
        else:
            ends[row] = max(ends[row], s.end)
        rows.append(row)
    return rows


def nice_step(end_ms: float, ticks: int = 10) -> float:
    """1, 2 or 5 times a power of ten, giving at most `ticks` ticks over `end_ms`."""
    raw = max(end_ms, 1e-3) / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


class _Canvas:
    """Draws in layers: lane backgrounds, the axis and its grid, the lanes' spans, the lines
    across every lane, then the marks on top."""

    LAYERS = ("bg", "axis", "lanes", "guides", "marks", "deciding")

    def __init__(self, timeline: Timeline, width: int) -> None:
        self.tl = timeline
        self.width = width
        self.plot_w = width - LABEL_W - RIGHT
        self.end = max(timeline.end, 1e-6)
        self.layers: dict[str, list[str]] = {name: [] for name in self.LAYERS}

    def x(self, t: float) -> float:
        return round(LABEL_W + max(0.0, min(t, self.end)) / self.end * self.plot_w, 2)

    def axis(self, height: int) -> None:
        out = self.layers["axis"]
        step = nice_step(self.end * 1000)
        out.append('<g class="axis">')
        for i in range(int(self.end * 1000 / step) + 1):
            t_ms = i * step
            x = self.x(t_ms / 1000)
            label = f"{t_ms:,.0f} ms" if step >= 1 else f"{t_ms:,.2f} ms"
            out.append(f'<line class="grid" x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{height}"/>')
            out.append(f'<text x="{x}" y="{TOP - 10}" text-anchor="middle">{label}</text>')
        out.append("</g>")

    def span(self, s: TimeSpan, y: float, h: float) -> None:
        x0, x1 = self.x(s.start), self.x(s.end)
        folded = " folded" if s.count > 1 else ""
        count = f' data-count="{s.count}"' if s.count > 1 else ""
        self.layers["lanes"].append(
            f'<rect class="span s-{escape(s.state)}{folded}" x="{x0}" y="{round(y, 2)}" '
            f'width="{max(1.0, round(x1 - x0, 2))}" height="{round(h, 2)}"{count}>'
            f"<title>{escape(s.label)}</title></rect>"
        )

    def span_text(self, lane: Lane, s: TimeSpan, y: float) -> None:
        """What a wide span is, written on it: a step's kind, an experiment's outcome, why a
        worker's request failed."""
        width = self.x(s.end) - self.x(s.start)
        if width < 90 or s.count > 1 or (lane.kind == "worker" and s.state not in INKED):
            return
        parts = s.label.split(" · ")
        text = parts[-1] if len(parts) > 1 and lane.kind != "steps" else parts[0].split(" (")[0]
        room = int((width - 6) / 6.2)
        if len(text) > room:
            text = text[: max(1, room - 1)] + "…"
        dark = " on-dark" if s.state in DARK else ""
        self.layers["lanes"].append(
            f'<text class="span-text{dark}" x="{self.x(s.start) + 4}" y="{round(y, 2)}">'
            f"{escape(text)}</text>"
        )

    def mark(self, lane: Lane, m: TimeMark, y: float) -> None:
        colour, shape, _ = MARKS.get(m.kind, MARKS["decided"])
        d = self.tl.deciding
        deciding = d is not None and m.seq == d.seq and m.count == 1 and m.kind == d.kind
        cls, ident = (" deciding", f' id="ev-{m.seq}"') if deciding else ("", "")
        paint = (
            f'stroke="{colour}" stroke-width="2" fill="none"'
            if shape in STROKED
            else f'fill="{colour}" stroke="#fff" stroke-width=".6"'
        )
        out = self.layers["deciding" if deciding else "marks"]  # the deciding one on top
        out.append(
            f'<g class="mark m-{escape(m.kind)}{cls}"{ident} data-lane="{escape(lane.id)}" '
            f'data-seq="{m.seq}" data-count="{m.count}" '
            f'transform="translate({self.x(m.t)},{round(y, 2)})">'
        )
        if deciding:
            out.append('<circle class="halo" r="10"/>')
        out.append(f'<path d="{SHAPES[shape]}" {paint}/>')
        if m.count > 1:
            out.append(f'<text class="count" x="7" y="-4">×{m.count:,}</text>')
        out.append(f"<title>{escape(m.label)}</title></g>")

    def lane(self, lane: Lane, y: float, index: int) -> float:
        rows = _rows(lane.spans) if lane.kind == "queue" else []
        h = _lane_height(lane, max(rows, default=0) + 1)
        odd = " odd" if index % 2 else ""
        self.layers["bg"].append(
            f'<rect class="lane-bg{odd}" x="0" y="{y}" width="{self.width}" height="{h}"/>'
        )
        out = self.layers["lanes"]
        out.append(f'<g class="lane {lane.kind}" data-lane="{escape(lane.id)}">')
        title = lane.title if len(lane.title) <= 32 else lane.title[:31] + "…"
        out.append(
            f'<text class="lane-title" x="6" y="{y + min(h, 26) / 2 + 4}">{escape(title)}'
            f"<title>{escape(lane.title)}</title></text>"
        )
        if lane.kind == "queue":
            self.queue(lane, y, rows)
        else:
            for s in lane.spans:
                self.span(s, y + 4, h - 8)
                self.span_text(lane, s, y + h / 2 + 3.5)
        out.append("</g>")
        mark_y = y + (WAITING_H / 2 if lane.kind == "queue" else h / 2)
        room = (WAITING_H if lane.kind == "queue" else h) / 2 - 5
        for m, dy in zip(lane.marks, self.dodge(lane.marks, room), strict=True):
            self.mark(lane, m, mark_y + dy)
        return y + h + GAP

    def dodge(self, marks: Sequence[TimeMark], room: float) -> list[float]:
        """Vertical offsets that keep marks at the same moment from hiding each other."""
        steps = [0.0] + [d * k for k in range(1, 4) for d in (-7.0, 7.0) if 7 * k <= room]
        offsets: list[float] = []
        cluster_x, used = -1e9, 0
        for m in marks:
            x = self.x(m.t)
            if x - cluster_x > 9:
                cluster_x, used = x, 0
            else:
                used += 1
            offsets.append(steps[used % len(steps)])
        return offsets

    def queue(self, lane: Lane, y: float, rows: list[int]) -> None:
        out = self.layers["lanes"]
        points = self.tl.waiting
        peak = max((n for _, n in points), default=0)
        if points and peak:
            base = y + WAITING_H - 4
            scale = (WAITING_H - 10) / peak
            d = [f"M{self.x(points[0][0])},{base}"]
            for t, n in points:
                d.append(f"H{self.x(t)}V{round(base - n * scale, 2)}")
            d.append(f"H{self.x(self.end)}V{base}Z")
            out.append(
                f'<path class="waiting" d="{"".join(d)}">'
                f"<title>callers waiting for a worker (at most {peak:,})</title></path>"
            )
            out.append(  # under the lane's title, which may run as far as LABEL_W
                f'<text class="count" x="6" y="{y + 32}">up to {peak:,} waiting</text>'
            )
        top = y + WAITING_H
        folded = any(s.count > 1 for s in lane.spans)
        biggest = max((s.count for s in lane.spans), default=1)
        for s, row in zip(lane.spans, rows, strict=True):
            if folded:  # a histogram: checkouts per stretch of time
                h = max(1.0, ROW_H * 3 * s.count / biggest)
                self.span(s, top + ROW_H * 3 - h, h)
            else:
                self.span(s, top + row * ROW_H, ROW_H - 1)

    def guides(self, height: float) -> None:
        out = self.layers["guides"]
        stops = {m.t for lane in self.tl.lanes for m in lane.marks if m.kind == "stop"}
        for t in sorted(stops):
            x = self.x(t)
            out.append(f'<line class="guide stop" x1="{x}" y1="{TOP}" x2="{x}" y2="{height}"/>')
        if self.tl.deciding is not None:
            x = self.x(self.tl.deciding.t)
            out.append(f'<line class="guide deciding" x1="{x}" y1="{TOP}" x2="{x}" y2="{height}"/>')


def timeline_svg(timeline: Timeline, width: int = WIDTH) -> str:
    """The timeline as one `<svg>` element (its CSS is `CSS`, to put in the page's style)."""
    canvas = _Canvas(timeline, width)
    y: float = TOP
    for index, lane in enumerate(timeline.lanes):
        y = canvas.lane(lane, y, index)
    height = int(y + 4)
    canvas.axis(height)
    canvas.guides(height)
    layers = "".join(
        f'<g class="layer-{name}">{"".join(canvas.layers[name])}</g>' for name in canvas.LAYERS
    )
    return (
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="timeline of the run">{layers}</svg>'
    )


def legend_html(timeline: Timeline) -> str:
    """The states and marks the picture uses, each with its swatch or symbol."""
    states = {s.state for lane in timeline.lanes for s in lane.spans}
    kinds = {m.kind for lane in timeline.lanes for m in lane.marks}
    items = [
        f'<li><span class="sw s-{k}"></span>{escape(text)}</li>'
        for k, (_, text) in STATES.items()
        if k in states
    ]
    if timeline.waiting:
        items.append('<li><span class="sw" style="background:#ffccbc"></span>callers waiting</li>')
    for kind, (colour, shape, text) in MARKS.items():
        if kind not in kinds:
            continue
        paint = (
            f'stroke="{colour}" stroke-width="2" fill="none"'
            if shape in STROKED
            else f'fill="{colour}"'
        )
        items.append(
            f'<li><svg width="16" height="16" viewBox="-8 -8 16 16">'
            f'<path d="{SHAPES[shape]}" {paint}/></svg>{escape(text)}</li>'
        )
    if timeline.deciding is not None:
        items.append('<li><span class="sw line deciding"></span>the deciding event</li>')
    return '<ul class="legend">' + "".join(items) + "</ul>"
