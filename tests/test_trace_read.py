"""The run's trace (`events.jsonl`) is read for the pictures in bounded memory: a trace that is
no file (linked to /dev/zero, whose reads never end) is refused with a note; a long one is
drawn from its first and last events, with what was left out said; a line too long to be an
event is passed over, not held. On real files, and a real `poolctl doctor` run."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
from pathlib import Path

import orjson
import pytest

from bench.trace_memory import inflate
from poolctl.model import Report, ScenarioDetails
from poolctl.report import publish, trace_read
from poolctl.report.load import load_report
from poolctl.report.publish import save
from poolctl.report.trace_read import MAX_LINE, read_trace
from poolctl.rundir import RunDir, create_run_dir
from tests.conftest import Processes

TRACE = Path(__file__).parent / "fixtures" / "traces" / "p3-checkout-timeout"


def test_doctor_with_its_trace_linked_to_dev_zero_ends_with_its_report(
    tmp_path: Path, processes: Processes
) -> None:
    """Writes to /dev/zero succeed, reads never end: the report step read it whole until the
    memory ran out (MemoryError under this 2 GB limit, exit 3; 23 GB without one)."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "events.jsonl").symlink_to("/dev/zero")
    argv = f"exec {sys.executable} -m poolctl doctor --no-history --run-dir {run_dir}"
    env = {**os.environ, "POOLCTL_REPORTS_DIR": str(tmp_path / "reports")}
    done = processes.run(["bash", "-c", f"ulimit -v 2000000; {argv}"], timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    said = "events.jsonl was not read for the run's pictures: it is not a regular file"
    assert said in done.stdout
    notes = json.loads((run_dir / "report.json").read_text())["notes"]
    assert any(said in note for note in notes)


def test_doctor_whose_trace_cannot_be_written_says_so_in_one_line(
    tmp_path: Path, processes: Processes
) -> None:
    """Its trace linked to /dev/full: each probe's first write to events.jsonl fails with
    ENOSPC. Doctor called that four checks poolctl 'could not run' ('report it as a poolctl
    bug'), then read /dev/full for the pictures; it ends as ping and run-scenario do now."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "events.jsonl").symlink_to("/dev/full")
    argv = f"exec {sys.executable} -m poolctl doctor --no-history --run-dir {run_dir}"
    env = {**os.environ, "POOLCTL_REPORTS_DIR": str(tmp_path / "reports")}
    done = processes.run(["bash", "-c", f"ulimit -v 2000000; {argv}"], timeout=120, env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"poolctl: error: cannot write {run_dir}: No space left on device "
        "(make room, or --run-dir elsewhere)"
    )
    assert "could not run this check" not in done.stdout


def test_a_fifo_nobody_writes_is_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "events.jsonl"
    os.mkfifo(fifo)
    read = read_trace(fifo)
    assert read.events == [] and "not a regular file" in read.note("events.jsonl")


def test_a_long_trace_keeps_its_first_and_last_events(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    total = inflate(path, 400_000)
    read = read_trace(path, max_events=1000)
    seqs = [e["seq"] for e in read.events]
    assert seqs == [*range(1, 501), *range(total - 499, total + 1)]
    assert read.events[-1]["type"] == "scenario_end"  # the run's end is drawn
    assert (read.first_left_out, read.last_left_out) == (501, total - 500)
    first_kept = path.read_bytes().index(b'{"seq":%d,' % (total - 499))
    head_end = path.read_bytes().index(b'{"seq":501,')
    assert read.skipped_bytes == first_kept - head_end
    note = read.note("events.jsonl")
    assert f"events #501 to #{total - 500:,}" in note and "first 500 and last 500" in note


def test_a_trace_within_the_bound_is_read_whole_without_a_note(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    total = inflate(path, 20_000)
    read = read_trace(path, max_events=total)
    assert [e["seq"] for e in read.events] == list(range(1, total + 1))
    assert read.note("events.jsonl") == ""


def test_junk_past_the_first_half_is_no_event_left_out(tmp_path: Path) -> None:
    lines = (TRACE / "events.jsonl").read_bytes().splitlines(keepends=True)
    path = tmp_path / "events.jsonl"
    head = len(lines) - len(lines) // 2  # the junk right after the first half
    path.write_bytes(b"".join([*lines[:head], b"\x00\xff junk\n" * 50, *lines[head:]]))
    read = read_trace(path, max_events=len(lines))
    assert [e["seq"] for e in read.events] == [orjson.loads(x)["seq"] for x in lines]
    assert read.note("events.jsonl") == ""


def test_a_line_too_long_to_be_an_event_is_passed_over(tmp_path: Path) -> None:
    lines = (TRACE / "events.jsonl").read_bytes().splitlines(keepends=True)
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"".join([*lines[:5], b"x" * (3 * MAX_LINE) + b"\n", *lines[5:]]))
    read = read_trace(path)
    assert [e["seq"] for e in read.events] == [orjson.loads(x)["seq"] for x in lines]


def test_save_draws_a_long_trace_from_a_bounded_part_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trace_read, "MAX_EVENTS", 2000)
    run = create_run_dir("big", tmp_path / "big")
    total = inflate(run.events, 1_000_000)
    saved = load_report(TRACE)
    assert isinstance(saved.details, ScenarioDetails)
    details = dataclasses.replace(saved.details, timeline=None)
    shown = save(dataclasses.replace(saved, details=details, run_dir=str(run.path)), run)
    note = "the timeline and trace.json are drawn from its first 1,000 and last 1,000 events"
    assert any(note in n and f"#{total - 1000:,}) were left out" in n for n in shown.notes)
    doc = json.loads((run.path / "report.json").read_text())
    assert doc["extra"]["timeline"]["events"] == 2000
    chrome = json.loads((run.path / "trace.json").read_text())
    assert chrome["otherData"]["events"] == 2000
    assert f"#{total - 1000:,}) were left out" in chrome["otherData"]["left_out"]
    assert (run.path / "timeline.html").exists()


def test_an_interrupted_run_writes_its_report_before_drawing_its_pictures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawing a long trace outlasts the watchdog of an interrupted run (about 1 s for 50,000
    events): report.json is on disk before the pictures begin, so the watchdog marks it
    interrupted rather than write an empty report in its place."""
    run = create_run_dir("cut", tmp_path / "cut")
    run.context.interrupt(signal.SIGINT)
    saved = load_report(TRACE)
    (run.events).write_bytes((TRACE / "events.jsonl").read_bytes())
    seen: list[dict[str, object]] = []
    draw = publish._with_pictures

    def drawing(report: Report, run: RunDir) -> tuple[Report, dict[str, str]]:
        seen.append(json.loads(run.report("json").read_text()))  # what the watchdog would find
        return draw(report, run)

    monkeypatch.setattr(publish, "_with_pictures", drawing)
    save(dataclasses.replace(saved, run_dir=str(run.path)), run)
    expected = json.loads((TRACE / "report.json").read_text())["patterns"]
    assert [doc["patterns"] for doc in seen] == [expected]
    assert (run.path / "timeline.html").exists()  # the pictures still drawn after it
