"""The evidence reaches the disk as it happens, so that a poolctl killed mid-run leaves it: the
trace within 64 events or 0.1 s, a worker's stdout transcript as it arrives (its stderr goes
straight to its file)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from poolctl.events import FLUSH_EVENTS, Trace
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
