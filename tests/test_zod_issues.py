"""A Node server that exits on the issues zod found in its settings, logged as zod's JSON array:
@elastic/mcp-server-elasticsearch 0.3.1 (npm, .peers/alone, `make peers`) with no ES_URL logs
`Server error: [` and its issues (`"message": "Elasticsearch URL cannot be empty"`, `"path":
["url"]`) over 20 lines, and exits with code 1. It was told 'Find why it exits: run … by hand';
the verdict now names each setting refused and why."""

from __future__ import annotations

import json

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = (
    REPO
    / ".peers/alone/@elastic/mcp-server-elasticsearch/node_modules/.bin/mcp-server-elasticsearch"
)
PING = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]


@pytest.mark.skipif(
    not SERVER.exists(), reason="the Elasticsearch MCP server is missing: run `make peers`"
)
def test_the_settings_its_check_refused_are_named(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    # its library's JSON preamble on stdout quieted (tests/test_library_logger.py): read first,
    # it was judged before the exit at a load that slowed its start
    quiet = ["--env", "OTEL_LOG_LEVEL=none"]
    code = main([*PING, "--env", "ES_URL=", *quiet, "--", str(SERVER)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        "exited with code 1, after logging `Server error:` with the issues its check of its "
        "settings found (zod's): `url`: Elasticsearch URL cannot be empty; `url`: Invalid "
        "Elasticsearch URL format"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        "Give it the settings its check refused (`url`: Elasticsearch URL cannot be empty)"
    ), outcome["remediation"]
