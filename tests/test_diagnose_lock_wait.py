"""A worker whose handler waits on a lock (futex) and never answers. With one thread, nothing of
its own can release it: a lock taken twice, a deadlock, or one shared with another process.
Before, the verdict said where it waits but told its user to try a longer --timeout, which
cannot help."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose


def test_a_handler_taking_its_own_lock_twice_is_said_to_have_no_thread_to_release_it(
    run_cli: RunCli,
) -> None:
    argv = (sys.executable, str(WORKERS / "takes_its_lock_twice.py"))
    d = diagnose(run_cli, "--timeout", "1", "--framing", "line", "--", *argv)
    assert confirmed(d) == [], d["cause"]
    assert "is waiting on a lock or condition (futex)" in d["cause"], d["cause"]
    assert (
        "; it has no other thread to release what it waits on: a lock it already holds (taken "
        "twice, a deadlock), or one shared with another process" in d["cause"]
    ), d["cause"]
    assert d["remediation"].startswith("Next: see who holds what it waits on: `py-spy dump --pid ")
    assert "try a longer --timeout" not in d["remediation"]
    texts = [e["text"] for e in d["evidence"]]
    assert any("takes_its_lock_twice.py:18 in `log_and_answer`" in t for t in texts), texts


def test_a_handler_joining_a_slow_thread_may_yet_answer(run_cli: RunCli) -> None:
    argv = (sys.executable, str(WORKERS / "joins_a_slow_thread.py"))
    d = diagnose(run_cli, "--timeout", "1", "--framing", "line", "--", *argv)
    assert "is waiting on a lock or condition (futex)" in d["cause"], d["cause"]
    assert "no other thread to release" not in d["cause"]
    assert "see who holds what it waits on" in d["remediation"]
    assert d["remediation"].endswith("try a longer --timeout.")


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_a_native_program_taking_its_mutex_twice_is_not_told_of_python(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """A C worker (tests/workers/c_locks_twice.c) locking a pthread mutex it holds: py-spy finds
    no interpreter in it. Before, its user was told to `py-spy dump` it and look for a
    `threading.Lock` (gopls in Go got the same)."""
    built = tmp_path / "c_locks_twice"
    source = WORKERS / "c_locks_twice.c"
    subprocess.run(["gcc", "-O2", "-pthread", "-o", str(built), str(source)], check=True)
    d = diagnose(run_cli, "--timeout", "1", "--framing", "line", "--", str(built))
    assert "; it has no other thread to release what it waits on" in d["cause"], d["cause"]
    assert "py-spy" not in d["remediation"] and "threading.Lock" not in d["remediation"]
    assert "-batch -ex 'thread apply all bt'`" in d["remediation"], d["remediation"]
