"""A worker ({packet, 4}) that reads its first request and, instead of answering, sends SIGTERM
to its parent (the pool, poolctl): itself (argument `self`, `os.kill(os.getppid(), SIGTERM)`),
or through a child it starts (`child`: one of its family); then it sleeps. A second argument
names another signal to send (`SIGUSR1`: a server telling its parent it is ready); a third,
`answer`, has it answer the request after its kill and serve on, as a worker that shrugs off
what it did."""

import json
import os
import signal
import subprocess
import sys
import time

# the signals it was started with blocked, if any (poolctl blocks its own: none inherited)
with open("/proc/self/status") as status:
    sys.stderr.write(next(line for line in status if line.startswith("SigBlk")))
sys.stderr.flush()
SIGNAL = signal.Signals[sys.argv[2]] if len(sys.argv) > 2 else signal.SIGTERM
header = sys.stdin.buffer.read(4)
request = sys.stdin.buffer.read(int.from_bytes(header, "big"))
if sys.argv[1] == "child":
    # it stays a moment after its kill, as a helper or a daemon does: one that exits at once
    # may be gone before poolctl's signal thread wakes to read who it was
    kill = f"import os, signal, time; os.kill({os.getppid()}, {int(SIGNAL)}); time.sleep(5)"
    subprocess.run([sys.executable, "-c", kill], check=False)
else:
    os.kill(os.getppid(), SIGNAL)
if sys.argv[3:] != ["answer"]:
    time.sleep(30)
while request:  # answered until its stdin ends
    body = json.dumps({"id": json.loads(request)["id"], "success": True, "result": {}}).encode()
    sys.stdout.buffer.write(len(body).to_bytes(4, "big") + body)
    sys.stdout.buffer.flush()
    header = sys.stdin.buffer.read(4)
    request = sys.stdin.buffer.read(int.from_bytes(header, "big")) if len(header) == 4 else b""
