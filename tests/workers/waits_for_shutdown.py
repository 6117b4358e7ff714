"""A DSPex worker ({packet, 4}) that exits only when asked, at a {"command": "shutdown"} its pool
never sends: at end of input its read returns nothing, and it waits a moment and reads again,
for ever. A pool that closes its pipes, as an Erlang port does, leaves it running."""

import json
import struct
import sys
import time

while True:
    header = sys.stdin.buffer.read(4)
    if len(header) < 4:  # nothing to read yet, it thinks: the shutdown will come
        time.sleep(0.05)
        continue
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    if request.get("command") == "shutdown":
        sys.exit(0)
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
