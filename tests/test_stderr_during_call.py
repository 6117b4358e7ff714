"""Real MCP servers logging an error on their stderr as a tool answers: one whose tool fails
without `isError`, one whose tool's error leaves out the cause it logged. Ping's step says
what it logged beside the answer."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import REPO, Processes
from tests.test_jsonrpc_peers import ping

pytestmark = pytest.mark.slow

AWS_KB = (
    REPO / ".peers/alone/@modelcontextprotocol/server-aws-kb-retrieval/node_modules/.bin"
    "/mcp-server-aws-kb-retrieval"
)


@pytest.mark.skipif(
    not AWS_KB.exists(),
    reason=f"{AWS_KB.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_an_error_logged_while_a_tool_answered_with_success_is_said_beside_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """@modelcontextprotocol/server-aws-kb-retrieval 0.6.2 with no AWS region answers
    retrieve_from_aws_kb with 'Retrieval failed or returned no results.' and no `isError`, and
    logs `RAG Error: Error: Region is missing` on stderr: the step read '✓ tools/call:
    answered', as a success."""
    unset = [a for name in os.environ if name.startswith("AWS_") for a in ("--unset-env", name)]
    args = {"name": "retrieve_from_aws_kb", "arguments": {"query": "x", "knowledgeBaseId": "KB"}}
    code, report = ping(
        capsys,
        *("--protocol", "mcp", "--timeout", "30", "--command", "tools/call"),
        *("--args", json.dumps(args), *unset, "--", str(AWS_KB)),
    )
    assert code == 0, report
    [step] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    assert step["ok"], step
    assert step["detail"] == (
        "answered; its stderr logged an error as it served it: "
        "`RAG Error: Error: Region is missing`"
    ), step


ATLASSIAN = REPO / ".peers/py-alone/mcp-atlassian/bin/mcp-atlassian"


@pytest.mark.skipif(
    not ATLASSIAN.exists(),
    reason=f"{ATLASSIAN.relative_to(REPO)} is missing: run `make peers` (needs pip and PyPI)",
)
def test_an_error_logged_while_a_tool_failed_is_said_beside_its_error(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """mcp-atlassian 0.23.1 given JIRA_URL and no credentials answers jira_get_issue with
    `Jira client (fetcher) not available. Ensure server is configured correctly.` (isError),
    having logged why on stderr, `Jira configuration could not be resolved.`: the step quoted
    the tool's error alone."""
    unset = [a for name in os.environ if name.startswith("JIRA_") for a in ("--unset-env", name)]
    args = {"name": "jira_get_issue", "arguments": {"issue_key": "ABC-1"}}
    code, report = ping(
        capsys,
        *("--protocol", "mcp", "--timeout", "30", "--command", "tools/call"),
        *("--env", "JIRA_URL=https://jira.invalid", *unset),
        *("--args", json.dumps(args), "--", str(ATLASSIAN)),
    )
    assert code == 0, report
    [step] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    assert not step["ok"], step
    assert step["detail"].endswith(
        "Jira client (fetcher) not available. Ensure server is configured correctly.; its "
        "stderr logged an error as it served it: `ERROR - mcp-atlassian.servers.dependencies "
        "- Jira configuration could not be resolved.`"
    ), step


DUCKDUCKGO = REPO / ".peers/py-alone/duckduckgo-mcp-server/bin/duckduckgo-mcp-server"


@pytest.mark.skipif(
    not DUCKDUCKGO.exists(),
    reason=f"{DUCKDUCKGO.relative_to(REPO)} is missing: run `make peers` (needs pip and PyPI)",
)
def test_an_error_sent_as_an_mcp_log_message_is_said_and_a_warnings_source_line_is_not(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """duckduckgo-mcp-server 0.7.0 on a machine with no network answers search with 'No results
    were found …', a success, having sent `The 'curl' search backend requires curl_cffi …` as a
    notifications/message at level error. The step said instead that its stderr logged an
    error, quoting `await ctx.error(str(e))`: the source line Python's warnings show under the
    MCP SDK 2's MCPDeprecationWarning, which says nothing of what failed."""
    args = {"name": "search", "arguments": {"query": "x"}}
    code, report = ping(
        capsys,
        *("--protocol", "mcp", "--timeout", "30", "--command", "tools/call"),
        *("--args", json.dumps(args), "--", str(DUCKDUCKGO)),
    )
    assert code == 0, report
    [step] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    assert step["ok"], step
    assert step["detail"].startswith(
        "answered; it sent a log message at level error as it served it: `The 'curl' search "
        "backend requires curl_cffi, which is not installed."
    ), step
    assert "await ctx.error" not in step["detail"], step
