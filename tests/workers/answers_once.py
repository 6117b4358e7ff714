"""A worker that answers one request ({packet, 4}, the DSPex envelope) and exits 0, as a script
written for one call does: a pool's next request finds it gone. An argument, in seconds, is how
long it lingers after its answer before it exits (as one finishing some work does)."""

import json
import struct
import sys
import time

header = sys.stdin.buffer.read(4)
request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
sys.stdout.buffer.flush()
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 0)
