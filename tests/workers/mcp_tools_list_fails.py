"""An MCP server (line framing) whose `tools/list` fails, as a server does when one tool's
schema cannot be built: it answers `initialize` and `ping`, and `tools/list` with a JSON-RPC
error. A host then has no tool at all."""

import json
import sys

for line in sys.stdin:
    message = json.loads(line)
    if "id" not in message:
        continue  # notifications/initialized
    reply: dict[str, object] = {"jsonrpc": "2.0", "id": message["id"]}
    method = message.get("method")
    if method == "initialize":
        reply["result"] = {
            "protocolVersion": message["params"].get("protocolVersion", "2025-06-18"),
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "tools-list-fails", "version": "0.1"},
        }
    elif method == "tools/list":
        why = "cannot build schema for tool 'search': unresolvable $ref"
        reply["error"] = {"code": -32603, "message": f"Internal error: {why}"}
    else:
        reply["result"] = {}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
