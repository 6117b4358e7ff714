"""poolctl under a limit of open files so low that a worker's capture files cannot be opened
(`ulimit -n 10`): the worker cannot start, said in one line as a spawn's EMFILE is, and the
run goes on to its verdict (poolctl/executable.py `no_descriptor_left`)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import Processes


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="no prlimit (util-linux)")
def test_capture_files_past_the_open_files_limit_are_a_worker_that_cannot_start(
    tmp_path: Path, processes: Processes
) -> None:
    """Before: 'internal error; the traceback is in …' and exit 3, the traceback's last line
    `OSError: [Errno 24] Too many open files: '…/workers/w1.stderr.log'`, no report."""
    run = tmp_path / "run"
    argv = [sys.executable, "-m", "poolctl", "run-scenario", "healthy", "--json", "--no-history"]
    limited = ["prlimit", "--nofile=10", "--", *argv, "--run-dir", str(run)]
    done = processes.run(limited, timeout=120, cwd=tmp_path)
    assert not (run / "traceback.txt").exists(), (run / "traceback.txt").read_text()
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    (finding,) = report["findings"]
    assert finding["failure"]["name"] == "healthy: workers could not start"
    said = json.dumps(finding)
    assert "too many open files to start another worker (the limit is 10, `ulimit -n`" in said
