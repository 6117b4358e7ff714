"""The report step's peak memory against the size of the run's trace (`events.jsonl`).

A real run's trace (tests/fixtures/traces/p3-checkout-timeout: a pool, six callers, checkout
timeouts) has its middle events (checkouts, requests, timeouts) repeated, renumbered and moved
on in time, to each size asked (default 10, 100 and 1000 MB; `--mb 10 100` for quick runs).
Then, in a subprocess each (peak RSS from `wait4`), the report step of that run folder: `save`,
which draws the timeline and trace.json from the trace, as `run-scenario`, `ping` and `doctor`
do at their end. The baseline is the same step on the first size asked (10 MB), in the same run;
the real trace as it is (4.9 KB) is measured too. Target: peak RSS within 1.25x the baseline's
at every size (independent of the trace's size: the pictures are drawn from a bounded part,
poolctl/report/trace_read.py; the code before read the file whole, 10 MB took 165 MB and 100 MB
1.3 GB). The files are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

TARGET_RATIO = 1.25
TRACE = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "traces" / "p3-checkout-timeout"
)

SAVE = """
import dataclasses, sys
from pathlib import Path
from poolctl.report.load import load_report
from poolctl.report.publish import save
from poolctl.rundir import RunDir
folder = Path(sys.argv[1])
report = load_report(folder / "saved.json")
details = dataclasses.replace(report.details, timeline=None)
shown = save(dataclasses.replace(report, details=details, run_dir=str(folder)), RunDir(folder))
print(shown.notes[-1] if shown.notes else "")
"""


def inflate(dst: Path, size: int) -> int:
    """Write the real trace to `dst`, its middle repeated until the file is `size` bytes."""
    events = [orjson.loads(line) for line in (TRACE / "events.jsonl").read_bytes().splitlines()]
    head, middle, tail = events[:3], events[3:-6], events[-6:]
    span = middle[-1]["t"] - middle[0]["t"] + 0.001
    seq = 0
    written = 0
    with dst.open("wb") as out:

        def put(event: dict[str, object], shift: float) -> None:
            nonlocal seq, written
            seq += 1
            line = orjson.dumps(
                {**event, "seq": seq, "t": round(float(event["t"]) + shift, 6)},  # type: ignore[arg-type]
                option=orjson.OPT_APPEND_NEWLINE,
            )
            out.write(line)
            written += len(line)

        for e in head:
            put(e, 0.0)
        rounds = 0
        while written < size:
            for e in middle:
                put(e, rounds * span)
            rounds += 1
        for e in tail:
            put(e, rounds * span)
    return seq


def peak_rss_mb(folder: Path) -> tuple[float, str]:
    proc = subprocess.Popen([sys.executable, "-c", SAVE, str(folder)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    said = proc.stdout.read().decode().strip()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"the report step failed on {folder} (status {status})")
    return usage.ru_maxrss / 1024, said


def folder_with(base: Path, name: str) -> Path:
    folder = base / name
    folder.mkdir()
    shutil.copy(TRACE / "report.json", folder / "saved.json")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, nargs="+", default=[10, 100, 1000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="poolctl-bench-trace-") as tmp:
        base = Path(tmp)
        small = folder_with(base, "real")
        shutil.copy(TRACE / "events.jsonl", small / "events.jsonl")
        real, _ = peak_rss_mb(small)
        print(f"the real trace (4.9 KB): peak RSS {real:.0f} MB")
        worst, baseline = 0.0, 0.0
        for mb in args.mb:
            folder = folder_with(base, f"{mb}mb")
            events = inflate(folder / "events.jsonl", mb * 1_000_000)
            rss, said = peak_rss_mb(folder)
            baseline = baseline or rss  # the first size asked
            worst = max(worst, rss / baseline)
            print(
                f"{mb:>5} MB trace ({events:,} events): peak RSS {rss:.0f} MB, "
                f"{rss / baseline:.2f}x the baseline ({args.mb[0]} MB)\n        note: {said}"
            )
            shutil.rmtree(folder)
    verdict = "met" if worst <= TARGET_RATIO else "MISSED"
    print(f"worst {worst:.2f}x the baseline (target <= {TARGET_RATIO}x): {verdict}")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
