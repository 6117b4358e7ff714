"""A DSPex worker ({packet, 4}) that answers each request after DELAY seconds (its first
argument), except the pool's worker named by its second argument (POOLCTL_WORKER_ID, `w1`),
which reads its first request after the init ping and never answers it: one hung worker
among healthy ones."""

import json
import os
import struct
import sys
import time

DELAY, HANGS = float(sys.argv[1]), sys.argv[2]
served = 0
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    served += 1
    if served == 2 and os.environ.get("POOLCTL_WORKER_ID") == HANGS:
        time.sleep(60)  # hung: reads nothing more, answers nothing
    if served > 1:
        time.sleep(DELAY)
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
