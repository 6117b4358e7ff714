"""A packet-4 worker that, on a `fill` request (or on its init ping, with $FILL_ON=ping), fills
the pids cgroup it runs in ($PIDS_CGROUP, cgroup v1), its pool's poolctl with it: its pids.max
set below the tasks it holds then, no process or thread can start there until a helper of its
own, moved out of it, lifts the limit $LIFT_AFTER seconds later. Every other request it
answers after $HOLD seconds."""

import json
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

group = Path(os.environ["PIDS_CGROUP"])
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    if request.get("command") == os.environ.get("FILL_ON", "fill"):
        lift = f"sleep {os.environ['LIFT_AFTER']}; echo max > {group / 'pids.max'}"
        lifter = subprocess.Popen(["sh", "-c", lift])
        (group.parent / "cgroup.procs").write_text(str(lifter.pid))  # out of the limit
        # below the tasks it holds: a task of the group that ends meanwhile frees no room
        held = int((group / "pids.current").read_text())
        (group / "pids.max").write_text(str(max(1, held - 3)))
    elif request.get("command") not in ("ping", "fill"):
        time.sleep(float(os.environ["HOLD"]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()
