"""A worker that ends between poolctl's look at it and the reap: what it was at its end (its
limits, its CPU time) is read all the same. Before: the look found it running, the reap that
followed took the zombie, and nothing of it was left to read; at a load of 11 a worker ended
by its CPU-time limit's SIGXCPU was said to be killed by a signal from outside."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from poolctl.process_end import read_limits, wait_unreaped
from poolctl.worker import WorkerSpec
from tests.conftest import Processes


def test_an_end_between_the_look_and_the_reap_is_still_read(
    processes: Processes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real process is killed, and left a zombie, right after the first `waitid` that
    found it running answered: the scheduler's preemption at that point, made certain."""
    worker = processes.worker(
        WorkerSpec(argv=("/bin/sh", "-c", "ulimit -St 7; exec sleep 60")), tmp_path / "workers"
    )
    end = time.monotonic() + 30
    while (limit := read_limits(worker.pid).get("Max cpu time")) is None or limit.soft != 7:
        assert time.monotonic() < end, "its shell never set its limit"
        time.sleep(0.01)  # its shell sets the limit, then becomes `sleep`
    real_waitid = os.waitid
    ended: list[int] = []

    def look_then_end(*args: Any) -> Any:
        seen = real_waitid(*args)
        if seen is None and not ended:  # it ran as it was looked at: it ends now
            ended.append(worker.pid)
            os.kill(worker.pid, signal.SIGKILL)
            wait_unreaped(worker.pid, 30)
        return seen

    monkeypatch.setattr(os, "waitid", look_then_end)
    status = None
    for _ in range(3):  # the first look saw it running; the next sees its end
        status = worker.poll()
        if status is not None:
            break
    assert ended and status is not None, "the worker's end was not seen"
    assert status.describe() == "killed by SIGKILL (9)", status.describe()
    assert worker.end is not None, "its end was reaped unread"
    assert worker.end.limits["Max cpu time"].soft == 7, worker.end.limits
