"""A DSPex worker ({packet, 4}) starved of CPU in its request, as on a loaded machine: once it
has read a request it joins the CPU cgroup $STARVE_CGROUP (a quota of a few percent of a CPU),
if one is given, and stays there, spends $SPIN seconds of CPU on the request (30 ms: about a
second and a half of wall time under a 2% quota), answers, and reads on."""

import json
import os
import struct
import sys
import time

CGROUP = os.environ.get("STARVE_CGROUP")
SPIN = float(os.environ.get("SPIN", "0.03"))

while True:
    header = sys.stdin.buffer.read(4)
    if len(header) < 4:
        sys.exit(0)
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    if CGROUP:
        with open(os.path.join(CGROUP, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))
    end = time.process_time() + SPIN
    while time.process_time() < end:
        pass
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
