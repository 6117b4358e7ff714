"""A run-scenario interrupted after its scenario ran to its end, as its trace is read into
findings: its report says the run was whole, not cut short, and that no finding was made. A
ping interrupted as it diagnoses a request gone unanswered says that request failed."""

from __future__ import annotations

import json
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from poolctl.report.publish import save_interrupted
from poolctl.rundir import create_run_dir
from tests.conftest import Processes, RunCli

HEALTHY = Path(__file__).resolve().parent.parent / "poolctl" / "scenarios" / "healthy.yaml"


def interrupted_with(trace: str, tmp_path: Path) -> str:
    """The first note of the report written for a run folder holding `trace`, interrupted."""
    run = create_run_dir("scenario", tmp_path / "cut", kind="scenario")
    run.events.write_text(trace)
    save_interrupted(run, "SIGINT")
    notes: list[str] = json.loads(run.report("json").read_text())["notes"]
    return notes[0]


def test_a_run_interrupted_after_its_scenario_ended_says_so(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """The trace of a real run, whole. Before: 'the run was cut short' and nothing more, its
    report without findings, though every step had run."""
    code, _, err = run_cli("run-scenario", str(HEALTHY), "--run-dir", str(tmp_path / "run"))
    assert code == 0, err
    trace = (tmp_path / "run" / "events.jsonl").read_text()
    last = json.loads(trace.splitlines()[-1])
    assert last["type"] == "scenario_end"
    note = interrupted_with(trace, tmp_path)
    assert note == (
        f"interrupted by SIGINT after the scenario had run to its end (events.jsonl "
        f"#{last['seq']}, scenario_end at {last['t']:.3f} s): every step ran and its pool "
        "stopped, and the signal came as its trace was read, so no finding was made of it; the "
        "trace in events.jsonl is whole: run the scenario again for its findings"
    )
    shutil.rmtree(tmp_path / "cut")
    cut = "".join(trace.splitlines(keepends=True)[:-3])  # the same run, cut before its end
    assert interrupted_with(cut, tmp_path).startswith(
        "interrupted by SIGINT: the run was cut short; every process was stopped"
    )


@pytest.mark.parametrize("command", ["ping", "doctor"])
def test_a_run_interrupted_as_it_diagnoses_says_its_request_went_unanswered(
    tmp_path: Path, processes: Processes, command: str
) -> None:
    """A CI job's cancel (SIGTERM) once a 1 s timeout passed unanswered, as the diagnosis runs.
    Before: its report said 'the run was cut short' alone, 0 failures, as a run with nothing
    wrong reads; its trace held the request's no_response."""
    never_reads = Path(__file__).resolve().parent / "workers" / "never_reads.sh"
    run = tmp_path / "run"
    argv = [sys.executable, "-m", "poolctl", command, "--timeout", "1", "--run-dir", str(run)]
    started = processes.popen([*argv, "--", "/bin/sh", str(never_reads), "30"], cwd=tmp_path)
    end = time.monotonic() + 60
    while b'"type":"no_response"' not in _read(run / "events.jsonl"):
        assert started.poll() is None and time.monotonic() < end, "no unanswered request seen"
        time.sleep(0.05)
    started.send_signal(signal.SIGTERM)
    assert started.wait(60) == 143
    report = json.loads((run / "report.json").read_text())
    assert report["interrupted"] == "SIGTERM" and not report["findings"]
    first = next(
        json.loads(line)
        for line in (run / "events.jsonl").read_text().splitlines()
        if '"type":"no_response"' in line
    )
    whose = "" if command == "ping" else f" to {first['worker']}"
    said = f"request 1{whose} got no answer: no response within 1 s (events.jsonl #{first['seq']})"
    again = "ping it again" if command == "ping" else "run doctor again"
    # (doctor's other copy may time out beside it, as the signal comes: said after it)
    note = report["notes"][1]
    assert note.startswith(f"before the signal came, {said}"), note
    assert note.endswith(f", and the diagnosis was cut short: {again} for the diagnosis"), note


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
