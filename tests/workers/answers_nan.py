"""A dspex worker (packet-4) whose answer holds NaN and an infinity, as Python's `json.dumps`
writes them by default: poolctl's reader, Python's, takes them; Elixir's Jason refuses the
whole message."""

import json
import struct
import sys

stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
while header := stdin.read(4):
    request = json.loads(stdin.read(struct.unpack(">I", header)[0]))
    result = {"status": "ok", "scores": [0.5, float("nan")], "best": float("-inf")}
    body = json.dumps({"id": request["id"], "success": True, "result": result}).encode()
    stdout.write(struct.pack(">I", len(body)) + body)
    stdout.flush()
