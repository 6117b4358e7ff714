"""A hand-written MCP server (line framing) that answers initialize with the protocol version
given as its argument, whatever the client asked: `1999-01-01`, which no MCP release names, or
a release's own."""

import json
import sys

version = sys.argv[1]
for line in sys.stdin:
    message = json.loads(line)
    if "id" not in message:
        continue  # notifications/initialized
    result: dict[str, object] = {}
    if message["method"] == "initialize":
        info = {"name": "versioned", "version": "0.1"}
        result = {"protocolVersion": version, "capabilities": {}, "serverInfo": info}
    elif message["method"] == "tools/list":
        result = {"tools": []}
    print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}), flush=True)
