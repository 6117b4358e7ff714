"""A JSON-RPC worker (line framing) whose handler finishes only as its stdin ends, flushing
each answer as it writes it: a handler slower than the timeout (a loaded machine's) that
finished just as poolctl closed its stdin, made certain. It reads on while its requests are
pending, as an event loop does, so it is seen waiting on its stdin."""

import json
import sys

pending = [json.loads(line) for line in sys.stdin if line.strip()]  # to the end of its input
for request in pending:
    answer = {"jsonrpc": "2.0", "id": request["id"], "result": "pong"}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
