"""The trace of a run a signal cut short tells it in the order it happened: the interruption
first, then the stops it caused (each worker's exit, the pool's shutdown)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Processes

REFERENCE = "poolctl.workers.reference"

IDLE_POOL = """\
worker:
  command: ["{python}", "-m", "poolctl.workers.reference"]
pool: {size: 2}
steps:
  - sleep: {seconds: 30}
"""
# what the stop does to the run: none of it may come before the interruption in the trace
CAUSED_BY_THE_STOP = {"worker_exit", "spawn_failed", "shutdown_begun", "shutdown_done"}


def events_of(run_dir: Path) -> list[dict[str, Any]]:
    path = run_dir / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def sigterm_mid_sleep(tmp_path: Path, processes: Processes) -> Path:
    """`poolctl run-scenario` of two idle reference workers, a real SIGTERM to poolctl alone
    once its sleep step began; its run folder once it ended (exit 143)."""
    scenario = tmp_path / "idle.yaml"
    scenario.write_text(IDLE_POOL)
    run_dir = tmp_path / "run"
    argv = ["-m", "poolctl", "run-scenario", str(scenario), "--run-dir", str(run_dir)]
    proc = processes.popen(
        [sys.executable, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60  # a loaded machine may take seconds to start the pool
    while not any(e["type"] == "step_start" for e in events_of(run_dir)):
        assert proc.poll() is None and time.monotonic() < deadline, "the sleep never began"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    return run_dir


def sigterm_once_an_experiment_answered(command: str, tmp_path: Path, processes: Processes) -> Path:
    """`poolctl ping` or `doctor` of a silent worker (the reference worker asked in line
    framing), a real SIGTERM to poolctl once a fresh process answered one of the diagnosis'
    experiments; its run folder once it ended (exit 143)."""
    run_dir = tmp_path / command
    argv = [command, "--framing", "line", "--timeout", "6", "--run-dir", str(run_dir)]
    proc = processes.popen(
        [sys.executable, "-m", "poolctl", *argv, "--", sys.executable, "-m", REFERENCE],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 60
    while not any(e["type"] == "experiment_end" and e.get("answered") for e in events_of(run_dir)):
        assert proc.poll() is None and time.monotonic() < deadline, "no experiment answered"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    return run_dir


class SharedRuns:
    """The runs two tests each read, each made once for the module, when a test first asks
    for it (inside that test: its history store and run folders are the test's, as for any
    run): `poolctl` is a fresh Python process each time, its imports half a second of CPU."""

    def __init__(self, folder: Path, processes: Processes) -> None:
        self.folder = folder
        self.processes = processes
        self.made: dict[str, Path] = {}

    def get(self, name: str, make: Callable[[Path, Processes], Path]) -> Path:
        if name not in self.made:
            folder = self.folder / name
            folder.mkdir()
            self.made[name] = make(folder, self.processes)
        return self.made[name]

    def mid_sleep(self) -> Path:
        return self.get("mid-sleep", sigterm_mid_sleep)

    def doctor(self) -> Path:
        return self.get("doctor", self._doctor)

    @staticmethod
    def _doctor(folder: Path, processes: Processes) -> Path:
        """The doctor run, made again (twice at most) while its trace holds no diagnosis: the
        watchdog ends an interrupted run 0.7 s after the signal, and a loaded machine's probe
        thread may not have recorded its diagnosis by then (1 in 12 runs at a load of 12)."""
        for attempt in range(3):
            (folder / str(attempt)).mkdir()
            run_dir = sigterm_once_an_experiment_answered(
                "doctor", folder / str(attempt), processes
            )
            if any(e["type"] == "diagnosis" for e in events_of(run_dir)):
                break
        return run_dir


@pytest.fixture(scope="module")
def shared(module_processes: Processes, tmp_path_factory: pytest.TempPathFactory) -> SharedRuns:
    return SharedRuns(tmp_path_factory.mktemp("shared-runs"), module_processes)


def test_a_sigterm_is_recorded_before_the_worker_exits_it_causes(shared: SharedRuns) -> None:
    """SIGTERM to poolctl mid-run: the trace said "w1 killed by SIGTERM" (seq 10) and only
    then "interrupted", as if something else had killed the worker before the run was cut
    short."""
    run_dir = shared.mid_sleep()
    events = events_of(run_dir)
    types = [e["type"] for e in events]
    assert types.count("interrupted") == 1, types
    first = types.index("interrupted")
    assert not CAUSED_BY_THE_STOP & set(types[:first]), types
    assert "shutdown_done" in types[first:], types  # the stop is there, after it
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


def test_workers_the_interruption_stopped_did_not_end_by_themselves(shared: SharedRuns) -> None:
    """The same run: the report said of each worker "stopped_by: nothing: it had ended by
    itself (killed by SIGTERM (15))", though poolctl's stop on the signal had killed it."""
    run_dir = shared.mid_sleep()
    report = json.loads((run_dir / "report.json").read_text())
    stopped = {w["id"]: w["stopped_by"] for w in report["extra"]["workers"]}
    assert set(stopped) == {"w1", "w2"}, stopped
    for why in stopped.values():
        assert why.startswith("stopped with the interrupted run"), stopped


def test_a_worker_the_interruption_stopped_is_not_said_killed_from_outside(
    shared: SharedRuns,
) -> None:
    """doctor of a silent worker (the reference worker asked in line framing), SIGTERM to
    poolctl once a fresh process answered one of its probe's experiments: the diagnosis its
    trace records judged the probe's death by poolctl's own stop a crash "from outside: a
    supervisor or a user", and the other hypotheses on experiments the stop had killed. It
    now says it was not diagnosed, nothing confirmed."""
    run_dir = shared.doctor()
    diagnoses = [e for e in events_of(run_dir) if e["type"] == "diagnosis"]
    assert diagnoses, "no diagnosis in the trace"
    for diagnosis in diagnoses:
        assert diagnosis["verdict"].startswith("Not diagnosed: the run was interrupted (SIGTERM)")
        assert diagnosis["confirmed"] == [], diagnosis


def test_ping_and_doctor_record_the_interruption_before_what_the_stop_causes(
    tmp_path: Path, processes: Processes, shared: SharedRuns
) -> None:
    """ping and doctor of a silent worker (the reference worker asked in line framing),
    SIGTERM to poolctl once a fresh process answered one of the diagnosis' experiments: their
    traces had no "interrupted" at all, only the experiments and workers the stop ended. (The
    doctor run is the one the test above reads.)"""
    ping = sigterm_once_an_experiment_answered("ping", tmp_path, processes)
    for command, run_dir in (("ping", ping), ("doctor", shared.doctor())):
        events = events_of(run_dir)
        types = [e["type"] for e in events]
        assert types.count("interrupted") == 1, (command, types)
        [interrupted] = [e for e in events if e["type"] == "interrupted"]
        assert interrupted["signal"] == "SIGTERM"
        # it came after the answer poolctl waited for, and is written with the signal's time
        first_answer = types.index("experiment_end")
        assert events[first_answer]["answered"], events[first_answer]
        assert first_answer < types.index("interrupted"), types
        assert events[first_answer]["t"] <= interrupted["at"] <= interrupted["t"], interrupted
        # what the stop ended comes after it: the experiments it killed, the probes' workers
        killed = [
            i for i, e in enumerate(events) if "killed by SIGTERM" in str(e.get("detail", ""))
        ]
        assert killed and min(killed) > types.index("interrupted"), types
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), types
