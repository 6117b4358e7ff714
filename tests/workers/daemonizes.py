"""A worker that puts itself in the background as a daemon does (fork, setsid, fork again) and
exits 0 without answering: the daemon keeps its stdout open and never reads a request. argv[1]
is a file the daemon writes its pid to."""

import os
import sys
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        with open(sys.argv[1], "w") as f:
            f.write(str(os.getpid()))
        time.sleep(30)
    os._exit(0)
os.wait()
print("started the daemon", file=sys.stderr)
