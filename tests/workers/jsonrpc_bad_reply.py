"""A hand-written JSON-RPC worker (line framing) whose replies break JSON-RPC 2.0's shape:
`string` answers with an error that is a bare string, `both` with a result and an error."""

import json
import sys

mode = sys.argv[1]
for line in sys.stdin:
    request = json.loads(line)
    reply: dict[str, object] = {"jsonrpc": "2.0", "id": request["id"]}
    if mode == "string":
        reply["error"] = "boom: no such method"
    else:
        reply.update(result={"ok": True}, error=None)
    print(json.dumps(reply), flush=True)
