"""A tools/call naming a tool the server does not have: ping shows the names the server's own
tools/list gave in the same session. server-everything (.peers, `make peers`) answers
`MCP error -32602: Tool get_sum not found` (its tool is `get-sum`, one of 14); mcp-server-time
(the dev extra) answers -32602 `Unknown tool: get_time` (its two are get_current_time and
convert_time). ping showed the error alone."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

EVERYTHING = REPO / ".peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
TIME = Path(sys.executable).parent / "mcp-server-time"


def _call(capsys: pytest.CaptureFixture[str], name: str, *command: str) -> str:
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    call = {"name": name, "arguments": {}}
    main([*argv, "--command", "tools/call", "--args", json.dumps(call), "--", *command])
    report = json.loads(capsys.readouterr()[0])
    [step] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    detail: str = step["detail"]
    return detail


@pytest.mark.skipif(
    not EVERYTHING.exists(), reason=f"{EVERYTHING.relative_to(REPO)} is missing: run `make peers`"
)
def test_a_close_name_among_many_is_named(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    detail = _call(capsys, "get_sum", "node", str(EVERYTHING), "stdio")
    assert detail.endswith(
        "MCP error -32602: Tool get_sum not found; its tools/list names no tool get_sum: "
        "`get-sum`, of its 14 tools, is the closest name"
    ), detail


@pytest.mark.skipif(not TIME.exists(), reason=f"{TIME} is missing: install the dev extra")
def test_a_few_tools_are_all_named(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    detail = _call(capsys, "get_time", str(TIME))
    assert detail == (
        "error reply: Unknown tool: get_time (code -32602); its tools/list names no tool "
        "get_time: its tool(s) are get_current_time, convert_time"
    ), detail
