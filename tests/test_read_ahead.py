"""A worker whose stdin is read on a thread of its own while its main thread still starts: the
request leaves the pipe at once, and the reader waits for more. Neither the pipe nor the read
tells a slow start from a request cut short: both are said untested, not judged."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

pytestmark = pytest.mark.slow

READS_ON_A_THREAD = str(WORKERS / "reads_on_a_thread.py")


def test_a_request_read_ahead_by_a_thread_while_the_main_one_starts_is_not_judged(
    run_cli: RunCli,
) -> None:
    """Its reader thread took the request and waits in read(fd 0) for the next while its main
    thread sleeps through a 30 s start-up: this was confirmed 'waiting for input: the request
    was not a complete message for it', and stuck-in-init ruled out as 'it read the request'."""
    d = diagnose(run_cli, "--timeout", "1", "--", sys.executable, READS_ON_A_THREAD, "30")
    assert confirmed(d) == [], d["cause"]
    judged = {h["id"]: h for h in d["hypotheses"]}
    for cause in ("waiting-for-input", "stuck-in-init"):
        assert judged[cause]["status"] == "untested", judged[cause]
        assert "not its main thread, is blocked in read(fd 0 = pipe:[" in judged[cause]["reason"]
        assert "while its main thread is sleeping in clock_nanosleep" in judged[cause]["reason"]
