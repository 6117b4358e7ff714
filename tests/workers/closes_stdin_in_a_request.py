"""A DSPex worker ({packet, 4}) that answers its init, then closes its stdin in the next request
while the pool still writes it (a large one), and exits with code 3 a moment later: with
`read`, after reading its 4-byte header (its buffered reader takes what the pipe holds, up to
its buffer); without, before reading a byte of it. With `exit`, it reads the header and exits
at once (its stdin closed by its exit: the pool sees either first)."""

import json
import os
import struct
import sys
import time

header = sys.stdin.buffer.read(4)
request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
sys.stdout.buffer.flush()
if sys.argv[1:] == ["exit"]:
    sys.stdin.buffer.read(4)
    sys.exit(3)
if sys.argv[1:] == ["read"]:
    sys.stdin.buffer.read(4)
else:
    time.sleep(0.3)  # the pool writes the request, filling the pipe
os.close(0)
time.sleep(0.3)  # the pool's write meets the closed pipe before the exit is seen
sys.exit(3)
