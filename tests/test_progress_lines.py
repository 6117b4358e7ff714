"""The plain progress lines: one short line per notable event, whatever a worker answered."""

from __future__ import annotations

from typing import Any

from poolctl.events import Event
from poolctl.progress import describe


def ready(reported: Any) -> str:
    return describe(
        Event(
            1,
            0.3,
            "init_end",
            "w1",
            None,
            None,
            {"ok": True, "seconds": 0.25, "reported": reported},
        )
    )


def test_a_ready_mcp_server_is_named_not_dumped() -> None:
    """An MCP server's initialize answer holds its capabilities and instructions (the
    everything server's run to 2,000 characters): the line printed all of it."""
    answer = {
        "protocolVersion": "2025-11-25",
        "capabilities": {"tools": {"listChanged": True}},
        "serverInfo": {"name": "mcp-servers/everything", "version": "2.0.0"},
        "instructions": "# Everything Server\n" + "x" * 2000,
    }
    line = ready(answer)
    assert line == (
        "w1 ready after 0.250 s, server 'mcp-servers/everything' 2.0.0, protocol 2025-11-25"
    )


def test_a_ready_worker_s_own_answer_is_shown_and_cut_to_a_line() -> None:
    assert ready({"status": "ok", "mode": "pool"}) == (
        "w1 ready after 0.250 s, reports {'status': 'ok', 'mode': 'pool'}"
    )
    long = ready({"blob": "y" * 1000})
    assert long.endswith("…") and len(long) < 200 and "\n" not in long
    assert ready({}) == "w1 ready after 0.250 s"
