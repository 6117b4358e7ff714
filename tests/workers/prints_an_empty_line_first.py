"""A newline-delimited JSON worker that prints an empty line at start (an empty `print()` that
spaced a banner long gone), then answers every request."""

import json
import sys

print(flush=True)
for line in sys.stdin:
    request = json.loads(line)
    print(json.dumps({"id": request["id"], "success": True, "result": "pong"}), flush=True)
