"""A worker that daemonizes (fork, setsid, fork), its daemon holding the stdin pipe, and
closes its own fd 0, as tests/workers/behaves.py's daemonizing worker does; the daemon joins the
CPU cgroup $STARVE_CGROUP (a small quota) and spins there, always out of its quota, so that it
waits for a CPU as a process on a loaded machine does: a signal sent to it acts only once it
runs again. The worker writes 'ready: daemon PID' to stderr once the daemon is in the cgroup,
then sleeps, never answering."""

import os
import sys
import time

ready_r, ready_w = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    with open(os.path.join(os.environ["STARVE_CGROUP"], "cgroup.procs"), "w") as procs:
        procs.write(str(os.getpid()))
    os.write(ready_w, str(os.getpid()).encode())
    while True:
        pass
daemon = os.read(ready_r, 32).decode()
os.close(0)
sys.stderr.write(f"ready: daemon {daemon}\n")
sys.stderr.flush()
time.sleep(120)
