"""A run folder deleted while its run goes on (a cleanup script run too early, a `rm -rf
reports` in another terminal): the run ends with one line that says so, exit 2, no traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import RunCli

DELETES = Path(__file__).parent / "workers" / "deletes_its_run_folder.sh"


def test_a_run_folder_deleted_during_the_run_is_one_line_and_exit_2(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Its worker deletes the folder as it starts. Before: the report's write failed with
    FileNotFoundError, saving its traceback failed the same way, and poolctl printed both
    tracebacks and 'internal error; the traceback could not be saved' (exit 3)."""
    worker = [str(DELETES), sys.executable, "-m", "poolctl.workers.reference"]
    scenario = tmp_path / "gone.yaml"
    scenario.write_text(
        f"name: folder-gone\nworker:\n  command: {json.dumps(worker)}\npool: {{size: 1}}\n"
        "steps:\n  - request: {command: ping}\nexpect:\n  outcome: ok\n"
    )
    run = tmp_path / "run"
    code, _, err = run_cli("run-scenario", str(scenario), "--run-dir", str(run))
    assert not run.exists()
    assert "Traceback" not in err
    (line,) = [line for line in err.splitlines() if line.startswith("poolctl: ")]
    assert line == (
        f"poolctl: error: cannot write {run}: the run folder was deleted while the command ran, "
        "and what it had captured with it (--run-dir a folder nothing else removes)"
    )
    assert code == 2
