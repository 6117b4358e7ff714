"""Shared fixtures, and the check that no test leaves a worker process behind."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from poolctl.rundir import BASE_ENV

# Every process a test starts inherits this marker, so leftovers can be found by environment.
LEAK_MARKER = "POOLCTL_TEST_SESSION"
os.environ[LEAK_MARKER] = uuid.uuid4().hex
REFERENCE = (sys.executable, "-m", "poolctl.workers.reference")
REPO = Path(__file__).resolve().parent.parent


def marked_processes() -> list[tuple[int, str]]:
    """Live processes (other than this one) carrying this session's marker."""
    needle = f"{LEAK_MARKER}={os.environ[LEAK_MARKER]}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/stat", "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    continue  # a zombie is already dead; its parent reaps it
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append((int(entry), cmdline))
    return found


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind() -> Iterator[None]:
    yield
    deadline = time.monotonic() + 5
    left = marked_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = marked_processes()
    for pid, _ in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left behind by the tests: {left}"


@pytest.fixture(autouse=True)
def reports_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run folders go to the test's temporary directory, never into the repository."""
    base = tmp_path / "reports"
    monkeypatch.setenv(BASE_ENV, str(base))
    return base
