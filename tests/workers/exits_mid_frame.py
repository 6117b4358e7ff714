"""A DSPex worker ({packet, 4}) that writes its answer's header and the first part of its body,
then exits (as one writing header and body apart, and exiting between them, does)."""

import json
import struct
import sys

header = sys.stdin.buffer.read(4)
request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
sys.stdout.buffer.write(struct.pack(">I", len(body)) + body[:20])
sys.stdout.buffer.flush()
