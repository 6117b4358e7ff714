"""A worker ({packet, 4}) that answers its init ping, then, given its next request, stops its
parent (poolctl) with SIGSTOP, writes the answer while poolctl is stopped, and has a child
continue it (SIGCONT) argv[1] seconds later: poolctl suspended past a request's timeout, as
Ctrl-Z or `kill -STOP` does, while its worker answered in time."""

import json
import os
import signal
import sys
import time


def answer(request: dict[str, object]) -> None:
    body = json.dumps({"id": request.get("id"), "success": True, "result": {"status": "ok"}})
    sys.stdout.buffer.write(len(body).to_bytes(4, "big") + body.encode())
    sys.stdout.buffer.flush()


requests = 0
while (header := sys.stdin.buffer.read(4)) and len(header) == 4:
    request = json.loads(sys.stdin.buffer.read(int.from_bytes(header, "big")))
    requests += 1
    if requests == 2:
        poolctl = os.getppid()
        os.kill(poolctl, signal.SIGSTOP)
        if os.fork() == 0:
            time.sleep(float(sys.argv[1]))
            os.kill(poolctl, signal.SIGCONT)
            os._exit(0)
    answer(request)
