"""A DSPex worker ({packet, 4}) that answers its init ping, then writes the first 25 bytes of
its next answer (the header and part of the body), flushes them, and sleeps 30 s before the
rest: a frame half-written when the request's timeout comes."""

import json
import struct
import sys
import time

served = 0
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    served += 1
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    frame = struct.pack(">I", len(body)) + body.encode()
    if served == 2:
        sys.stdout.buffer.write(frame[:25])
        sys.stdout.buffer.flush()
        time.sleep(30)
        frame = frame[25:]
    sys.stdout.buffer.write(frame)
    sys.stdout.buffer.flush()
