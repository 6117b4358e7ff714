"""A DSPex worker ({packet, 4}) whose length header does not count its answer: it writes the
length computed from the wrong value (-16, as four bytes 0xFFFFFFF0), then the whole answer,
and waits for the next request."""

import json
import struct
import sys
import time

header = sys.stdin.buffer.read(4)
request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
sys.stdout.buffer.write(struct.pack(">i", -16) + body)
sys.stdout.buffer.flush()
time.sleep(30)
