"""A worker whose command starts it in a pid namespace of its own (`unshare -fp`, as a
container's entry point runs) and that does not exit at end of input: the stop's SIGTERM is
dropped by the kernel (a namespace's first process gets only the signals it handles), and
`unshare` blocks it. Before, ping's note said the worker 'ignored SIGTERM', as if its code did,
and the pool's finding the same; the note now says why, from /proc/PID/status (NSpid, SigCgt,
SigBlk), and SIGKILL still leaves none of its processes behind."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from poolctl.proctree import processes_with_env
from tests.conftest import REFERENCE, RunCli


def unshare_allowed() -> bool:
    if shutil.which("unshare") is None:
        return False
    try:
        done = subprocess.run(["unshare", "-fp", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


pytestmark = pytest.mark.skipif(not unshare_allowed(), reason="no pid namespace can be made here")


def test_a_namespace_s_first_process_that_drops_sigterm_is_said_so(
    run_cli: RunCli, tmp_path: Path
) -> None:
    mark = uuid.uuid4().hex
    code, out, err = run_cli(
        "ping", "--json", "--run-dir", str(tmp_path / "run"), "--env", f"PIDNS_TEST={mark}",
        "--", "unshare", "-fp", *REFERENCE, "--hang-on-eof",
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    (note,) = [n for n in report["notes"] if "did not exit when its stdin closed" in n]
    assert "SIGTERM did not end it (pid " in note
    assert "is the first process of a pid namespace of its own (NSpid " in note
    assert " 1) with no handler for SIGTERM" in note
    assert "(unshare) blocks it (SigBlk)" in note
    assert "ignored SIGTERM" not in note
    assert note.endswith("or an init before it that passes signals on (`docker run --init`, tini)")
    assert not processes_with_env("PIDNS_TEST", mark)  # the namespace's process too


def test_a_pooled_worker_in_a_namespace_of_its_own_is_said_so_at_the_stop(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Its request timed out (it sleeps in the middle of a frame), and the pool's stop could not
    end it with SIGTERM. Before: 'ignored SIGTERM, and the pool's SIGKILL ended it'."""
    worker = Path(__file__).resolve().parent / "workers" / "pauses_mid_frame.py"
    command = json.dumps(["unshare", "-fp", sys.executable, str(worker)])
    path = tmp_path / "ns.yaml"
    path.write_text(
        "name: in-a-namespace\ndescription: a worker as a pid namespace's first process\n"
        f"worker: {{command: {command}, framing: packet-4}}\n"
        "pool: {size: 1, max_overflow: 0, lazy: false, checkout_timeout: 3, request_timeout: 1}\n"
        "steps:\n  - request: {command: ping, count: 1}\n"
    )
    code, out, err = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "r"))
    assert code == 1, err
    (finding,) = json.loads(out)["findings"]
    cause = finding["outcome"]["cause"]
    assert "of its stdin's close, SIGTERM did not end it (pid " in cause, cause
    assert "is the first process of a pid namespace of its own (NSpid " in cause
    assert "and the pool's SIGKILL ended it 2 s later" in cause
