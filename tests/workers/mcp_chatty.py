"""An MCP server (line framing) that sends a notification per file it indexes, 500 of them,
before it answers its first ping: a chatty server."""

import json
import sys

for line in sys.stdin:
    message = json.loads(line)
    if "id" not in message:
        continue
    reply: dict[str, object] = {"jsonrpc": "2.0", "id": message["id"], "result": {}}
    if message.get("method") == "initialize":
        reply["result"] = {
            "protocolVersion": message["params"].get("protocolVersion", "2025-06-18"),
            "capabilities": {"logging": {}},
            "serverInfo": {"name": "chatty", "version": "0.1"},
        }
    elif message.get("method") == "ping":
        for i in range(500):
            note = {"level": "info", "data": f"indexed file {i}"}
            sent = {"jsonrpc": "2.0", "method": "notifications/message", "params": note}
            sys.stdout.write(json.dumps(sent) + "\n")
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
