"""A worker ({packet, 4}) that, as it starts, sends its parent (the pool, poolctl) the stop
signal named by its argument (SIGTSTP), then answers every request it
reads: a program that takes its parent for a shell it may suspend."""

import json
import os
import signal
import sys

os.kill(os.getppid(), signal.Signals[sys.argv[1]])
while (header := sys.stdin.buffer.read(4)) and len(header) == 4:
    request = json.loads(sys.stdin.buffer.read(int.from_bytes(header, "big")))
    answer = json.dumps({"id": request.get("id"), "success": True, "result": {"status": "ok"}})
    sys.stdout.buffer.write(len(answer).to_bytes(4, "big") + answer.encode())
    sys.stdout.buffer.flush()
