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
