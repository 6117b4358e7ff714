"""A DSPex worker ({packet, 4}): w1 answers its init ping and one request, then exits 0 (a
worker written to serve one call); every later worker (a stand-in) sleeps 0.5 s before reading,
longer than the scenario's init timeout."""

import json
import os
import struct
import sys
import time

if os.environ.get("POOLCTL_WORKER_ID") != "w1":
    time.sleep(0.5)
served = 0
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    served += 1
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
    if served == 2:
        break
