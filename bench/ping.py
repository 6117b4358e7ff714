"""Round trip of poolctl's ping path against a minimal hand-written client, same worker, same run.

Both clients talk to their own reference worker (packet-4) and take turns in blocks, so machine
noise hits both alike. Prints median and p99 of each and the ratio poolctl / minimal.
Target: median ratio <= 1.3.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
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
    """Nothing but a length header, `os.write` and `os.read`."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            WORKER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.w, self.r = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        self.next_id = 0

    def _read_frame(self) -> bytes:
        buf = os.read(self.r, 65536)  # one read: a reply this small arrives in one piece
        while len(buf) < 4 or len(buf) < 4 + int.from_bytes(buf[:4], "big"):
            chunk = os.read(self.r, 65536)
            if not chunk:
                raise EOFError
            buf += chunk
        return buf[4:]

    def ping(self) -> float:
        start = time.perf_counter()
        self.next_id += 1
        body = {"id": self.next_id, "command": "ping", "args": {}, "timestamp": utc_timestamp()}
        payload = json.dumps(body, separators=(",", ":")).encode()
        os.write(self.w, len(payload).to_bytes(4, "big") + payload)
        reply = json.loads(self._read_frame())
        assert reply["id"] == self.next_id and reply["success"]
        return time.perf_counter() - start

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(5)


class PoolctlClient:
    def __init__(self, folder: Path) -> None:
        self.worker = WorkerProcess(WorkerSpec(argv=WORKER), folder).start()

    def ping(self) -> float:
        start = time.perf_counter()
        outcome = self.worker.exchange("ping", timeout=5)
        assert isinstance(outcome, Answer) and outcome.response.success
        return time.perf_counter() - start

    def close(self) -> None:
        self.worker.stop()


def summarize(name: str, seconds: list[float]) -> tuple[float, float]:
    us = sorted(s * 1e6 for s in seconds)
    median, p99 = statistics.median(us), us[int(0.99 * (len(us) - 1))]
    print(f"{name:<16} median {median:8.1f} us   p99 {p99:8.1f} us   ({len(us)} pings)")
    return median, p99


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        minimal, ours = MinimalClient(), PoolctlClient(Path(tmp))
        try:
            for client in (minimal, ours):  # warm up both workers
                for _ in range(200):
                    client.ping()
            times: dict[str, list[float]] = {"minimal": [], "poolctl": []}
            for _ in range(PINGS // BLOCK):
                times["minimal"] += [minimal.ping() for _ in range(BLOCK)]
                times["poolctl"] += [ours.ping() for _ in range(BLOCK)]
        finally:
            minimal.close()
            ours.close()
    base_median, base_p99 = summarize("minimal client", times["minimal"])
    our_median, our_p99 = summarize("poolctl ping", times["poolctl"])
    ratio = our_median / base_median
    print(
        f"ratio (median)   {ratio:.2f}   target <= 1.3   {'OK' if ratio <= 1.3 else 'OVER TARGET'}"
    )
    print(f"ratio (p99)      {our_p99 / base_p99:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
