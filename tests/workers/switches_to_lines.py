"""A DSPex worker ({packet, 4}) that answers its first request framed, then switches: every
answer after it is a JSON line, as a handler that prints does."""

import json
import struct
import sys

served = 0
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    served += 1
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    if served >= 2:
        sys.stdout.buffer.write(body + b"\n")  # a JSON line, no length header
    else:
        sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
