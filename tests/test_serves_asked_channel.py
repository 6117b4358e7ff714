"""A server started with another transport that listens there and reads its stdin all the same:
nx-mcp 0.25.0 (npm, .peers/alone, `make peers`) with `--transport sse` serves SSE on its `--port`
(0 here: any free one), prints `Starting Nx MCP server` and more with console.log, and reads the
request from its stdin without answering it. Serves a socket was ruled out ('it read the request
from its stdin') and the verdict was its stray print, the fix `console.error`; the option that
asked it to listen, and the value for stdio its help names, are what it is told now."""

from __future__ import annotations

import json

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

NX_MCP = REPO / ".peers/alone/nx-mcp/node_modules/.bin/nx-mcp"


@pytest.mark.skipif(not NX_MCP.exists(), reason="nx-mcp is missing: run `make peers`")
def test_a_server_asked_to_serve_sse_is_told_the_stdio_value_though_it_read_its_stdin(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    server = [str(NX_MCP), "--transport", "sse", "--port", "0", "--disableTelemetry"]
    code = main([*argv, "--", *server])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    confirmed = [h["id"] for h in outcome["hypotheses"] if h["status"] == "confirmed"]
    assert "serves-socket" in confirmed, outcome["hypotheses"]
    assert outcome["cause"].endswith(
        "request was read from its stdin but answered nothing there; its command's "
        "`--transport sse` asks it to serve there"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        "Start it in stdio mode: give `--transport stdio` in place of `--transport sse`"
    ), outcome["remediation"]
