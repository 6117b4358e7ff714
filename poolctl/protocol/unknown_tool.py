"""A tools/call naming a tool the server does not have, told with the names its own tools/list
gave in the same session: @modelcontextprotocol/server-sequential-thinking 2026.8.31 answers a
call of `sequential_thinking` with `MCP error -32602: Tool sequential_thinking not found`; its one
tool is `sequentialthinking`. ping showed the error alone."""

from __future__ import annotations

import difflib
import re
from typing import Any

# the MCP TypeScript SDK's `Tool X not found`, the Python SDK's (FastMCP's) `Unknown tool: X`
_UNKNOWN = re.compile(r"\bTool (?P<ts>\S+) not found\b|\bUnknown tool: ?['\"]?(?P<py>[\w.:/-]+)")
SHOWN = 8  # tool names listed: past that, the closest, or the first few


def unknown_tool(error: str, listed: Any) -> str:
    """What a step adds when `error` says the called tool does not exist and `listed` (the
    session's tools/list result) names the server's tools ("" otherwise)."""
    found = _UNKNOWN.search(error)
    tools = listed.get("tools") if isinstance(listed, dict) else None
    if found is None or not isinstance(tools, list):
        return ""
    name = found["ts"] or found["py"]
    names = [str(t["name"]) for t in tools if isinstance(t, dict) and "name" in t]
    if not names or name in names:
        return ""
    if len(names) <= SHOWN:
        return f"; its tools/list names no tool {name}: its tool(s) are {', '.join(names)}"
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if close:
        return (
            f"; its tools/list names no tool {name}: `{close[0]}`, of its {len(names)} tools, "
            "is the closest name"
        )
    return (
        f"; its tools/list names no tool {name}: {', '.join(names[:SHOWN])} … "
        f"(+{len(names) - SHOWN})"
    )
