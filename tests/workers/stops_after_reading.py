"""A DSPex worker ({packet, 4}) that reads its request, then stops itself with SIGSTOP (as a
debugger attaching or a job-control stop would stop it): it answers only once continued."""

import json
import os
import signal
import struct
import sys

header = sys.stdin.buffer.read(4)
request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
os.kill(os.getpid(), signal.SIGSTOP)
body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
sys.stdout.buffer.flush()
