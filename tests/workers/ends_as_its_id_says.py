"""A DSPex worker ({packet, 4}) that answers its init, then ends in its next request as its
POOLCTL_WORKER_ID says: w1 writes a frame's header and part of its body and exits 0, w2 writes
bytes that are no text to its stderr and exits 0; any other serves on."""

import json
import os
import struct
import sys

worker = os.environ.get("POOLCTL_WORKER_ID", "")
while (header := sys.stdin.buffer.read(4)) and len(header) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    if request.get("command") != "ping" or request["id"] != 1:
        if worker == "w1":
            os.write(1, struct.pack(">I", 500) + b'{"id": 2, "succ')
            os._exit(0)
        if worker == "w2":
            os.write(2, bytes(range(256)) + b"\n")
            os._exit(0)
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body.encode())
    sys.stdout.buffer.flush()
