"""A DSPex worker ({packet, 4}) that answers its init ping, then answers every request with
text encoded in Latin-1 (`ensure_ascii=False`, then the wrong codec): a whole frame, at once,
that is not UTF-8 JSON."""

import json
import struct
import sys

served = 0
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    served += 1
    answer = {"id": request["id"], "success": True, "result": {"status": "ok", "text": "café"}}
    body = json.dumps(answer, ensure_ascii=False).encode("utf-8" if served == 1 else "latin-1")
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
