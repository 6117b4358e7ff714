"""A line-framed JSON-RPC server that validates every line with the MCP SDK's own message
types, as the v1 SDK did: a line that is no JSON-RPC message is logged on stderr with the
validation error (naming `jsonrpc` and `method`) and dropped. Valid requests are answered.

After `notifications/initialized` it asks the client `roots/list` (a request from the server)
and sends a `notifications/message`; its `ping` answer says what the client answered.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
from collections.abc import Iterator

gc.disable()  # the SDK's message types are built with the collector paused (mcp_server.py)
from mcp_types import jsonrpc_message_adapter  # noqa: E402
from pydantic import ValidationError  # noqa: E402

gc.freeze()
gc.enable()

logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(message)s")
log = logging.getLogger("jsonrpc-strict")
roots_answer: object = None


def send(body: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(body) + "\n")
    sys.stdout.flush()


asked_roots = False


def await_roots_answer() -> None:
    """Read on until the client answers our roots/list (its answer may follow a request)."""
    global roots_answer
    pending = []
    for raw in sys.stdin:
        msg = json.loads(raw)
        if msg.get("id") == "srv-1" and "method" not in msg:
            roots_answer = msg.get("result", msg.get("error"))
            break
        pending.append(raw)
    backlog.extend(pending)


backlog: list[str] = []


def lines() -> Iterator[str]:
    while True:
        if backlog:
            yield backlog.pop(0)
            continue
        raw = sys.stdin.readline()
        if not raw:
            return
        yield raw


for line in lines():
    try:
        jsonrpc_message_adapter.validate_json(line)
    except ValidationError as exc:
        first = str(exc).splitlines()
        log.error("Failed to validate message: %s", " ".join(s.strip() for s in first[:4]))
        continue
    msg = json.loads(line)
    method = msg.get("method")
    if method is None:  # the client's answer to our roots/list
        roots_answer = msg.get("result")
        continue
    if "id" not in msg:
        if method == "notifications/initialized":
            asked_roots = True
            send({"jsonrpc": "2.0", "id": "srv-1", "method": "roots/list"})
            send(
                {
                    "jsonrpc": "2.0",
                    "method": "notifications/message",
                    "params": {"level": "info", "data": "jsonrpc-strict ready"},
                }
            )
        continue
    if method == "initialize":
        result: object = {
            "protocolVersion": msg["params"].get("protocolVersion"),
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "jsonrpc-strict", "version": "0.1"},
        }
    elif method == "ping":
        if asked_roots and roots_answer is None:
            await_roots_answer()
        result = {"roots_answer": roots_answer}
    elif method == "tools/list":
        result = {"tools": []}
    else:
        send(
            {
                "jsonrpc": "2.0",
                "id": msg["id"],
                "error": {"code": -32601, "message": "Method not found"},
            }
        )
        continue
    send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
