"""A request refused by its server's own service on this machine, told in ping's step as
run-scenario tells it (pattern 7): server-postgres (.peers, `make peers`) given a database URL
where nothing listens answers `query` with `connect ECONNREFUSED 127.0.0.1:PORT`; mcp-obsidian
0.2.3 with no Obsidian running answers with urllib3's `HTTPSConnectionPool(host='127.0.0.1',
port=27124): … Connection refused`. ping's step showed the error alone."""

from __future__ import annotations

import json
import socket

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/node_modules/.bin/mcp-server-postgres"


@pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
def test_ping_names_the_service_that_refused(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    with socket.socket() as s:  # a port nothing listens on once it is closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    call = {"name": "query", "arguments": {"sql": "select 1"}}
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    argv += ["--command", "tools/call", "--args", json.dumps(call)]
    main([*argv, "--", str(SERVER), f"postgresql://127.0.0.1:{port}/db"])
    report = json.loads(capsys.readouterr()[0])
    [step] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    assert f"connect ECONNREFUSED 127.0.0.1:{port}" in step["detail"], step
    assert step["detail"].endswith(
        f"; a service on this machine refused its connection (127.0.0.1:{port}), as the error "
        "says: pattern 7 (dependency-not-started), the request not at fault. Start the service "
        f"on 127.0.0.1:{port}, or point the worker at the address one listens on"
    ), step
