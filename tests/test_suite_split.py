"""The line between the fast tests and the others holds: a test that starts a process or sleeps
without the fixture for it fails, naming the fixture, even when the code under test swallows
the error; a test that uses the fixture, directly or through another, is marked for
`make test-fast` to leave out."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Processes, RunCli

CONFTEST = Path(__file__).with_name("conftest.py")

INNER = """
import asyncio
import os
import subprocess
import time

import pytest


def test_popen():
    subprocess.run(["true"], check=True)


def test_posix_spawn():
    os.posix_spawnp("true", ["true"], os.environ)


def test_system():
    os.system("true")


def test_sleep():
    time.sleep(0)  # a yield, let through
    time.sleep(0.01)


def test_asyncio_sleep():
    asyncio.run(asyncio.sleep(0.01))


def test_swallowed():
    try:
        subprocess.run(["true"], check=True)
    except BaseException:
        pass  # the guard fails the test all the same


def test_with_the_fixture(processes):
    assert processes.run(["true"], timeout=30).returncode == 0


def test_with_real_sleep(real_sleep):
    real_sleep(0.01)
"""


def inner_suite(processes: Processes, tmp_path: Path) -> str:
    (tmp_path / "conftest.py").write_text(CONFTEST.read_text())
    (tmp_path / "test_inner.py").write_text(INNER)
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rfE"]
    done = processes.run([*argv, str(tmp_path)], timeout=120, cwd=tmp_path)
    return done.stdout + done.stderr


def test_a_test_that_starts_a_process_or_sleeps_without_its_fixture_fails(
    processes: Processes, tmp_path: Path
) -> None:
    out = inner_suite(processes, tmp_path)
    assert re.search(r"\b6 failed, 2 passed in\b", out), out
    for name, call in [
        ("test_popen", "subprocess.Popen"),
        ("test_posix_spawn", "os.posix_spawnp"),
        ("test_system", "os.system"),
    ]:
        assert f"test_inner.py::{name} called {call}: start processes through a fixture" in out
    assert (
        "test_inner.py::test_sleep called time.sleep: sleep through the `real_sleep` fixture" in out
    )
    assert "test_inner.py::test_asyncio_sleep called asyncio.sleep: sleep through" in out
    swallowed = "test_inner.py::test_swallowed called subprocess.Popen: start processes through"
    assert swallowed in out and "(caught on the way)" in out


def test_a_fixture_built_on_processes_marks_its_test(
    request: pytest.FixtureRequest, run_cli: RunCli
) -> None:
    assert request.node.get_closest_marker("process") is not None


def test_real_sleep_marks_its_test(
    request: pytest.FixtureRequest, real_sleep: Callable[[float], None]
) -> None:
    assert request.node.get_closest_marker("waits") is not None


def test_a_test_without_them_is_fast(request: pytest.FixtureRequest) -> None:
    marks = {m.name for m in request.node.iter_markers()}
    assert not marks & {"process", "waits"}
