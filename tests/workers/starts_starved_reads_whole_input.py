"""tests/workers/reads_whole_input.py started on a loaded machine: as it starts it holds itself
to one CPU at the idle priority (SCHED_IDLE) beside a CPU hog of its own (a child on that CPU:
the same session, so the same scheduling autogroup) and spins there for its first 3 s, as a
Python start slowed by CPU hogs is: past its 1 s timeout and poolctl's first look, nearly all of
it runnable without a CPU (the kernel's run_delay). Then it stops the hog, takes back every CPU
and its priority, reads its whole stdin and answers each request in it once it ends."""

import json
import os
import signal
import struct
import sys
import time

started = time.monotonic()
every_cpu = os.sched_getaffinity(0)
cpu = min(every_cpu)
os.sched_setaffinity(0, {cpu})
hog = os.fork()
if hog == 0:  # the hog: spins until stopped
    while True:
        pass
os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
while time.monotonic() < started + 3.0:
    pass
os.kill(hog, signal.SIGKILL)
os.waitpid(hog, 0)
os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
os.sched_setaffinity(0, every_cpu)
data = sys.stdin.buffer.read()  # to the end of its input
while len(data) >= 4:
    (length,) = struct.unpack(">I", data[:4])
    request, data = json.loads(data[4 : 4 + length]), data[4 + length :]
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body.encode())
    sys.stdout.buffer.flush()
