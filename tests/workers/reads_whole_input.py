"""A one-shot script put behind a pool: it reads its whole stdin (`sys.stdin.buffer.read()`),
then answers each packet-4 request in it, flushing each answer. Its answers come out only
once its stdin ends, which a pool's worker sees only when it is stopped."""

import json
import struct
import sys

data = sys.stdin.buffer.read()  # to the end of its input
while len(data) >= 4:
    (length,) = struct.unpack(">I", data[:4])
    request, data = json.loads(data[4 : 4 + length]), data[4 + length :]
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body.encode())
    sys.stdout.buffer.flush()
