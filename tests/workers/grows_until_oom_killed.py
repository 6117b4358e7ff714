"""A DSPex worker ({packet, 4}) that grows on its first request until the kernel's OOM killer
ends it (SIGKILL): run in a memory cgroup with a limit, it is the one the killer picks (its
oom_score_adj raised to the most, as any process may raise its own)."""

import struct
import sys

with open("/proc/self/oom_score_adj", "w") as adj:
    adj.write("1000")
header = sys.stdin.buffer.read(4)
sys.stdin.buffer.read(struct.unpack(">I", header)[0])
hoard = []
while True:
    hoard.append(bytearray(1 << 20))  # zeroed, so touched: each MiB is charged to the cgroup
