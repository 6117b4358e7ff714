"""A worker that answers COUNT requests ({packet, 4}, the DSPex envelope; its first argument)
and exits with CODE (its second), saying nothing: a request limit, or a loop that ends. A third
argument, LINGER seconds, makes its exit come that long after its last answer (as a worker's
clean-up takes), so that the pool's next request is surely written to it before it ends."""

import json
import struct
import sys
import time

COUNT, CODE = int(sys.argv[1]), int(sys.argv[2])
LINGER = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
for _ in range(COUNT):
    header = sys.stdin.buffer.read(4)
    if len(header) < 4:
        sys.exit(0)
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
time.sleep(LINGER)
sys.exit(CODE)
