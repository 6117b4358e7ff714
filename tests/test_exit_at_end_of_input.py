"""A worker that does not exit when its stdin closes (it waits for a shutdown command no pool
sends): ping got its answer, then had to SIGTERM it, and said nothing of it; only a worker that
ignored SIGTERM too was noted. An Erlang port that closes its pipes sends no signal, and such a
worker runs on. doctor's Output hygiene said nothing of it either."""

from __future__ import annotations

import sys
from pathlib import Path

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


def test_a_worker_tearing_down_after_its_stdin_closes_is_waited_for(run_cli: RunCli) -> None:
    """A worker that exits at end of input after 0.8 s of CPU (its teardown) was sent SIGTERM
    0.5 s after its stdin closed, and said to outlive it: 'a pool that only closes its pipes
    … leaves it running', which it does not. A worker still at work is waited for."""
    worker = str(WORKERS / "slow_teardown.py")
    code, out, _ = run_cli("ping", "--timeout", "5", "--", sys.executable, worker)
    assert code == 0, out
    assert NOTE not in out, out


def test_a_real_mcp_server_exiting_as_its_stdin_closes_gets_no_such_note(
    run_cli: RunCli,
) -> None:
    """mcp-server-time (the MCP SDK's) exits 0.2-2.0 s after its stdin closes, tearing down:
    pinged three times, two of three said it had not exited 0.5 s after its stdin closed."""
    server = str(Path(sys.executable).parent / "mcp-server-time")
    for _ in range(3):
        code, out, _ = run_cli("ping", "--protocol", "mcp", "--timeout", "20", "--", server)
        assert code == 0, out
        assert NOTE not in out, out
