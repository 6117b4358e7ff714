"""A DSPex worker ({packet, 4}) that writes a progress line to its terminal before it serves,
as a tool run by hand may: a pool's worker has no controlling terminal, so opening /dev/tty
fails with ENXIO and it exits."""

import json
import struct
import sys

with open("/dev/tty", "w") as tty:
    tty.write("loading model...\n")
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
