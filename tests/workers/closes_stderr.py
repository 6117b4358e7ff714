"""A DSPex worker ({packet, 4}) that closes its stderr as it starts (as a daemonizing step or
a library quieting its output may), then fails on its first request: its traceback is written
to a closed file descriptor and lost, and it exits with code 1, saying nothing."""

import os
import struct
import sys

os.close(2)
header = sys.stdin.buffer.read(4)
sys.stdin.buffer.read(struct.unpack(">I", header)[0])
raise RuntimeError("cannot reach the model server")
