"""A worker that does not exit when its stdin closes (it waits for a shutdown command no pool
sends): ping got its answer, then had to SIGTERM it, and said nothing of it; only a worker that
ignored SIGTERM too was noted. An Erlang port that closes its pipes sends no signal, and such a
worker runs on. doctor's Output hygiene said nothing of it either."""

from __future__ import annotations

import sys

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS

NOTE = "it had not exited 0.5 s after its stdin closed, and SIGTERM ended it"


def test_ping_notes_a_worker_that_outlives_its_stdin(run_cli: RunCli) -> None:
    worker = str(WORKERS / "waits_for_shutdown.py")
    code, out, _ = run_cli("ping", "--timeout", "2", "--", sys.executable, worker)
    assert code == 0, out
    assert NOTE in out
    assert "a pool that only closes its pipes, as an Erlang port does, leaves it running" in out


def test_a_worker_that_exits_at_end_of_input_gets_no_such_note(run_cli: RunCli) -> None:
    code, out, _ = run_cli("ping", "--timeout", "2")  # the reference worker: it exits so
    assert code == 0, out
    assert NOTE not in out


def test_doctor_warns_of_a_worker_that_outlives_its_stdin(run_cli: RunCli) -> None:
    worker = str(WORKERS / "waits_for_shutdown.py")
    _, out, _ = run_cli("doctor", "--timeout", "2", "--", sys.executable, worker)
    assert f"! {NOTE}" in out, out
    assert "exit when a read of stdin returns end of input" in out
