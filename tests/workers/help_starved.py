"""A server whose `--help` is slow only for want of a CPU: it joins the CPU cgroup
$STARVE_CGROUP (2% of a CPU) and spends 0.12 s of CPU before it prints its help, about 6 s of
wall, as a Node server's `--help` took on a loaded machine. Without `--help` it exits, saying its
channel option needs a port (graphql-lsp's `-m socket` with no `--port`)."""

import os
import sys
import time

if "--help" not in sys.argv:
    sys.exit("--port is required to establish socket connection.")
with open(os.path.join(os.environ["STARVE_CGROUP"], "cgroup.procs"), "w") as procs:
    procs.write(str(os.getpid()))
end = time.process_time() + 0.12
while time.process_time() < end:
    pass
print("Usage: help_starved [options]\n")
print("  -m, --method [method]  Can be one of: stream, node, socket.")
