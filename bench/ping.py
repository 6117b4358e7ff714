"""Round trip of poolctl's ping path against a minimal hand-written client, on the same worker.

One reference worker (packet-4); the two clients take turns on its pipes in blocks, so that
scheduling and machine noise hit both alike. The minimal client is nothing but a length
header, `os.write` and blocking `os.read`. Prints median and p99 of each and the ratio
poolctl / minimal. Target: median ratio <= 1.3.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from poolctl.protocol import utc_timestamp
from poolctl.worker import Answer, WorkerProcess, WorkerSpec

PINGS = 5000
BLOCK = 250
WORKER = (sys.executable, "-m", "poolctl.workers.reference")


class MinimalClient:
    """A length header, `os.write`, `os.read`: the least a client can do."""

    def __init__(self, stdin_fd: int, stdout_fd: int) -> None:
        self.w, self.r = stdin_fd, stdout_fd
        self.next_id = 10**9  # apart from poolctl's ids on the same worker

    def ping(self) -> float:
        start = time.perf_counter()
        self.next_id += 1
        body = {"id": self.next_id, "command": "ping", "args": {}, "timestamp": utc_timestamp()}
        payload = json.dumps(body, separators=(",", ":")).encode()
        os.write(self.w, len(payload).to_bytes(4, "big") + payload)
        buf = os.read(self.r, 65536)
        while len(buf) < 4 or len(buf) < 4 + int.from_bytes(buf[:4], "big"):
            buf += os.read(self.r, 65536)
        reply = json.loads(buf[4:])
        assert reply["id"] == self.next_id and reply["success"]
        return time.perf_counter() - start


def poolctl_ping(worker: WorkerProcess) -> float:
    start = time.perf_counter()
    outcome = worker.exchange("ping", timeout=5)
    assert isinstance(outcome, Answer) and outcome.response.success
    return time.perf_counter() - start


def summarize(name: str, seconds: list[float]) -> tuple[float, float]:
    us = sorted(s * 1e6 for s in seconds)
    median, p99 = statistics.median(us), us[int(0.99 * (len(us) - 1))]
    print(f"{name:<16} median {median:8.1f} us   p99 {p99:8.1f} us   ({len(us)} pings)")
    return median, p99


def minimal_block(client: MinimalClient, n: int) -> list[float]:
    # poolctl keeps its pipe ends non-blocking; the minimal client wants plain blocking I/O.
    os.set_blocking(client.w, True)
    os.set_blocking(client.r, True)
    try:
        return [client.ping() for _ in range(n)]
    finally:
        os.set_blocking(client.w, False)
        os.set_blocking(client.r, False)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        worker = WorkerProcess(WorkerSpec(argv=WORKER), Path(tmp)).start()
        try:
            assert worker.proc is not None and worker.proc.stdin is not None
            minimal = MinimalClient(worker.proc.stdin.fileno(), worker.stdout_fd)
            for _ in range(200):  # warm up
                poolctl_ping(worker)
            minimal_block(minimal, 200)
            times: dict[str, list[float]] = {"minimal": [], "poolctl": []}
            for _ in range(PINGS // BLOCK):
                times["minimal"] += minimal_block(minimal, BLOCK)
                times["poolctl"] += [poolctl_ping(worker) for _ in range(BLOCK)]
        finally:
            worker.stop()
    base_median, base_p99 = summarize("minimal client", times["minimal"])
    our_median, our_p99 = summarize("poolctl ping", times["poolctl"])
    ratio = our_median / base_median
    verdict = "OK" if ratio <= 1.3 else "OVER TARGET"
    print(f"ratio (median)   {ratio:.2f}   target <= 1.3   {verdict}")
    print(f"ratio (p99)      {our_p99 / base_p99:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
