"""A DSPex worker ({packet, 4}) that answers its first request, then opens /dev/null onto its
fd 1 (`os.dup2`, as a library silencing its output might) and reads on: its next answers go to
/dev/null."""

import json
import os
import struct
import sys

answered = 0
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body.encode())
    sys.stdout.buffer.flush()
    answered += 1
    if answered == 1:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
