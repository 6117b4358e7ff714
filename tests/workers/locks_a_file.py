"""A DSPex worker ({packet, 4}) that locks the file argv[1] names: with `start` (the default)
it takes an exclusive flock as it starts and holds it while it serves, as a worker guarding a
cache or a database file does, so a second copy waits at start; with `request`, it takes a
lockf lock around the work of each request, so a request waits while another process holds it.
"""

import fcntl
import json
import struct
import sys

lock = open(sys.argv[1], "a")  # noqa: SIM115  (held while it serves)
each_request = sys.argv[2:] == ["request"]
if not each_request:
    fcntl.flock(lock, fcntl.LOCK_EX)
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    if each_request:
        fcntl.lockf(lock, fcntl.LOCK_EX)
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    if each_request:
        fcntl.lockf(lock, fcntl.LOCK_UN)
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body.encode())
    sys.stdout.buffer.flush()
