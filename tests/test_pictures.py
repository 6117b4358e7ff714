"""The pictures of a run, drawn from its real trace (tests/fixtures/traces/): the timeline's
lanes, marks and deciding event, its folding at 16 workers and 10,000 requests, the HTML, the
Chrome trace events and the Mermaid chart. No process is started here (tests/test_browser.py
runs the scenarios and looks at the pages in Chromium).
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from poolctl.model import PingDetails, Report, ScenarioDetails, Timeline
from poolctl.report import Format, HtmlWriter, MarkdownWriter, publish, render
from poolctl.report.chrome_trace import chrome_trace
from poolctl.report.fold import MARK_BUDGET, SPAN_BUDGET
from poolctl.report.html import CSP, timeline_page
from poolctl.report.load import from_dict, load_report
from poolctl.report.mermaid import MAX_CHARS, MAX_TASKS, gantt
from poolctl.report.pictures import picture_files, pictured
from poolctl.report.publish import save
from poolctl.report.replay import Replay, read_events
from poolctl.report.timeline import build_timeline
from poolctl.report.timeline_svg import timeline_svg
from poolctl.rundir import RunDir, create_run_dir
from tests.test_report_formats import valid_json

TRACES = Path(__file__).parent / "fixtures" / "traces"
VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "source", "wbr"}
SVG_SELF_CLOSING = re.compile(r"<(rect|line|path|circle)\b[^>]*/>")


def trace(name: str) -> tuple[list[dict[str, Any]], Report]:
    folder = TRACES / name
    return read_events((folder / "events.jsonl").read_text()), load_report(folder)


def timeline(name: str) -> Timeline:
    events, report = trace(name)
    return build_timeline(events, report)


class _Checker(HTMLParser):
    """Balanced tags, and every URL the page names."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.urls: list[str] = []
        self.elements = 0
        self.csp = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "poster", "data") and value:
                self.urls.append(value)
            if name == "content" and ("http-equiv", "Content-Security-Policy") in attrs:
                self.csp = value or ""
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def valid_html(text: str) -> _Checker:
    """Raises unless `text` is one self-contained page: balanced tags, the policy that forbids
    every request, and no URL but in-page anchors."""
    assert text.startswith("<!doctype html>")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    assert checker.csp == CSP and "default-src 'none'" in checker.csp
    assert all(u.startswith("#") for u in checker.urls), checker.urls
    assert "<script" not in text and "@import" not in text and "url(" not in text
    return checker


# --- the timeline of a real run --------------------------------------------------------------
def test_p3_lanes_queue_timeouts_and_the_deciding_event() -> None:
    events, _ = trace("p3-checkout-timeout")
    tl = timeline("p3-checkout-timeout")
    assert [lane.id for lane in tl.lanes] == ["steps", "queue", "w1", "w2"]
    queue = tl.lanes[1]
    assert queue.title == "queue · 6 checkouts"
    assert [s.state for s in queue.spans] == ["timeout"] * 6
    timeouts = [e["seq"] for e in events if e["type"] == "checkout_timeout"]
    assert [m.seq for m in queue.marks if m.kind == "timeout"] == timeouts
    assert max(n for _, n in tl.waiting) == 6
    assert tl.pattern.startswith("3 checkout-timeout-waiters — ")
    assert tl.deciding is not None and tl.deciding.seq == timeouts[0] == 14
    assert "waited" in tl.deciding.label and "starting 2" in tl.deciding.label
    for worker in tl.lanes[2:]:  # lazy workers still in their init ping when callers gave up
        assert [s.state for s in worker.spans] == ["starting", "init", "stopping"]
        assert "pid" in worker.title and worker.marks[-1].kind == "stopped"
    assert [m.kind for m in tl.lanes[0].marks] == ["stop"]


def test_a_killed_worker_dies_and_is_replaced() -> None:
    tl = timeline("p1-worker-killed")
    lanes = {lane.id: lane for lane in tl.lanes}
    kinds = [m.kind for m in lanes["w1"].marks]
    assert kinds.index("fault") < kinds.index("death") < kinds.index("replaced")
    assert "replaces w1" in lanes["w3"].title
    assert [m.kind for m in lanes["steps"].marks].count("fault") == 1
    busy = [s for s in lanes["w2"].spans if s.state == "busy"]
    # the hover says it all: worker, pid, caller, request id, bytes written and read
    assert busy and "request" in busy[0].label and " B out, " in busy[0].label
    assert busy[0].label.startswith("w2 (pid ") and " busy for s2c" in busy[0].label
    assert tl.deciding is not None and tl.deciding.kind == "no-answer"


def test_a_pool_stopped_mid_checkout_refuses_the_waiters() -> None:
    tl = timeline("p2-shutdown-during-checkout")
    lanes = {lane.id: lane for lane in tl.lanes}
    assert [s.state for s in lanes["queue"].spans].count("refused") == 4
    assert [m.kind for m in lanes["queue"].marks] == ["refused"] * 4
    assert all("aborted" in [m.kind for m in lanes[w].marks] for w in ("w1", "w2"))
    assert tl.deciding is not None and tl.deciding.kind == "stop"


def test_a_diagnosis_in_a_scenario_draws_its_experiment() -> None:
    events, _ = trace("p1-merged-stderr")
    tl = timeline("p1-merged-stderr")
    experiments = [lane for lane in tl.lanes if lane.kind == "experiment"]
    assert [lane.id for lane in experiments] == ["w1-exp-stderr-apart"]
    end = next(e for e in events if e["type"] == "experiment_end")
    (span,) = experiments[0].spans
    assert span.state == ("answered" if end["answered"] else "silent")
    assert end["detail"] in span.label and "with stderr kept apart" in span.label
    w1 = next(lane for lane in tl.lanes if lane.id == "w1")
    assert "diagnosing" in [s.state for s in w1.spans] and "verdict" in [m.kind for m in w1.marks]


def test_a_silent_worker_pinged() -> None:
    """Spawn, request written, nothing read, the experiments side by side, the verdict."""
    tl = timeline("ping-buffered")
    w1, *experiments = tl.lanes
    assert w1.id == "w1" and [lane.kind for lane in experiments] == ["experiment"] * 3
    kinds = [m.kind for m in w1.marks]
    assert kinds[:3] == ["spawn", "request", "no-answer"] and "verdict" in kinds
    silent = next(m for m in w1.marks if m.kind == "no-answer")
    assert "81 B written, read 0 B" in silent.label and "w1 (pid " in silent.label
    failed = next(s for s in w1.spans if s.state == "failed")
    assert "81 B out, 0 B in" in failed.label and w1.spans[0].state == "starting"
    starts = [lane.spans[0].start for lane in experiments]
    assert max(starts) - min(starts) < 0.5  # side by side
    assert tl.pattern.startswith("1 port-no-response") and "block-buffered" in tl.verdict
    assert tl.deciding is not None and tl.deciding.seq == silent.seq


# --- 16 workers and 10,000 requests ----------------------------------------------------------
def busy_pool(workers: int = 16, requests: int = 10_000, seed: int = 7) -> list[dict[str, Any]]:
    """A trace in the pool's vocabulary (what `poolctl.pool` emits, event for event) of
    `workers` eager workers serving `requests` checkouts, some timing out, one worker killed
    and replaced halfway: the size the picture must stay usable at."""
    rnd = random.Random(seed)
    events: list[dict[str, Any]] = []

    def emit(t: float, type_: str, **data: Any) -> None:
        events.append({"seq": 0, "t": round(t, 6), "type": type_, **data})

    emit(0.0, "scenario_start", name="scale")
    emit(0.0, "pool_start", size=workers, max_overflow=0, lazy=False)
    free = {}
    for w in range(1, workers + 1):
        emit(0.01 * w, "spawn", worker=f"w{w}", pid=1000 + w, overflow=False)
        emit(0.01 * w, "init_start", worker=f"w{w}", timeout=5.0)
        emit(0.3 + 0.01 * w, "init_end", worker=f"w{w}", ok=True, seconds=0.3, reported={})
        free[f"w{w}"] = 0.3 + 0.01 * w
    emit(0.5, "step_start", step=1, kind="request")
    t = 0.5
    for i in range(requests):
        caller = f"c{i}"
        t += rnd.uniform(0.0002, 0.0006)
        emit(t, "checkout_requested", caller=caller)
        if i % 97 == 5:  # now and then, nobody is free in time
            emit(t + 0.5, "checkout_timeout", caller=caller, waited=0.5, timeout=0.5, waiting=3)
            emit(t + 0.5, "call_failed", caller=caller, step=1, error_type="CheckoutTimedOut")
            continue
        worker = min(free, key=free.__getitem__)
        start = max(t, free[worker])
        end = start + rnd.uniform(0.002, 0.01)
        emit(start, "checkout_granted", worker=worker, caller=caller, wait=start - t)
        emit(start, "request", worker=worker, caller=caller, id=i, command="echo")
        emit(end, "response", worker=worker, caller=caller, id=i, success=True, seconds=end - start)
        emit(end, "checkin", worker=worker, caller=caller)
        free[worker] = end
        if i == requests // 2:  # w3 killed once its last request is done; w17 replaces it
            gone = free.pop("w3") + 0.0001
            emit(gone, "kill", worker="w3", signal="SIGKILL")
            emit(gone + 0.001, "worker_exit", worker="w3", exit="killed by SIGKILL (9)")
            emit(gone + 0.002, "spawn", worker=f"w{workers + 1}", pid=2000, overflow=False)
            emit(gone + 0.002, "replace", worker=f"w{workers + 1}")
            free[f"w{workers + 1}"] = gone + 0.3
    last = max(e["t"] for e in events)
    emit(last, "step_end", step=1, kind="request")
    emit(last, "shutdown_begun", mode="drain", waiting=0, in_flight=0)
    live = sorted(free)
    exits = {w: "exited with code 0" for w in live}
    emit(last + 0.1, "shutdown_done", mode="drain", stopped=live, exits=exits)
    events.sort(key=lambda e: e["t"])  # stable: each worker's events keep their order
    for n, e in enumerate(events, 1):
        e["seq"] = n
    return events


@pytest.fixture(scope="module")
def big() -> tuple[list[dict[str, Any]], Timeline]:
    events = busy_pool()
    return events, build_timeline(events)


def test_a_dense_run_is_folded_within_the_budget_and_loses_nothing(
    big: tuple[list[dict[str, Any]], Timeline],
) -> None:
    events, tl = big
    spans = sum(len(lane.spans) for lane in tl.lanes)
    marks = sum(len(lane.marks) for lane in tl.lanes)
    assert spans <= SPAN_BUDGET and marks <= MARK_BUDGET + len(tl.lanes)
    replay = Replay()
    replay.replay(events)
    for lane in tl.lanes:  # a folded span counts what it holds: every span is accounted for
        raw = (
            replay.checkout_spans
            if lane.kind == "queue"
            else replay.workers.get(lane.id, replay.steps).spans
        )
        assert sum(s.count for s in lane.spans) == len(raw), lane.id
    assert tl.lanes[1].title == "queue · 10,000 checkouts"
    assert any(lane.folded for lane in tl.lanes) and tl.notes
    timeouts = sum(1 for e in events if e["type"] == "checkout_timeout")
    shown = sum(m.count for lane in tl.lanes for m in lane.marks if m.kind == "timeout")
    assert shown == timeouts == len(range(5, 10_000, 97))
    assert any(m.count > 1 for m in tl.lanes[1].marks)  # folded, and counted


def test_a_dense_run_keeps_the_dom_small(big: tuple[list[dict[str, Any]], Timeline]) -> None:
    events, tl = big
    report = Report(
        kind="scenario", title="scenario scale", details=ScenarioDetails("scale", timeline=tl)
    )
    page = valid_html(timeline_page(report))
    assert page.elements < 5000, page.elements  # 50,000 events, never a node each
    assert len(events) > 45_000


# --- HTML --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(p.name for p in TRACES.iterdir()))
def test_every_trace_gives_a_self_contained_timeline_page(name: str) -> None:
    events, report = trace(name)
    shown = pictured(report, events)
    files = picture_files(shown, events)
    assert set(files) == {"timeline.html", "trace.json"}
    page = files["timeline.html"]
    valid_html(page)
    tl = build_timeline(events, report)
    for lane in tl.lanes:
        assert f'data-lane="{lane.id}"' in page
    assert page.count('class="mark m-timeout') == sum(
        1 for e in events if e["type"] == "checkout_timeout"
    )
    assert tl.deciding is not None
    assert len(re.findall(r'class="mark m-[\w-]+ deciding"', page)) == 1
    assert f'id="ev-{tl.deciding.seq}"' in page and f'href="#ev-{tl.deciding.seq}"' in page
    assert "Reproduced: <b>pattern " in page and tl.pattern.split(" — ")[0] in page


def test_a_run_without_a_diagnosis_has_no_ping_picture() -> None:
    events, saved = trace("ping-buffered")
    assert isinstance(saved.details, PingDetails) and saved.details.timeline is not None
    report = dataclasses.replace(saved, details=dataclasses.replace(saved.details, timeline=None))
    answered = [e for e in events if e["type"] in ("spawn", "worker_stopped")]
    assert pictured(report, answered) is report
    assert set(picture_files(report, answered)) == {"trace.json"}


def test_the_html_report_of_every_kind(tmp_path: Path) -> None:
    events, report = trace("p3-checkout-timeout")
    scenario = pictured(report, events)
    page = HtmlWriter().render(scenario)
    valid_html(page)
    assert '<svg class="timeline"' in page and "Fix plan" in page
    assert "checkout-timeout-waiters" in page and 'events.jsonl:<b class="ln">14-24</b>' in page
    again = from_dict(json.loads(render(scenario, Format.JSON)))
    assert HtmlWriter().render(again) == page  # report.json keeps the timeline


def test_html_escapes_what_the_run_says() -> None:
    events, report = trace("p3-checkout-timeout")
    nasty = [dict(e, caller="<script>alert(1)</script>") if "caller" in e else e for e in events]
    page = timeline_page(pictured(report, nasty))
    valid_html(page)
    assert "<script>" not in page and "&lt;script&gt;" in page


# --- Chrome trace events ----------------------------------------------------------------------
PHASES = {"X", "b", "e", "i", "C", "M"}


def valid_chrome_trace(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Raises unless `doc` holds trace events with the format's required fields: `name`, `ph`,
    `pid`, `tid`, `ts` (µs) on every timed event; `dur` on X; `id` and `cat` on async b/e, each
    b ended by its e; `s` on instants; numeric `args` on counters; X properly nested per thread
    (what Perfetto needs to draw them)."""
    events = doc["traceEvents"]
    assert isinstance(events, list) and events
    open_async: Counter[tuple[str, Any]] = Counter()
    by_thread: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for e in events:
        assert e["ph"] in PHASES and isinstance(e["name"], str) and e["name"]
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int)
        if e["ph"] == "M":
            assert isinstance(
                e["args"]["name" if e["name"].endswith("_name") else "sort_index"], str | int
            )
            continue
        assert isinstance(e["ts"], int | float) and e["ts"] >= 0
        assert isinstance(e.get("args", {}), dict)
        if e["ph"] == "X":
            assert isinstance(e["dur"], int | float) and e["dur"] >= 0
            by_thread.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"]))
        elif e["ph"] in "be":
            assert e["cat"] and "id" in e
            open_async[(e["cat"], e["id"])] += 1 if e["ph"] == "b" else -1
        elif e["ph"] == "i":
            assert e["s"] in ("g", "p", "t")
        elif e["ph"] == "C":
            assert e["args"] and all(isinstance(v, int | float) for v in e["args"].values())
    assert all(n == 0 for n in open_async.values()), "an async begin without its end"
    for spans in by_thread.values():
        stack: list[float] = []
        for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
            while stack and stack[-1] <= start:
                stack.pop()
            assert not stack or end <= stack[-1] + 1e-3, "X events overlap without nesting"
            stack.append(end)
    return events


@pytest.mark.parametrize("name", sorted(p.name for p in TRACES.iterdir()))
def test_trace_json_is_chrome_trace_events(name: str) -> None:
    events, report = trace(name)
    doc = json.loads(picture_files(pictured(report, events), events)["trace.json"])
    out = valid_chrome_trace(doc)
    threads = {e["args"]["name"] for e in out if e["name"] == "thread_name"}
    workers = {e["worker"] for e in events if e["type"] == "spawn"}
    assert all(any(t.startswith(f"{w} ") or t == w for t in threads) for w in workers)
    if any(e["type"] == "checkout_requested" for e in events):
        assert "queue" in threads
        begins = [e for e in out if e["ph"] == "b"]
        assert len(begins) == sum(1 for e in events if e["type"] == "checkout_requested")
        assert any(e["ph"] == "C" for e in out)


def test_trace_json_of_a_killed_worker_has_requests_and_faults() -> None:
    events, _ = trace("p1-worker-killed")
    out = valid_chrome_trace(chrome_trace(events, "p1"))
    requests = [e for e in out if e["ph"] == "X" and e["cat"] == "request"]
    assert len(requests) == sum(1 for e in events if e["type"] == "request")
    faults = [e for e in out if e["ph"] == "i" and e["name"] == "fault"]
    assert faults and all(e["s"] == "t" for e in faults)
    assert any(e["ph"] == "i" and e["name"] == "stop" and e["s"] == "p" for e in out)


def test_a_dense_trace_json_keeps_every_event(big: tuple[list[dict[str, Any]], Timeline]) -> None:
    events, _ = big
    out = valid_chrome_trace(chrome_trace(events, "scale"))
    assert sum(1 for e in out if e["ph"] == "b") == 10_000


# --- Mermaid ------------------------------------------------------------------------------------
def mermaid_blocks(markdown: str) -> Iterator[str]:
    yield from re.findall(r"```mermaid\n(.*?)\n```", markdown, flags=re.S)


def test_the_markdown_report_has_a_mermaid_gantt() -> None:
    events, report = trace("p3-checkout-timeout")
    md = MarkdownWriter().render(pictured(report, events))
    (chart,) = mermaid_blocks(md)
    lines = chart.splitlines()
    assert lines[0] == "gantt" and "    dateFormat x" in lines
    assert "    section queue · 6 checkouts" in lines
    assert sum(1 for line in lines if " timeout :crit, " in line) == 6
    assert any("deciding timeout 14 :milestone, crit, " in line for line in lines)
    assert "Every state and event" in md


def test_a_dense_mermaid_chart_is_cut_with_a_note(
    big: tuple[list[dict[str, Any]], Timeline],
) -> None:
    _, tl = big
    chart, left_out = gantt(tl, "scenario scale")
    tasks = [line for line in chart.splitlines() if " :" in line]
    assert len(tasks) == MAX_TASKS and left_out > 0 and len(chart) < MAX_CHARS + 500
    report = Report(kind="scenario", title="scale", details=ScenarioDetails("s", timeline=tl))
    md = MarkdownWriter().render(report)
    assert f"{left_out:,} more were left out" in md and "timeline.html" in md
    for line in tasks:  # what Mermaid reads as a task: a name without `:`, `;` or `#`
        name = line.split(" :", 1)[0]
        assert not re.search(r"[:;#]", name), line


def test_mermaid_names_are_plain_text() -> None:
    events, report = trace("p3-checkout-timeout")
    tl = build_timeline(events, report)
    lane = dataclasses.replace(tl.lanes[2], title="w1: a;b #c %d")
    chart, _ = gantt(dataclasses.replace(tl, lanes=(lane,)), "t: x")
    assert "section w1 a b c d" in chart and "title t x" in chart


def test_the_svg_alone() -> None:
    svg = timeline_svg(timeline("p3-checkout-timeout"))
    assert svg.startswith('<svg class="timeline"') and svg.endswith("</svg>")
    assert len(SVG_SELF_CLOSING.findall(svg)) > 10


def test_the_queues_waiting_count_is_under_its_title_not_over_it() -> None:
    """The count ('up to 6 waiting') was drawn at the label column's right edge, 7 px below the
    title's line: a title of thousands of checkouts ran into it (seen on server-memory's run)."""
    svg = timeline_svg(timeline("p3-checkout-timeout"))
    title = re.search(r'<text class="lane-title" x="([\d.]+)" y="([\d.]+)">queue · ', svg)
    count = re.search(r'<text class="count" x="([\d.]+)" y="([\d.]+)"[^>]*>up to 6 waiting<', svg)
    assert title is not None and count is not None, svg
    assert float(count[1]) == float(title[1])  # the same column, from the left
    assert float(count[2]) - float(title[2]) >= 12  # a line of its own, below the title's


# --- the run folder -------------------------------------------------------------------------------
def copy_run(name: str, tmp_path: Path) -> tuple[RunDir, Report]:
    """A run folder holding a real trace, and its report as the command made it (no picture)."""
    _, saved = trace(name)
    run = create_run_dir(name, tmp_path / name)
    run.events.write_text((TRACES / name / "events.jsonl").read_text())
    assert isinstance(saved.details, ScenarioDetails)
    details = dataclasses.replace(saved.details, timeline=None)
    return run, dataclasses.replace(saved, details=details, run_dir=str(run.path))


def test_save_draws_the_pictures_beside_the_trace(tmp_path: Path) -> None:
    run, report = copy_run("p3-checkout-timeout", tmp_path)
    shown = save(report, run)
    assert isinstance(shown.details, ScenarioDetails) and shown.details.timeline is not None
    valid_html((run.path / "timeline.html").read_text())
    valid_chrome_trace(json.loads((run.path / "trace.json").read_text()))
    doc = valid_json((run.path / "report.json").read_text())
    assert doc["extra"]["timeline"]["deciding"]["seq"] == 14
    assert "```mermaid" in (run.path / "report.md").read_text()


def test_a_picture_that_cannot_be_drawn_costs_no_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(report: Report, events: object) -> Report:
        raise ValueError("a trace it cannot read")

    monkeypatch.setattr(publish, "pictured", broken)
    run, report = copy_run("p3-checkout-timeout", tmp_path)
    shown = save(report, run)
    assert "pictures were not drawn (ValueError: a trace it cannot read)" in shown.notes[-1]
    assert not (run.path / "timeline.html").exists()
    assert valid_json((run.path / "report.json").read_text())["findings"]


def test_a_workers_ready_time_is_in_ms_as_every_time_in_the_picture() -> None:
    """The init ping's span said `ready after 0.177403 s` beside its own `(177 ms)`: the
    event's seconds, unrounded, in the one unit the picture does not use (a run of
    server-memory, an MCP server, drew `ready after 1.488244 s` on its bar)."""
    lanes = {lane.id: lane for lane in timeline("p1-worker-killed").lanes}
    [init] = [s for s in lanes["w1"].spans if s.state == "init"]
    assert init.label == "w1 init ping (timeout 5.0 s) (177 ms) · ready after 177 ms, mode pool"
