"""Ping's timings, each against a baseline measured in the same run.

1. Round trips, like with like, on one reference worker (packet-4): poolctl's ping path (each
   exchange traced, as `poolctl ping --count` sends them) against a minimal hand-written
   client (a length header, `os.write`, blocking `os.read`), taking turns on the worker's
   pipes in blocks (which goes first alternates). Two measures:
   - the round trip: from just before the request's first byte is written to the read that
     completes the answer's frame. poolctl's is the one ping reports; the minimal client's is
     taken over the same span (its encoding before it, its decoding after);
   - the whole call: building and encoding the request, the round trip, decoding and checking
     the answer (poolctl's includes its trace events), timed from outside on both sides.
   Prints medians and p99s and the ratios poolctl / minimal. Target: the round trip's median
   ratio <= 1.3 (the whole call's is printed for reference).
2. A silent worker's diagnosis: `ping --timeout 2` of the reference worker with `--buffered`
   and no PYTHONUNBUFFERED, from the request to the verdict, with the experiments begun during
   the wait against the same diagnosis with them begun after it, in turns. Target: the verdict
   within the timeout plus 3 s (and the same verdict both ways).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from poolctl.events import Trace
from poolctl.ping import PingOptions, run_ping
from poolctl.protocol import utc_timestamp
from poolctl.rundir import create_run_dir
from poolctl.worker import WorkerProcess
from poolctl.worker_trace import WorkerTrace
from poolctl.worker_types import Answer, WorkerSpec

PINGS = 5000
BLOCK = 250
WORKER = (sys.executable, "-m", "poolctl.workers.reference")
TARGET_RATIO = 1.3
SILENT_TIMEOUT = 2.0
SILENT_MARGIN = 3.0
SILENT_RUNS = 3


class MinimalClient:
    """A length header, `os.write`, `os.read`: the least a client can do."""

    def __init__(self, stdin_fd: int, stdout_fd: int) -> None:
        self.w, self.r = stdin_fd, stdout_fd
        self.next_id = 10**9  # apart from poolctl's ids on the same worker

    def ping(self) -> tuple[float, float]:
        """(round trip, whole call) in seconds."""
        called = time.perf_counter()
        self.next_id += 1
        body = {"id": self.next_id, "command": "ping", "args": {}, "timestamp": utc_timestamp()}
        payload = json.dumps(body, separators=(",", ":")).encode()
        frame = len(payload).to_bytes(4, "big") + payload
        start = time.perf_counter()
        os.write(self.w, frame)
        buf = os.read(self.r, 65536)
        while len(buf) < 4 or len(buf) < 4 + int.from_bytes(buf[:4], "big"):
            buf += os.read(self.r, 65536)
        read = time.perf_counter()
        reply = json.loads(buf[4:])
        assert reply["id"] == self.next_id and reply["success"]
        return read - start, time.perf_counter() - called


def minimal_block(client: MinimalClient, n: int) -> list[tuple[float, float]]:
    # poolctl keeps its pipe ends non-blocking; the minimal client wants plain blocking I/O.
    os.set_blocking(client.w, True)
    os.set_blocking(client.r, True)
    try:
        return [client.ping() for _ in range(n)]
    finally:
        os.set_blocking(client.w, False)
        os.set_blocking(client.r, False)


def poolctl_block(traced: WorkerTrace, n: int) -> list[tuple[float, float]]:
    """`n` pings as ping's session sends them (traced), each timed from outside too."""
    times = []
    ids = traced.worker.ids
    for _ in range(n):
        called = time.perf_counter()
        outcome = traced.exchange_request(ids.request_raw("ping", {}), 5.0)
        assert isinstance(outcome, Answer) and outcome.response.success
        times.append((outcome.round_trip, time.perf_counter() - called))
    return times


def summarize(name: str, seconds: list[float]) -> tuple[float, float]:
    us = sorted(s * 1e6 for s in seconds)
    median, p99 = statistics.median(us), us[int(0.99 * (len(us) - 1))]
    print(f"  {name:<16} median {median:8.1f} us   p99 {p99:8.1f} us   ({len(us)} pings)")
    return median, p99


def round_trips(folder: Path) -> bool:
    run = create_run_dir("bench-ping", base=folder)
    trace = Trace(run.events)
    worker = WorkerProcess(WorkerSpec(argv=WORKER), run.workers).start()
    traced = WorkerTrace(worker, trace)
    try:
        assert worker.proc is not None and worker.proc.stdin is not None
        minimal = MinimalClient(worker.proc.stdin.fileno(), worker.stdout_fd)
        poolctl_block(traced, 200)  # warm up
        minimal_block(minimal, 200)
        times: dict[str, list[tuple[float, float]]] = {"minimal": [], "poolctl": []}
        for k in range(PINGS // BLOCK):
            order = ["minimal", "poolctl"] if k % 2 == 0 else ["poolctl", "minimal"]
            for side in order:
                if side == "minimal":
                    times[side] += minimal_block(minimal, BLOCK)
                else:
                    times[side] += poolctl_block(traced, BLOCK)
    finally:
        worker.stop()
        trace.close()
    ok = True
    for index, measure in ((0, "round trip (as ping reports it)"), (1, "whole call")):
        print(f"{measure}:")
        base, base_p99 = summarize("minimal client", [t[index] for t in times["minimal"]])
        ours, ours_p99 = summarize("poolctl ping", [t[index] for t in times["poolctl"]])
        ratio = ours / base
        if index == 0:
            ok = ratio <= TARGET_RATIO
            verdict = f"target <= {TARGET_RATIO}   " + ("OK" if ok else "OVER TARGET")
        else:
            verdict = "(for reference: poolctl's includes two trace events)"
        print(f"  ratio (median)   {ratio:.2f}   {verdict}")
        print(f"  ratio (p99)      {ours_p99 / base_p99:.2f}")
    return ok


def silent_diagnosis(folder: Path, early: bool) -> tuple[float, float, str]:
    """(seconds from request to verdict, seconds of the whole ping, the verdict)."""
    spec = WorkerSpec((*WORKER, "--buffered"), unset_env=("PYTHONUNBUFFERED",))
    run = create_run_dir("bench-silent", base=folder)
    options = PingOptions(spec=spec, timeout=SILENT_TIMEOUT, early_experiments=early)
    started = time.perf_counter()
    result = run_ping(options, run)
    whole = time.perf_counter() - started
    events = [json.loads(line) for line in run.events.read_text().splitlines()]
    sent = next(e["t"] for e in events if e["type"] == "request")
    verdict = next(e for e in events if e["type"] == "diagnosis")
    assert result.diagnosis is not None
    confirmed = ",".join(h.id for h in result.diagnosis.hypotheses if h.status == "confirmed")
    return verdict["t"] - sent, whole, confirmed


def diagnosis_time(folder: Path) -> bool:
    budget = SILENT_TIMEOUT + SILENT_MARGIN
    runs: dict[bool, list[tuple[float, float, str]]] = {True: [], False: []}
    for k in range(SILENT_RUNS):  # in turns, so that machine noise hits both alike
        for early in (True, False) if k % 2 == 0 else (False, True):
            runs[early].append(silent_diagnosis(folder, early))
    print(
        f"a silent worker's diagnosis (ping --timeout {SILENT_TIMEOUT:g}, --buffered), request "
        f"to verdict, median of {SILENT_RUNS}:"
    )
    for early, name in ((False, "experiments after the wait"), (True, "experiments in the wait")):
        took = statistics.median(r[0] for r in runs[early])
        whole = statistics.median(r[1] for r in runs[early])
        verdicts = sorted({r[2] for r in runs[early]})
        print(f"  {name:<28} {took:5.2f} s   (the whole ping {whole:.2f} s; {verdicts})")
    took = statistics.median(r[0] for r in runs[True])
    same = {r[2] for r in runs[True]} == {r[2] for r in runs[False]} == {"buffered"}
    ok = took <= budget and same
    verdict = "OK" if ok else "OVER TARGET" if same else "VERDICTS DIFFER"
    target = f"target <= timeout + {SILENT_MARGIN:g} s = {budget:g} s"
    print(f"  in the wait: {took:.2f} s   {target}   {verdict}")
    return ok


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        quick = round_trips(folder)
        in_time = diagnosis_time(folder)
    return 0 if quick and in_time else 1  # `make bench` names a missed target


if __name__ == "__main__":
    sys.exit(main())
