"""A worker that answers one request ({packet, 4}, the DSPex envelope), then closes its stdin and
runs on (as one that daemonizes after its init does): a pool's next write to it fails (EPIPE),
though the process has not exited."""

import json
import os
import struct
import sys
import time

header = sys.stdin.buffer.read(4)
request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
os.close(0)  # before the answer: no request can be written to it once it is answered
sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
sys.stdout.buffer.flush()
time.sleep(30)
