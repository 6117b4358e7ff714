"""A worker that answers one request ({packet, 4}, the DSPex envelope), then starts a helper
process that inherits its stdout (and never writes to it) and exits 0: the pipe stays open, so
a pool that ends a worker at end of file takes it for alive. With argument `setsid` the helper
leaves for a session of its own, as a daemon does."""

import json
import struct
import subprocess
import sys

header = sys.stdin.buffer.read(4)
request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
sys.stdout.buffer.flush()
subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(60)"],
    stdin=subprocess.DEVNULL,
    start_new_session=sys.argv[1:] == ["setsid"],
)
