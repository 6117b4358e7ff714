"""A DSPex worker ({packet, 4}) that answers its first two requests, joining the cgroup whose
folder is argv[1] as it answers the second (as a worker that moves itself into a memory cgroup
does once started), and grows on its third until the kernel's OOM killer ends it (SIGKILL),
its oom_score_adj raised to the most so that it is the one picked."""

import json
import os
import struct
import sys

with open("/proc/self/oom_score_adj", "w") as adj:
    adj.write("1000")
for count in (1, 2):
    header = sys.stdin.buffer.read(4)
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    if count == 2:
        with open(os.path.join(sys.argv[1], "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body.encode())
    sys.stdout.buffer.flush()
header = sys.stdin.buffer.read(4)
sys.stdin.buffer.read(struct.unpack(">I", header)[0])
hoard = []
while True:
    hoard.append(bytearray(1 << 20))  # zeroed, so touched: each MiB is charged to the cgroup
