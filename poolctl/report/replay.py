"""A run's trace (`events.jsonl`) replayed into lanes: one per worker (spawn, init, idle, busy
with a request, failed, stopping, dead or replaced, stopped), the queue (callers waiting, each
checkout from request to grant, timeout or refusal), the scenario's steps and faults, one per
experiment a diagnosis ran; marks for timeouts, deaths, kills, the pool stopping, the verdict.

Unfolded: `timeline.build_timeline` folds it into a picture, `chrome_trace` writes it whole.
No I/O: `read_events` parses the file's text, the publish step reads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from poolctl.model import TimeMark, TimeSpan

Event = Mapping[str, Any]
FAULT_STEPS = frozenset({"kill_worker", "stop_pool"})


def read_events(text: str) -> list[dict[str, Any]]:
    """The events of an `events.jsonl`; a line that is not one (a run cut short as it wrote)
    is skipped."""
    events = []
    for line in text.splitlines():
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(event, dict) and isinstance(event.get("t"), int | float):
            events.append(event)
    return events


def ms(seconds: float) -> str:
    """`0.35 ms`, `12.4 ms`, `1,508 ms`: every time in the picture is in ms, as its axis."""
    value = seconds * 1000
    if abs(value) < 10:
        return f"{value:.2f} ms"
    if abs(value) < 100:
        return f"{value:.1f} ms"
    return f"{value:,.0f} ms"


def nbytes(n: Any) -> str:
    """`1,234 B` (`? B` when the trace did not say)."""
    return f"{n:,} B" if isinstance(n, int) else "? B"


@dataclass
class _Open:
    """A span begun and not yet ended."""

    start: float
    state: str
    label: str
    extra: list[str] = field(default_factory=list)


@dataclass
class _LaneDraft:
    id: str
    kind: str
    title: str
    spans: list[TimeSpan] = field(default_factory=list)
    marks: list[TimeMark] = field(default_factory=list)
    open: _Open | None = None
    alive: bool = True
    requests: list[TimeSpan] = field(default_factory=list)  # within checkouts (trace.json)
    request: _Open | None = None
    pid: Any = None

    @property
    def who(self) -> str:
        """`w1 (pid 4242)`: how a span's hover names its worker."""
        return f"{self.id} (pid {self.pid})" if self.pid is not None else self.id

    def begin(self, t: float, state: str, label: str) -> None:
        self.end(t)
        self.open = _Open(t, state, label)

    def note(self, text: str, state: str | None = None) -> None:
        """Add to what the open span's hover says (and change its state)."""
        if self.open is not None:
            self.open.extra.append(text)
            if state is not None:
                self.open.state = state

    def end(self, t: float, state: str | None = None) -> None:
        o, self.open = self.open, None
        if o is None:
            return
        label = " · ".join([f"{o.label} ({ms(t - o.start)})", *o.extra])
        self.spans.append(TimeSpan(o.start, max(t, o.start), state or o.state, label))

    def mark(self, event: Event, kind: str, label: str) -> None:
        self.marks.append(TimeMark(float(event["t"]), kind, label, int(event.get("seq", 0))))


class Replay:
    """Replays a trace into lane drafts, unfolded (one method per event type that shapes a
    lane): what `build_timeline` folds into a picture and `chrome_trace` writes whole."""

    def __init__(self) -> None:
        self.steps = _LaneDraft("steps", "steps", "steps")
        self.queue = _LaneDraft("queue", "queue", "queue")
        self.workers: dict[str, _LaneDraft] = {}
        self.experiments: dict[str, _LaneDraft] = {}
        self.checkouts: dict[str, _Open] = {}  # caller → its checkout waiting
        self.checkout_spans: list[TimeSpan] = []
        self.held: dict[str, str] = {}  # caller → the worker it checked out last
        self.waiting: list[tuple[float, int]] = []
        self.failed_at: dict[str, float] = {}  # worker → when its last exchange failed
        self.dead: list[str] = []  # workers that died and were not replaced yet
        self.stopping = False
        self.end = 0.0

    # --- lanes ----------------------------------------------------------------------------
    def worker(self, event: Event) -> _LaneDraft | None:
        wid = event.get("worker")
        if not isinstance(wid, str):
            return None
        if "-exp-" in wid:  # a fresh process of a diagnosis (`w1-exp-replay`)
            return self.experiment(wid)
        lane = self.workers.get(wid)
        if lane is None:
            lane = self.workers[wid] = _LaneDraft(wid, "worker", wid)
        return lane

    def experiment(self, wid: str) -> _LaneDraft:
        lane = self.experiments.get(wid)
        if lane is None:
            lane = self.experiments[wid] = _LaneDraft(wid, "experiment", wid)
        return lane

    def count_waiting(self, t: float) -> None:
        """The callers waiting now, where the count changes."""
        self.waiting.append((t, len(self.checkouts)))

    # --- replay ---------------------------------------------------------------------------
    def replay(self, events: Sequence[Event]) -> None:
        """Feed every event to its handler, then close what is still open at the last one."""
        for event in events:
            t = float(event["t"])
            self.end = max(self.end, t)
            handler = getattr(self, "on_" + str(event.get("type")), None)
            if handler is not None:
                handler(event, t)
        for lane in (*self.workers.values(), *self.experiments.values(), self.steps):
            lane.end(self.end)
        for caller, o in self.checkouts.items():
            self.checkout_spans.append(
                TimeSpan(o.start, self.end, "waiting", f"{caller} still waiting at the end")
            )

    def on_spawn(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is None:
            return
        pid = lane.pid = e.get("pid")
        lane.title = f"{lane.id} · pid {pid}" + (" · overflow" if e.get("overflow") else "")
        lane.begin(t, "starting", f"{lane.id} (pid {pid}) starting")
        lane.mark(e, "spawn", f"#{e.get('seq')} {lane.id} spawned, pid {pid} at {ms(t)}")

    def on_replace(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is None or not self.dead:
            return
        old = self.workers[self.dead.pop(0)]
        lane.title += f" · replaces {old.id}"
        old.mark(e, "replaced", f"#{e.get('seq')} {old.id} replaced by {lane.id} at {ms(t)}")

    def on_init_start(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is not None:
            lane.begin(t, "init", f"{lane.id} init ping (timeout {e.get('timeout')} s)")

    def on_init_end(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is None:
            return
        if e.get("ok"):
            reported = e.get("reported") or {}
            mode = reported.get("mode") if isinstance(reported, Mapping) else None
            took = e.get("seconds")  # in ms, as every time in the picture (it was `1.488244 s`)
            ready = f"ready after {ms(took)}" if isinstance(took, (int, float)) else "ready"
            lane.note(ready + (f", mode {mode}" if mode else ""))
            lane.begin(t, "idle", f"{lane.id} idle")
            return
        lane.end(t, "failed")
        self.failed_at[lane.id] = t
        lane.mark(
            e, "init-failed", f"#{e.get('seq')} {lane.id} init failed at {ms(t)}: {e.get('error')}"
        )

    def on_init_cancelled(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is not None:
            lane.note(f"init ping, still unanswered: {e.get('reason')}")
            lane.begin(t, "stopping", f"{lane.id} stopping")

    def on_diagnosis(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is None:
            return
        since = self.failed_at.get(lane.id)
        if since is not None:
            lane.spans.append(
                TimeSpan(since, t, "diagnosing", f"{lane.id} being diagnosed ({ms(t - since)})")
            )
        lane.mark(e, "verdict", f"#{e.get('seq')} verdict on {lane.id}: {e.get('verdict')}")
        late = e.get("answered_after_s")
        start = next((s.start for s in lane.spans if s.state == "starting"), None)
        if isinstance(late, int | float) and start is not None:
            late_event = {"t": start + late, "seq": e.get("seq", 0)}
            lane.mark(late_event, "late-answer", f"{lane.id} answered {ms(late)} after spawn")

    def on_checkout_requested(self, e: Event, t: float) -> None:
        caller = str(e.get("caller"))
        session = f" (session {e['session']})" if e.get("session") else ""
        self.checkouts[caller] = _Open(t, "waiting", f"{caller}{session}")
        self.count_waiting(t)

    def _checkout_done(self, caller: str, t: float, state: str, what: str) -> None:
        o = self.checkouts.pop(caller, None)
        if o is None:
            return
        label = f"checkout {o.label}: {what} after {ms(t - o.start)}"
        self.checkout_spans.append(TimeSpan(o.start, t, state, label))
        self.count_waiting(t)

    def on_checkout_granted(self, e: Event, t: float) -> None:
        caller = str(e.get("caller"))
        self._checkout_done(caller, t, "granted", f"granted {e.get('worker')}")
        lane = self.worker(e)
        if lane is None:
            return
        self.held[caller] = lane.id
        session = f" (session {e['session']})" if e.get("session") else ""
        lane.begin(t, "busy", f"{lane.who} busy for {caller}{session}")

    def on_checkout_timeout(self, e: Event, t: float) -> None:
        caller = str(e.get("caller"))
        self._checkout_done(caller, t, "timeout", "timed out")
        pool = ", ".join(
            f"{k} {e.get(k)}" for k in ("total", "busy", "idle", "starting", "waiting")
        )
        self.queue.mark(
            e,
            "timeout",
            f"#{e.get('seq')} checkout timeout at {ms(t)}: {caller} waited "
            f"{ms(float(e.get('waited') or 0))} (timeout {e.get('timeout')} s); pool: {pool}",
        )

    def on_call_failed(self, e: Event, t: float) -> None:
        caller = str(e.get("caller"))
        if e.get("error_type") == "CheckoutTimedOut":
            return  # its checkout_timeout is marked
        if caller in self.checkouts:
            self._checkout_done(caller, t, "refused", "refused")
            self.queue.mark(
                e, "refused", f"#{e.get('seq')} {caller} refused at {ms(t)}: {e.get('error')}"
            )
            return
        lane = self.workers.get(self.held.get(caller, ""))
        if lane is not None:
            lane.mark(e, "aborted", f"#{e.get('seq')} {caller} failed at {ms(t)}: {e.get('error')}")

    def on_request(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is None:
            return
        what = f"request {e.get('id')} {e.get('command')}"
        if lane.open is not None and lane.open.state == "busy":
            lane.note(what)
            lane.request = _Open(t, "request", f"{lane.id} {what}")
        else:  # a ping: no checkout around it
            lane.begin(t, "busy", f"{lane.who} {what}")
            lane.mark(e, "request", f"#{e.get('seq')} {lane.who} {what} written at {ms(t)}")

    def on_response(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is None:
            return
        ok = "answered" if e.get("success") else f"error: {e.get('error')}"
        sizes = f"{nbytes(e.get('bytes_out'))} out, {nbytes(e.get('bytes_in'))} in"
        lane.note(f"{ok} in {ms(float(e.get('seconds') or 0))} ({sizes})")
        self._request_done(lane, t, "request" if e.get("success") else "error", f"{ok}, {sizes}")
        if not e.get("success"):
            lane.mark(e, "error", f"#{e.get('seq')} {lane.id} request {e.get('id')} {ok}")
        if e.get("caller") is None:  # a ping: the exchange is over
            lane.begin(t, "idle", f"{lane.id} idle")

    def on_no_response(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is None:
            return
        read = nbytes(e.get("bytes_in"))
        lane.note(
            f"no answer: {e.get('detail')} ({nbytes(e.get('bytes_out'))} out, {read} in)",
            state="failed",
        )
        label = (
            f"#{e.get('seq')} {lane.who}: no answer to request {e.get('id')} at {ms(t)}: "
            f"{e.get('detail')}; {nbytes(e.get('bytes_out'))} written, read {read}"
        )
        lane.mark(e, "no-answer", label)
        self._request_done(lane, t, "failed", f"no answer, {read} read")
        self.failed_at[lane.id] = t
        if e.get("caller") is None:
            lane.end(t, "failed")

    @staticmethod
    def _request_done(lane: _LaneDraft, t: float, state: str, what: str) -> None:
        o, lane.request = lane.request, None
        if o is not None:
            lane.requests.append(TimeSpan(o.start, t, state, f"{o.label}: {what}"))

    def on_checkin(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        busy = lane is not None and lane.open is not None and lane.open.state in ("busy", "failed")
        if lane is not None and lane.alive and busy:
            state = "stopping" if self.stopping else "idle"
            lane.begin(t, state, f"{lane.id} {state}")

    def on_expectation_failed(self, e: Event, t: float) -> None:
        caller = str(e.get("caller"))
        lane = self.workers.get(self.held.get(caller, ""))
        what = e.get("field") or e.get("error") or e.get("check")
        label = (
            f"#{e.get('seq')} {caller}: expectation failed at {ms(t)} ({e.get('check')}: {what})"
        )
        (lane or self.steps).mark(e, "expectation", label)

    def on_worker_exit(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is None:
            return
        lane.alive = False
        lane.end(t)
        self._request_done(lane, t, "failed", f"the worker {e.get('exit')}")
        if self.stopping:
            lane.mark(e, "stopped", f"#{e.get('seq')} {lane.id} {e.get('exit')} at {ms(t)}")
            return
        self.dead.append(lane.id)
        was = e.get("state")
        lane.mark(
            e, "death", f"#{e.get('seq')} {lane.id} died at {ms(t)}: {e.get('exit')} (was {was})"
        )

    def on_kill(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        label = f"#{e.get('seq')} fault: {e.get('signal')} sent to {e.get('worker')} at {ms(t)}"
        self.steps.mark(e, "fault", label)
        if lane is not None:
            lane.mark(e, "fault", label)

    def on_retire(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is not None:
            lane.alive = False
            lane.end(t)
            lane.mark(e, "stopped", f"#{e.get('seq')} {lane.id} retired at {ms(t)}")

    def on_shutdown_begun(self, e: Event, t: float) -> None:
        self.stopping = True
        label = (
            f"#{e.get('seq')} pool stop ({e.get('mode')}) at {ms(t)}: "
            f"{e.get('waiting')} waiting, {e.get('in_flight')} in flight"
        )
        self.steps.mark(e, "stop", label)
        for lane in self.workers.values():
            if lane.alive and lane.open is not None and lane.open.state == "idle":
                lane.begin(t, "stopping", f"{lane.id} stopping")

    def on_shutdown_done(self, e: Event, t: float) -> None:
        exits = e.get("exits") or {}
        for wid in e.get("stopped") or ():
            lane = self.workers.get(wid)
            if lane is None:
                continue
            lane.alive = False
            lane.end(t)
            exit_ = exits.get(wid) if isinstance(exits, Mapping) else None
            lane.mark(e, "stopped", f"#{e.get('seq')} {wid} stopped at {ms(t)}: {exit_}")

    def on_worker_stopped(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is not None:
            lane.alive = False
            lane.end(t)
            lane.mark(
                e, "stopped", f"#{e.get('seq')} {lane.id} stopped at {ms(t)}: {e.get('exit')}"
            )

    def on_experiment_start(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is not None:
            lane.title = f"experiment {e.get('experiment')}"
            lane.begin(t, "experiment", f"{lane.id} {e.get('label')}")

    def on_experiment_end(self, e: Event, t: float) -> None:
        lane = self.worker(e)
        if lane is None:
            return
        label = lane.open.label.removeprefix(f"{lane.id} ") if lane.open is not None else ""
        lane.note(f"{label}: {e.get('detail')}")
        lane.end(t, "answered" if e.get("answered") else "silent")
        kind = "answered" if e.get("answered") else "no-answer"
        lane.mark(e, kind, f"#{e.get('seq')} {lane.id}: {e.get('detail')}")

    def on_step_start(self, e: Event, t: float) -> None:
        kind = str(e.get("kind"))
        state = "fault-step" if kind in FAULT_STEPS else "step"
        self.steps.begin(t, state, f"step {e.get('step')}: {kind}")

    def on_step_end(self, e: Event, t: float) -> None:
        self.steps.end(t)

    def on_step_error(self, e: Event, t: float) -> None:
        self.steps.mark(e, "error", f"#{e.get('seq')} step error at {ms(t)}: {e.get('error')}")

    def on_service_start(self, e: Event, t: float) -> None:
        self.steps.mark(
            e, "service", f"#{e.get('seq')} service {e.get('service')} started, pid {e.get('pid')}"
        )

    def on_service_missing(self, e: Event, t: float) -> None:
        label = f"#{e.get('seq')} service {e.get('service')} missing at {ms(t)}: {e.get('state')}"
        self.steps.mark(e, "missing", label)

    def on_interrupted(self, e: Event, t: float) -> None:
        self.steps.mark(e, "stop", f"#{e.get('seq')} interrupted by {e.get('signal')} at {ms(t)}")
