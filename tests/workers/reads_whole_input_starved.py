"""tests/workers/reads_whole_input.py on a loaded machine: it reads its whole stdin, and when it
holds more than one request (poolctl's experiment with many at once) it joins the CPU cgroup
$STARVE_CGROUP (a quota of a few percent of a CPU) before it answers, spending 30 ms of CPU on
them: about a second and a half of wall time under a 2% quota, after its stdin closed."""

import json
import os
import struct
import sys
import time

data = sys.stdin.buffer.read()  # to the end of its input
requests = []
while len(data) >= 4:
    (length,) = struct.unpack(">I", data[:4])
    requests.append(json.loads(data[4 : 4 + length]))
    data = data[4 + length :]
if len(requests) > 1:
    with open(os.path.join(os.environ["STARVE_CGROUP"], "cgroup.procs"), "w") as procs:
        procs.write(str(os.getpid()))
    end = time.process_time() + 0.03
    while time.process_time() < end:
        pass
for request in requests:
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body.encode())
    sys.stdout.buffer.flush()
