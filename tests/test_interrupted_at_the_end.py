"""A run-scenario interrupted after its scenario ran to its end, as its trace is read into
findings: its report says the run was whole, not cut short, and that no finding was made."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from poolctl.report.publish import save_interrupted
from poolctl.rundir import create_run_dir
from tests.conftest import RunCli

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
