"""A worker that answers COUNT requests ({packet, 4}, the DSPex envelope; its first argument)
and exits with CODE (its second), saying nothing: a request limit, or a loop that ends."""

import json
import struct
import sys

COUNT, CODE = int(sys.argv[1]), int(sys.argv[2])
for _ in range(COUNT):
    header = sys.stdin.buffer.read(4)
    if len(header) < 4:
        sys.exit(0)
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
sys.exit(CODE)
