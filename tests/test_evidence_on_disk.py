"""The evidence reaches the disk as it happens, so that a poolctl killed mid-run leaves it: the
trace within 64 events or 0.1 s, a worker's stdout transcript as it arrives (its stderr goes
straight to its file)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from poolctl.events import FLUSH_EVENTS, Event, Trace
from poolctl.worker import Answer
from tests.conftest import ReferenceWorker


def lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_the_trace_is_written_every_64_events(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    trace = Trace(path)
    for i in range(FLUSH_EVENTS - 1):
        trace.emit("request", caller=f"c{i}")
    before = lines(path)
    trace.emit("request", caller="last")
    assert lines(path) == FLUSH_EVENTS  # at once, without close
    assert before in (0, FLUSH_EVENTS - 1)  # (the timer may have flushed them already)
    trace.close()


def test_a_signal_in_the_middle_of_an_emit_is_recorded_after_it(tmp_path: Path) -> None:
    """A signal's handler runs on the main thread between two steps, maybe inside the trace's
    own `emit` (here: its observer, called with the trace held): the interruption waits for
    that emit to end instead of re-entering it, and is on disk at once, in order."""
    path = tmp_path / "events.jsonl"
    trace = Trace(path)

    class SignalMidEmit:
        def on_event(self, event: Event) -> None:
            if event.type == "request":
                trace.interrupted("SIGINT", trace.start + 0.25)
                assert [e.type for e in trace.events] == ["spawn", "request"]  # not yet

    trace.observers.append(SignalMidEmit())
    trace.emit("spawn", worker="w1", pid=1)
    trace.emit("request", worker="w1")
    written = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(e["seq"], e["type"]) for e in written] == [
        (1, "spawn"),
        (2, "request"),
        (3, "interrupted"),
    ]
    assert (written[2]["signal"], written[2]["at"]) == ("SIGINT", 0.25)
    trace.close()
    trace.interrupted("SIGTERM", trace.start)  # a closed trace takes no more
    assert len(path.read_text().splitlines()) == 3


def test_a_quiet_trace_is_written_within_a_tenth_of_a_second(
    tmp_path: Path, real_sleep: Callable[[float], None]
) -> None:
    path = tmp_path / "events.jsonl"
    trace = Trace(path)
    trace.emit("spawn", worker="w1", pid=1)
    trace.emit("init_start", worker="w1")
    started = time.monotonic()
    while lines(path) < 2 and time.monotonic() - started < 5:
        real_sleep(0.01)
    assert lines(path) == 2  # by the flusher, every FLUSH_SECONDS: no close, no 64 events
    trace.close()


def test_a_workers_stdout_is_on_disk_before_it_is_stopped(
    reference_worker: ReferenceWorker,
) -> None:
    worker = reference_worker()
    outcome = worker.exchange("echo", {"said": "on disk already"}, timeout=10)
    assert isinstance(outcome, Answer)
    assert b"on disk already" in worker.stdout_path.read_bytes()  # the worker still runs
    assert worker.alive()
    worker.stop()
    assert worker.stdout_path.read_bytes() == bytes(worker.transcript.data)


def test_a_ping_or_doctor_trace_lets_go_of_what_it_wrote(tmp_path: Path) -> None:
    """A ping's trace (the run context's, read back from its file) held every event it wrote:
    `ping --count 200000` peaked at 345 MB, 175 MB now. What is written is let go; the
    numbering goes on across the batches, and the file holds every event in order."""
    from poolctl.context import RunContext

    path = tmp_path / "events.jsonl"
    trace = RunContext().trace(path)
    for i in range(3 * FLUSH_EVENTS + 5):
        trace.emit("request", caller=f"c{i}")
    assert len(trace.events) <= 5  # three batches of 64 written and let go (the timer: 5 more)
    trace.close()
    assert trace.events == []
    written = [json.loads(line) for line in path.read_text().splitlines()]
    assert [e["seq"] for e in written] == list(range(1, 3 * FLUSH_EVENTS + 6))
    assert written[-1]["caller"] == f"c{3 * FLUSH_EVENTS + 4}"
