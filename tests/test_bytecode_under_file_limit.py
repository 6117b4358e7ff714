"""poolctl run under a file-size limit (`ulimit -f`) leaves no cut bytecode cache behind.

CPython writes a module's `.pyc` with one write() that the limit cuts short, and keeps the cut
file: a triage under a 4 KiB limit left poolctl/logs/pytest_log.py's at 4,096 bytes, and every
later poolctl run that read a pytest log failed with `EOFError: marshal data too short`.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import Processes

REPO = Path(__file__).resolve().parent.parent
LOG = REPO / "tests" / "fixtures" / "pytest" / "deselected_all.txt"


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="no prlimit (util-linux)")
def test_a_run_under_a_file_size_limit_leaves_every_later_run_working(
    tmp_path: Path, processes: Processes
) -> None:
    # a copy of the package with no bytecode cache yet, as a fresh checkout has (run from its
    # folder: `-m` looks in the working directory first)
    shutil.copytree(REPO / "poolctl", tmp_path / "poolctl", ignore=shutil.ignore_patterns("*.pyc"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tmp_path)
    argv = [sys.executable, "-m", "poolctl", "triage", str(LOG), "--no-history", "--json"]
    limited = processes.run(
        ["prlimit", "--fsize=4096", "--", *argv], timeout=120, env=env, cwd=tmp_path
    )
    assert limited.returncode == 1, limited.stderr
    cut = [p for p in (tmp_path / "poolctl").rglob("*.pyc") if p.stat().st_size == 4096]
    assert cut == []
    after = processes.run(argv, timeout=120, env=env, cwd=tmp_path)
    assert after.returncode == 1 and "Traceback" not in after.stderr, after.stderr
    assert '"failures"' in after.stdout
