"""A DSPex worker ({packet, 4}) that pretty-prints its answers (newlines inside each frame's
body) into a 1 MiB stdout buffer it flushes only on a terminal: on a pipe nothing comes until
it exits (PYTHONUNBUFFERED does not reach a file it opens on fd 1 itself), and 512 answers
of 64 bytes do not fill the buffer."""

import json
import os
import struct
import sys

out = os.fdopen(1, "wb", buffering=1 << 20)
on_terminal = os.isatty(1)
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    answer = {"id": request["id"], "success": True, "result": {"status": "ok"}}
    body = json.dumps(answer, indent=1).encode()
    out.write(struct.pack(">I", len(body)) + body)
    if on_terminal:
        out.flush()
