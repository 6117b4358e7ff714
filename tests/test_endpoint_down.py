"""A server that exits with code 1, silent, after its database refused its connect:
@benborla29/mcp-server-mysql 2.0.9 (.peers/alone, `make peers`) answers initialize, connects to
MYSQL_HOST:MYSQL_PORT, and on ECONNREFUSED exits; its log function writes nothing unless
ENABLE_LOGGING is set. ping said only 'leaving no word of why' with strace as the fix, and
run-scenario read the pool's two exits after one answer as 'a request limit' and told the
worker to loop. Now both name the port its environment gives, where nothing listens (read
from /proc/net/tcp after it exited), and say that it tried to connect there is untested."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.diagnose.endpoint_down import endpoint_down, named_endpoints
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/alone/@benborla29/mcp-server-mysql/node_modules/.bin/mcp-server-mysql"
needs_server = pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on: bound by the kernel's choice, then let go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield port


def said(port: int) -> str:
    return (
        f"its environment names 127.0.0.1:{port} (MYSQL_HOST, MYSQL_PORT), and nothing listened "
        f"on port {port} there after it exited (the kernel's table of listening sockets): a "
        "connection there is refused. That it tried one and exited of it is untested"
    )


FIX = "Start the service it connects to on 127.0.0.1:{port}, or point MYSQL_HOST and MYSQL_PORT"


@needs_server
def test_ping_names_the_port_nothing_listens_on(
    capsys: pytest.CaptureFixture[str], processes: Processes, closed_port: int
) -> None:
    env = ["--env", "MYSQL_HOST=127.0.0.1", "--env", f"MYSQL_PORT={closed_port}"]
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", *env]
    code = main([*argv, "--timeout", "20", "--", str(SERVER)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert "exited with code 1, leaving no word of why" in finding["outcome"]["cause"], finding
    assert said(closed_port) in finding["outcome"]["cause"], finding
    assert finding["outcome"]["remediation"].startswith(FIX.format(port=closed_port)), finding


@needs_server
def test_run_scenario_reads_no_request_limit_from_it(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path, closed_port: int
) -> None:
    path = tmp_path / "query.yaml"
    path.write_text(
        "name: mysql-query\n"
        f"worker: {{command: [{SERVER}], protocol: mcp, init_timeout: 20,\n"
        f"         env: {{MYSQL_HOST: 127.0.0.1, MYSQL_PORT: '{closed_port}'}}}}\n"
        "pool: {size: 1, checkout_timeout: 20, request_timeout: 20}\n"
        "steps:\n"
        "  - request: {command: tools/call, args: {name: mysql_query, "
        "arguments: {sql: SELECT 1}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    cause = finding["outcome"]["cause"]
    assert f"saying nothing on its stderr; {said(closed_port)}" in cause, cause
    assert "a request limit" not in cause, cause
    assert finding["outcome"]["remediation"].startswith(FIX.format(port=closed_port)), finding


def test_a_port_something_listens_on_is_not_named(closed_port: int) -> None:
    env = {"PGHOST": "localhost", "PGPORT": str(closed_port), "OTHER_HOST": "db.example"}
    [named] = named_endpoints(env)
    assert (named.host, named.port, named.names) == ("localhost", closed_port, ("PGHOST", "PGPORT"))
    assert endpoint_down(env) == named
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", closed_port))
        listener.listen()
        assert endpoint_down(env) is None
    url = {"DATABASE_URL": f"mysql://u:pw@127.0.0.1:{closed_port}/db", "X": "http://[::1]:99999"}
    assert [(e.port, e.names) for e in named_endpoints(url)] == [(closed_port, ("DATABASE_URL",))]
