"""A DSPex worker ({packet, 4}) whose first copy (the one that creates the file argv[1]) never
reads its stdin, as one stuck starting, and is killed (SIGKILL, its own) argv[2] seconds after
it started; every other copy answers each request."""

import json
import os
import signal
import struct
import sys
import time

try:
    os.close(os.open(sys.argv[1], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
except FileExistsError:
    while len(header := sys.stdin.buffer.read(4)) == 4:
        request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
        body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
        sys.stdout.buffer.write(struct.pack(">I", len(body)) + body.encode())
        sys.stdout.buffer.flush()
    sys.exit(0)
time.sleep(float(sys.argv[2]))
os.kill(os.getpid(), signal.SIGKILL)
