"""`poolctl triage -` keeps what it read from standard input in its run folder when it does not
end normally (`poolctl.logs.stdin_copy`): a piped log exists nowhere else."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, Processes, RunCli

LOG = REPO / "tests" / "fixtures" / "pytest" / "pool_suite.txt"


def test_a_triage_interrupted_while_reading_a_pipe_keeps_what_it_read(
    tmp_path: Path, processes: Processes
) -> None:
    """`pytest | poolctl triage -`, then Ctrl-C while the run still holds the pipe open: the
    log it had printed was read by poolctl only, and is kept as stdin.log, which a triage
    reads again (before, the run folder held a report saying "not triaged" and nothing else)."""
    read_end, write_end = os.pipe()
    run = tmp_path / "run"
    poolctl = processes.popen(
        [sys.executable, "-m", "poolctl", "triage", "--no-history", "--run-dir", str(run), "-"],
        stdin=read_end,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    os.close(read_end)
    data = LOG.read_bytes()
    try:
        os.write(write_end, data)  # within a pipe's buffer: the write does not wait
        copy = run / "stdin.log"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # poolctl has read all of it, and waits for more
            if copy.exists() and copy.stat().st_size == len(data):
                break
            time.sleep(0.05)
        poolctl.send_signal(signal.SIGINT)
        _, err = poolctl.communicate(timeout=60)
    finally:
        os.close(write_end)
    assert poolctl.returncode == 130, err
    assert copy.read_bytes() == data
    notes = json.loads((run / "report.json").read_text())["notes"]
    assert any(f"`poolctl triage {copy}` reads it again" in note for note in notes), notes
    again = subprocess.run(
        [sys.executable, "-m", "poolctl", "triage", "--no-history", "-f", "json", str(copy)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert json.loads(again.stdout)["summary"]["failures"] == 22, again.stderr


def test_a_triage_that_ends_normally_keeps_no_copy(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LOG.read_bytes())))
    code, out, _ = run_cli("triage", "--no-history", "--run-dir", str(tmp_path / "run"), "-")
    assert code == 1, out
    assert sorted(p.name for p in (tmp_path / "run").iterdir() if not p.name.startswith(".")) == [
        "report.json",
        "workers",
    ]


def test_empty_standard_input_leaves_no_copy_and_no_folder(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing came: bad input (exit 2), and the run folder, which holds nothing, is removed."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    code, _, err = run_cli("triage", "--no-history", "--run-dir", str(tmp_path / "run"), "-")
    assert code == 2 and "empty input" in err
    assert not (tmp_path / "run").exists()
