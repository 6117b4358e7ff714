"""A worker that reads the request's length header, then writes the header of its answer and
the first bytes of the body at once, and the rest one byte every 0.5 s: part of the frame has
arrived when the answer is due, the rest is on its way."""

import json
import struct
import sys
import time

sys.stdin.buffer.read(4)
body = json.dumps({"id": 1, "success": True, "result": {}}).encode()
frame = struct.pack(">I", len(body)) + body
sys.stdout.buffer.write(frame[:7])
sys.stdout.buffer.flush()
for byte in frame[7:]:
    time.sleep(0.5)
    sys.stdout.buffer.write(bytes([byte]))
    sys.stdout.buffer.flush()
