"""A DSPex worker ({packet, 4}) that writes every answer twice, as a handler that both returns
its result and writes it does: the copy is a second answer to a request answered already."""

import json
import struct
import sys

while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(2 * (struct.pack(">I", len(body)) + body))
    sys.stdout.buffer.flush()
