"""A DSPex worker ({packet, 4}) that asks a question with input() before it serves, as a
set-up script left interactive does: the question goes to stdout, the framed stream, and the
reply is read from stdin, where the requests come."""

import json
import struct
import sys

input("Overwrite the existing cache? [y/N] ")
while True:
    header = sys.stdin.buffer.read(4)
    if len(header) < 4:
        break
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
