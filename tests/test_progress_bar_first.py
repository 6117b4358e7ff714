"""A log whose first megabytes are a progress bar's `\\r` redraws (a step fetching its data
before the tests, drawn as tqdm draws to a pipe), then a runner's output. Its format is found
past the first MiB, but the check for classic Mac line ends read only the first 64 KiB again,
saw no newline there, and refused the whole log: 'its lines end in a CR alone (no newline in
its first 65,536 bytes), which poolctl does not read' (exit 2). A log whose format was found
is read now. The progress bar is the real output of tests/fixtures/src/progress_bar_step.py,
the run after it the captured tests/fixtures/pytest/pool_suite_verbose.txt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import Processes, RunCli

FIXTURES = Path(__file__).parent / "fixtures"
STEP = FIXTURES / "src" / "progress_bar_step.py"
RUN = FIXTURES / "pytest" / "pool_suite_verbose.txt"


def test_a_log_behind_megabytes_of_progress_bar_is_read(
    cli: RunCli, tmp_path: Path, processes: Processes
) -> None:
    step = processes.popen([sys.executable, str(STEP)], stdout=subprocess.PIPE)
    bar, _ = step.communicate(timeout=120)
    assert bar.find(b"\n") > 1 << 20 and bar.count(b"\r") > 1000  # past every head sniffed
    log = tmp_path / "ci.log"
    log.write_bytes(bar + RUN.read_bytes())
    code, out, err = cli(
        "triage", str(log), "--no-history", "--format", "json", "--run-dir", str(tmp_path / "r")
    )
    assert code == 1, err
    alone = json.loads(
        cli("triage", str(RUN), "--no-history", "--format", "json")[1]
    )["summary"]  # fmt: skip
    assert json.loads(out)["summary"] == alone  # every failure of the run read, as without it
