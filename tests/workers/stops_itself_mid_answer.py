"""A DSPex worker ({packet, 4}) that answers its init, then stops itself (SIGSTOP) in the
middle of its next answer, 10 bytes of its frame written, as a SIGTSTP from a terminal or a
debugger stops one; it leaves a child that ignores SIGTERM, which the pool's stop must end
too."""

import json
import os
import signal
import struct
import subprocess
import sys

subprocess.Popen(["sh", "-c", "trap '' TERM INT HUP; exec sleep 600"])


def read_request() -> dict[str, object]:
    header = sys.stdin.buffer.read(4)
    request: dict[str, object] = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    return request


request = read_request()
body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
sys.stdout.buffer.flush()
read_request()
sys.stdout.buffer.write(b'\x00\x00\x00\x40{"id":')
sys.stdout.buffer.flush()
os.kill(os.getpid(), signal.SIGSTOP)
