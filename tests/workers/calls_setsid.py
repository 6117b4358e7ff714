"""A DSPex worker ({packet, 4}) that moves into a session of its own before it serves, as a
program written to daemonize does: started as a pool's worker (a group leader already), its
`os.setsid()` fails with EPERM and it exits."""

import json
import os
import struct
import sys

os.setsid()
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
