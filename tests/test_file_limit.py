"""A worker's logs cut by the file-size limit (`ulimit -f`) are said in the run's report: a
real `poolctl run-scenario` under a 100 KiB limit, its worker flooding its stderr, or its debug
log filled by large requests until the reference worker's write fails with EFBIG (it exits 1).
Before, the logs ended at 102,400 bytes and the report said nothing."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from poolctl.rundir import BASE_ENV
from tests.conftest import Processes

LIMIT_KIB = 100
FLOOD = """\
import runpy, sys
sys.stderr.write(("noise " * 20 + "\\n") * 20000)  # 2.4 MB
sys.stderr.flush()
sys.argv = ["reference"]
runpy.run_module("poolctl.workers.reference", run_name="__main__")
"""


def run_limited(
    tmp_path: Path, processes: Processes, worker: str, step: str, codes: tuple[int, ...] = (0,)
) -> list[str]:
    """The report's notes of a scenario run under the file-size limit, which ends with one of
    `codes` (it passes, by default)."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"worker:\n  command: {worker}\npool: {{size: 1}}\nsteps:\n  - {step}\n")
    run_dir = tmp_path / "run"
    argv = f"exec {sys.executable} -m poolctl run-scenario {scenario} --no-history"
    command = f"ulimit -f {LIMIT_KIB}; {argv} --run-dir {run_dir}"
    env = {**os.environ, BASE_ENV: str(tmp_path / "reports")}
    done = processes.run(["bash", "-c", command], timeout=120, env=env)
    assert done.returncode in codes, done.stdout + done.stderr
    notes: list[str] = json.loads((run_dir / "report.json").read_text())["notes"]
    return notes


def test_a_stderr_log_cut_by_the_limit_is_said(tmp_path: Path, processes: Processes) -> None:
    flood = tmp_path / "flood.py"
    flood.write_text(FLOOD)
    notes = run_limited(
        tmp_path, processes, f'["{{python}}", "{flood}"]', "request: {command: ping}"
    )
    assert (tmp_path / "run" / "workers" / "w1.stderr.log").stat().st_size == LIMIT_KIB * 1024
    [note] = [n for n in notes if n.startswith("workers/w1.stderr.log (w1's stderr) was cut")]
    assert "at 100 KiB (102,400 bytes), the file-size limit (`ulimit -f`)" in note


def test_a_debug_log_cut_by_the_limit_is_said_with_the_workers_word(
    tmp_path: Path, processes: Processes
) -> None:
    pad = "x" * 20_000  # each request's line in the debug log is 20 KB; events.jsonl's small
    step = f'request: {{command: echo, args: {{pad: "{pad}"}}, count: 10}}'
    reference = '["{python}", "-m", "poolctl.workers.reference"]'
    # the worker exits 1 when its debug log's flush fails: after its last answer, or, its flush
    # thread running at another moment on a loaded machine, before it (the scenario fails)
    notes = run_limited(tmp_path, processes, reference, step, codes=(0, 1))
    [note] = [n for n in notes if n.startswith("workers/w1.debug.log (w1's own debug log)")]
    assert note.endswith("w1 said on its stderr: 'OSError: [Errno 27] File too large'")
    # poolctl's transcript of its answers is cut too when they reached the limit before it died
    transcript = tmp_path / "run" / "workers" / "w1.stdout.bin"
    cut = transcript.stat().st_size == LIMIT_KIB * 1024
    said = any(n.startswith("workers/w1.stdout.bin (poolctl's transcript") for n in notes)
    assert said == cut, (transcript.stat().st_size, notes)
