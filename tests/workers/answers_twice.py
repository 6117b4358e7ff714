"""A JSON-RPC worker (line framing) that sends every answer twice, as a handler that both
returns and writes its result does."""

import json
import sys

for line in sys.stdin:
    request = json.loads(line)
    answer = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": {"status": "ok"}})
    sys.stdout.write(answer + "\n" + answer + "\n")
    sys.stdout.flush()
