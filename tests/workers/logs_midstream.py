"""A packet-4 worker (the DSPex envelope) that prints a log line to its framed stdout before its
third answer, and serves on: the stream is broken from there, the process is not."""

import json
import struct
import sys

answered = 0
while True:
    header = sys.stdin.buffer.read(4)
    if len(header) < 4:
        break
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    if answered == 2:
        sys.stdout.buffer.write(b"debug: handled 2 requests\n")
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
    answered += 1
