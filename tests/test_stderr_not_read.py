"""run-scenario with its standard error a pipe nobody reads (`poolctl … 2>&1 | sleep 30`, a CI
step's pipe left undrained): its progress lines fill the pipe, and the pool must go on. It
printed each notable event itself, so the pool stopped in a write until the reader went away
(10.6 s in a run of 800 worker restarts, a checkout timing out meanwhile). Here the pipe is
made one page small and is read by nobody until poolctl has ended."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Processes
from tests.test_diagnose_workers import WORKERS

pytestmark = pytest.mark.slow

F_SETPIPE_SZ = 1031  # Linux's fcntl: a pipe's capacity
SCENARIO = """\
name: restarts
worker:
  command: [{python}, {worker}]
  init_timeout: 10
pool:
  size: 1
  max_overflow: 0
  lazy: true
  checkout_timeout: 10
steps:
  - request:
      command: ping
      count: 40
expect:
  outcome: ok
"""


def test_a_run_whose_stderr_nobody_reads_goes_on_to_its_end(
    processes: Processes, tmp_path: Path
) -> None:
    """Before: poolctl never ended while its stderr went unread (the guard's 60 s ran out);
    each of the 40 requests restarts a worker (answers_once.py), 4 lines each, 16 KB and more
    of progress lines against a 4 KB pipe."""
    path = tmp_path / "restarts.yaml"
    worker = WORKERS / "answers_once.py"
    path.write_text(
        SCENARIO.format(python=json.dumps(sys.executable), worker=json.dumps(str(worker)))
    )
    read_end, write_end = os.pipe()
    try:
        fcntl.fcntl(write_end, F_SETPIPE_SZ, 4096)
        poolctl = processes.popen(
            [
                sys.executable,
                "-m",
                "poolctl",
                "run-scenario",
                str(path),
                "--run-dir",
                str(tmp_path / "run"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=write_end,
        )
        os.close(write_end)
        write_end = -1
        try:
            code = poolctl.wait(timeout=60)  # a guard against a poolctl that never ends
        except subprocess.TimeoutExpired:
            pytest.fail("poolctl was still blocked writing to the stderr nobody read")
        said = b""
        while chunk := os.read(read_end, 65536):
            said += chunk
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    assert code == 1, said[-2000:]  # each worker exits after one answer: no request answered
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["summary"]["failures"] == 1
    assert b"w1 spawned (pid " in said  # its first lines, once read
