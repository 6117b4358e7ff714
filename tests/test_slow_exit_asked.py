"""A server slow to start that exits saying what it lacks: mcp-snowflake-server 0.4.0 (7 s to
start here) exits asking for SNOWFLAKE_DATABASE past ping's 5 s timeout, and its copy spoken
lsp, as slow, was still starting when its wait was up: the fix said was to ping it spoken lsp
with a longer timeout, the variable it asked for left aside. Here server-slack (.peers, `make
peers`), each start 1 s late behind `sh -c 'sleep 1; exec …'`, with a 0.5 s timeout: its own
words (`Please set SLACK_BOT_TOKEN and SLACK_TEAM_ID environment variables`) are the fix."""

from __future__ import annotations

import json
import shutil

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SLACK = REPO / ".peers/node_modules/@modelcontextprotocol/server-slack/dist/index.js"


@pytest.mark.skipif(
    not SLACK.exists() or shutil.which("node") is None, reason="server-slack is missing: make peers"
)
def test_what_it_asks_for_is_the_fix_not_another_protocol(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    late = ["sh", "-c", 'sleep 1; exec "$@"', "sh", "node", str(SLACK)]
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "0.5"]
    code = main([*argv, "--", *late])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        "it asks for environment variables SLACK_BOT_TOKEN and SLACK_TEAM_ID"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        "Set SLACK_BOT_TOKEN and SLACK_TEAM_ID in its environment"
    ), outcome["remediation"]
