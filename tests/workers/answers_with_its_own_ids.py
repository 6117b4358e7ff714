"""A DSPex worker ({packet, 4}) that answers its init ping, then answers every request under an
id of its own counting (1000 past the one it was asked): a whole, readable frame at once, that
no request had asked for."""

import json
import struct
import sys

served = 0
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    served += 1
    answer_id = request["id"] if served == 1 else request["id"] + 1000
    body = json.dumps({"id": answer_id, "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
