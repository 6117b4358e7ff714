"""A worker ({packet, 4}) that starts a helper inheriting its stdout (which never writes to it)
and then crashes before it reads a request: the pipe stays open behind it, so no end of file
ends the wait for its answer, and only its timeout does."""

import subprocess
import sys

subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdin=subprocess.DEVNULL)
raise SystemExit("worker: no configuration found")
