"""A silent worker whose handler waits on a service it called (a database that accepted the
connection and never answers). Before, it was "no hypothesis confirmed ... is in
recvfrom(fd 3 = socket:[N])" and to try a longer --timeout; with a socket timeout (a poll()
on the socket) it was even said to wait for more input on its stdin, "the request was not a
complete message for it"."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.conftest import Processes, RunCli
from tests.test_diagnose_workers import WORKERS, diagnose

SERVICE = (
    "import socket, sys, time\n"
    "server = socket.create_server(('127.0.0.1', 0), backlog=8)\n"
    "print(server.getsockname()[1], flush=True)\n"
    "time.sleep(120)\n"
)


@pytest.fixture
def silent_service(processes: Processes) -> Iterator[tuple[int, int]]:
    """A TCP service on 127.0.0.1, a process of its own, that accepts connections (the
    kernel's backlog does) and never answers: its port and pid."""
    service = processes.popen([sys.executable, "-c", SERVICE], stdout=subprocess.PIPE)
    assert service.stdout is not None
    port = int(service.stdout.readline())
    yield port, service.pid
    service.kill()


@pytest.mark.parametrize("how", ["recv", "poll"])
def test_a_handler_waiting_on_a_service_names_it(
    run_cli: RunCli, silent_service: tuple[int, int], how: str
) -> None:
    port, pid = silent_service
    argv = [sys.executable, str(WORKERS / "waits_on_a_service.py"), str(port)]
    if how == "poll":
        argv.append("--timeout")
    d = diagnose(run_cli, "--timeout", "1", "--framing", "line", "--", *argv)
    remote = f"127.0.0.1:{port}"
    assert (
        f"; its handler waits for {remote} to answer, on a connection it opened (a database, "
        "an API or another service it called)" in d["cause"]
    ), d["cause"]
    texts = [e["text"] for e in d["evidence"]]
    served = f"to {remote} (established); {remote} is served here by pid {pid} (python"
    assert any(" on fd 3, a TCP connection from 127.0.0.1:" in t and served in t for t in texts), (
        texts
    )
    assert d["remediation"].startswith(f"Next: check the service at {remote} (pid {pid} (python")
    [waiting] = [h for h in d["hypotheses"] if h["id"] == "waiting-for-input"]
    assert waiting["status"] == "ruled-out", waiting
