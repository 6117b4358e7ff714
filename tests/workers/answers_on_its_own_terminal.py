"""A DSPex worker ({packet, 4}) that opens a pseudo-terminal itself and points its stdout at
it before it answers (as a library that gives itself a terminal might): its answers go to the
terminal, whose master it holds, not to the pipe poolctl reads."""

import json
import os
import struct
import sys

master, terminal = os.openpty()
os.dup2(terminal, 1)
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body.encode())
    sys.stdout.buffer.flush()
