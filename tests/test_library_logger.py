"""A JSON log record on an MCP server's stdout written by a library it loads:
@elastic/mcp-server-elasticsearch 0.3.1 (npm, .peers/alone, `make peers`) imports EDOT Node.js
(@elastic/opentelemetry-node 1.18.0), whose logger writes a preamble to stdout as it starts
(`{"name":"elastic-otel-node","level":30,"preamble":true,…}`), before its answer to initialize.
The fix was to point its logger at stderr with `console.error`, in code that is not the server's
own; it is the variable that quiets that logger, and with it set the server answers first."""

from __future__ import annotations

import json

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = (
    REPO
    / ".peers/alone/@elastic/mcp-server-elasticsearch/node_modules/.bin/mcp-server-elasticsearch"
)
# its URL's checks pass; nothing listens there, and the handshake asks no request of it
PING = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
URL = ["--env", "ES_URL=http://127.0.0.1:9"]


@pytest.mark.skipif(
    not SERVER.exists(), reason="the Elasticsearch MCP server is missing: run `make peers`"
)
def test_a_libraries_logger_on_stdout_is_quieted_by_its_variable(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    code = main([*PING, *URL, "--", str(SERVER)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].startswith(
        'A JSON logger writes to the worker\'s stdout: \'{"name":"elastic-otel-node"'
    ), outcome["cause"]
    assert outcome["cause"].endswith(
        "; the record names its logger `elastic-otel-node`: EDOT Node.js "
        "(@elastic/opentelemetry-node, Elastic's OpenTelemetry distribution), a library the "
        "server loads, whose logger writes to stdout"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        "Quiet the library that logs on its stdout from the worker's environment: "
        "`OTEL_LOG_LEVEL=none` (`--env OTEL_LOG_LEVEL=none`;"
    ), outcome["remediation"]
    # as the fix says: its answer is then the first line of its stdout
    code = main([*PING, *URL, "--env", "OTEL_LOG_LEVEL=none", "--", str(SERVER)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report
