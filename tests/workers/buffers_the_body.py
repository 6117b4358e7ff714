"""A DSPex worker ({packet, 4}) that writes each answer's header straight to fd 1 and its body
through Python's text layer, never flushed: on a pipe the header arrives at once and the body
waits in the buffer until the worker exits (at end of input). Run without PYTHONUNBUFFERED."""

import json
import os
import struct
import sys

while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    os.write(1, struct.pack(">I", len(body)))  # unbuffered, apart from the body
    sys.stdout.write(body)  # block-buffered on a pipe, and no newline flushes it on a tty
