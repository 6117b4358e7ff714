"""A DSPex worker ({packet, 4}) that answers its init ping, then closes its stdin and runs on
(as a library that "detaches" from its terminal might): no later request can reach it."""

import json
import os
import struct
import sys
import time

header = sys.stdin.buffer.read(4)
request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
sys.stdout.buffer.flush()
os.close(0)
time.sleep(30)
