"""A DSPex worker ({packet, 4}) starved of CPU between its answer and its next read, as on a
loaded machine: it joins the CPU cgroup $STARVE_CGROUP (a quota of a few percent of a CPU),
answers, spends 20 ms of CPU there (about a second of wall time), leaves it, and reads on.
At end of input it tears down for 0.8 s of CPU (as slow_teardown.py), then exits."""

import json
import os
import struct
import sys
import time

CGROUP = os.environ["STARVE_CGROUP"]


def move_to(cgroup: str) -> None:
    with open(os.path.join(cgroup, "cgroup.procs"), "w") as procs:
        procs.write(str(os.getpid()))


def spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


while True:
    header = sys.stdin.buffer.read(4)
    if len(header) < 4:  # end of input: tear down, then exit
        spin(0.8)
        sys.exit(0)
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    move_to(CGROUP)
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
    spin(0.02)
    move_to(os.path.dirname(CGROUP))
