"""A dspex worker (packet-4) that makes its stdout non-blocking, as a runtime or a library
sharing the pipe may (an event loop's write pipe, Node.js), then answers each request with a
4 MB result through Python's buffered writer, whose count it does not check: past the pipe's
free room the write fails (EAGAIN) and the writer returns what it wrote, with no error."""

import fcntl
import json
import os
import struct
import sys

flags = fcntl.fcntl(1, fcntl.F_GETFL)
fcntl.fcntl(1, fcntl.F_SETFL, flags | os.O_NONBLOCK)
stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
while header := stdin.read(4):
    request = json.loads(stdin.read(struct.unpack(">I", header)[0]))
    result = {"status": "ok", "text": "z" * 4_000_000}
    body = json.dumps({"id": request["id"], "success": True, "result": result}).encode()
    stdout.write(struct.pack(">I", len(body)) + body)
    stdout.flush()
