"""A DSPex worker ({packet, 4}) that starts a helper which leaves for a session of its own
(setsid, as a daemon does), writes its pid to the file named by argv[1] and sleeps; the worker
itself reads its request and sleeps too, never answering."""

import subprocess
import sys
import time

helper = "import os, sys, time\nos.setsid()\nopen(sys.argv[1], 'w').write(str(os.getpid()))\n"
helper += "time.sleep(60)\n"
subprocess.Popen(
    [sys.executable, "-c", helper, sys.argv[1]],
    stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
sys.stdin.buffer.read(4)
time.sleep(60)
