"""A DSPex worker ({packet, 4}) that writes each answer, framed, to stderr instead of stdout,
then waits for the next request: its caller, reading stdout, gets nothing."""

import json
import struct
import sys

while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stderr.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stderr.buffer.flush()
