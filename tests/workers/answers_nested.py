"""A dspex worker (packet-4) whose every answer's result is an array nested argv[1] levels
deep: `[[[…]]]`, as a worker serialising a deep linked structure writes."""

import json
import struct
import sys

depth = int(sys.argv[1])
stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
while header := stdin.read(4):
    request = json.loads(stdin.read(struct.unpack(">I", header)[0]))
    head = json.dumps({"id": request["id"], "success": True, "result": None})[:-5]
    body = (head + "[" * depth + "]" * depth + "}").encode()
    stdout.write(struct.pack(">I", len(body)) + body)
    stdout.flush()
