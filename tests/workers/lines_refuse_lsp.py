"""A server that reads newline-delimited JSON-RPC, as the MCP SDKs' stdio servers do, and
refuses a language server's `initialize` (no `protocolVersion`) with the reply the `mcp` SDK
sends, -32602 'Invalid request parameters'; sent a Content-Length frame, it reads the header as
lines and the message only once its stdin ends (no newline after it). Then it takes the seconds
its first argument gives to exit (default 1.5): mcp-server-fetch 2026.10.24 (mcp 1.x) exits
0.2 s after its stdin ends on a quiet machine, and more than a second later at a load of 20,
past the 1 s poolctl's close probe waits."""

import json
import sys
import time

LINGER = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5

for line in sys.stdin.buffer:
    try:
        message = json.loads(line)
    except ValueError:
        continue  # a header line, or any other line that is no JSON: the SDK logs and drops it
    if not isinstance(message, dict) or "id" not in message:
        continue
    params = message.get("params")
    if message.get("method") == "initialize" and isinstance(params, dict):
        if "protocolVersion" not in params:
            error = {"code": -32602, "message": "Invalid request parameters", "data": ""}
            reply = {"jsonrpc": "2.0", "id": message["id"], "error": error}
        else:
            result = {
                "protocolVersion": params["protocolVersion"],
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "lines-refuse-lsp", "version": "1"},
            }
            reply = {"jsonrpc": "2.0", "id": message["id"], "result": result}
    else:
        reply = {"jsonrpc": "2.0", "id": message["id"], "result": {}}
    sys.stdout.write(json.dumps(reply, separators=(",", ":")) + "\n")
    sys.stdout.flush()
time.sleep(LINGER)  # its event loop's tasks wind down
