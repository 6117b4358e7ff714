"""A real MCP server that frees its port as it starts by killing whatever holds it: the
workers of one pool kill each other, and the notes say so instead of leaving the SIGKILL to a
supervisor or a user."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

pytestmark = pytest.mark.slow

BROWSER_MCP = REPO / ".peers/alone/@browsermcp/mcp/node_modules/.bin/mcp-server-browsermcp"
PORT = 9009  # @browsermcp/mcp 0.1.3's WebSocket port, fixed in its code


def _port_taken() -> bool:
    """Whether something listens on PORT: the server would kill it."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", PORT)) == 0


@pytest.mark.skipif(
    not BROWSER_MCP.exists(),
    reason=f"{BROWSER_MCP.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_workers_of_a_server_that_kills_its_ports_holder_are_said_killed_by_each_other(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """@browsermcp/mcp 0.1.3 runs `lsof -ti:9009 | xargs kill -9` as it starts, then listens on
    9009. In a pool of two, started one after the other (the second 4 s later, as a pool
    replacing a worker starts one), each that starts kills the other with SIGKILL: the
    scenario passed with notes 'w1 killed by SIGKILL (9) while idle …; the pool replaced it'
    and no word of why. The note names the copy of its own command, the port and the command
    that frees it (quoted from the first worker's stderr, where it found nothing to kill)."""
    if _port_taken():
        pytest.skip(f"port {PORT} is in use here: the server would kill what holds it")
    first = tmp_path / "first"  # the first worker starts at once, the others 4 s later
    argv = ["bash", "-c", 'mkdir "$1" 2>/dev/null || sleep 4; exec "$0"', str(BROWSER_MCP)]
    path = tmp_path / "browsermcp.yaml"
    path.write_text(
        "name: browsermcp-pool\n"
        f"worker: {{command: {json.dumps([*argv, str(first)])}, protocol: mcp, "
        "init_timeout: 30}\n"
        "pool: {size: 2, checkout_timeout: 30, request_timeout: 10}\n"
        "steps:\n"
        "  - request: {command: tools/list, args: {}, expect: {success: true}}\n"
        "  - sleep: 6\n"
        "  - request: {command: tools/list, args: {}, expect: {success: true}}\n"
    )
    main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    [note] = [n for n in report["notes"] if n.startswith("worker w1 killed by SIGKILL (9)")]
    assert (
        "a copy of its own command killed it: it starts by killing whatever holds port 9009 "
        "(`lsof -ti:9009 | xargs kill -9`)" in note
    ), note
    assert "a pool of it keeps one worker (size 1)" in note, note


@pytest.mark.skipif(
    not BROWSER_MCP.exists(),
    reason=f"{BROWSER_MCP.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_doctor_warns_that_two_workers_of_a_port_killing_server_cannot_run(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """doctor's Output hygiene read browsermcp's stderr at start, the `kill` usage its
    `lsof -ti:9009 | xargs kill -9` printed with nothing on the port, as '2 line(s) on stderr at
    start say it cannot work as started ('Usage:')' with 'read what it says it needs (an
    argument, a setting, a directory) and give it', while its Limits passed 2 workers (the
    default pool size), which kill each other. It warns that two cannot run at once."""
    if _port_taken():
        pytest.skip(f"port {PORT} is in use here: the server would kill what holds it")
    main(["doctor", "--json", "--protocol", "mcp", "--timeout", "30", "--", str(BROWSER_MCP)])
    report = json.loads(capsys.readouterr()[0])
    [stderr] = [
        c for c in report["checks"] if (c["section"], c["name"]) == ("Output hygiene", "stderr")
    ]
    assert stderr["status"] == "warn", stderr
    assert stderr["summary"].endswith(
        ": it kills whatever holds port 9009 as it starts (`lsof -ti:9009 | xargs kill -9`): two "
        "processes of this command cannot run at once, each that starts kills the other"
    ), stderr
    assert "run one worker of it (pool size 1)" in stderr["remedy"], stderr
