"""`poolctl run-scenario`'s peak memory against the number of requests in the scenario.

One scenario (four reference workers, eight callers, `ping` N times) is run by the CLI in a
subprocess each (peak RSS from `wait4`) at 12,000 requests (the baseline, measured in the same
run: 60,000 events, past the 50,000 that the pictures read at most, poolctl/report/trace_read.py
MAX_EVENTS, so that what grows past it is the run's own) and at each count asked (default 20,000
and 80,000; `--requests 20000` for a quick run).
Target: peak RSS within 1.15x the baseline's at every count: a request's five events
(checkout asked and granted, request, response, checkin) are let go once written
(poolctl/scenario/run.py ROUTINE_EVENTS), where the code before held them all for the
classifier, 185 MB at 20,000 pings and 290 MB at 80,000. The run folders are deleted afterwards.

`--failing` runs the same counts with every answer failing the step's expectation (`equals:
{result.status: down}`), against the same passing baseline: each failure's event is held in
its group's few examples (poolctl/scenario/failed_checks.py), where the code before held them
all and made a finding of each.

`--unanswered` runs the same counts with every request timing out (`sleep` 0.01 s against a
request_timeout of 0.005 s), against the same passing baseline: each `no_response` is held in
its reason's few examples (poolctl/scenario/unanswered.py), where the code before held them all
(171 MB at 20,000, 192 MB at 60,000).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_RATIO = 1.15
BASELINE = 12_000

SCENARIO = """name: many-pings
worker:
  command: ["{{python}}", "-m", "poolctl.workers.reference"]
pool: {{size: 4, max_overflow: 0, checkout_timeout: 5}}
steps:
  - request: {{command: ping, count: {count}, concurrency: 8{expect}}}
expect:
  outcome: ok
"""
FAILING = ", expect: {equals: {result.status: down}}"  # the reference worker says "ok"
UNANSWERED = """name: many-unanswered
worker:
  command: ["{{python}}", "-m", "poolctl.workers.reference"]
pool: {{size: 4, max_overflow: 0, checkout_timeout: 30, request_timeout: 0.005}}
steps:
  - request: {{command: sleep, args: {{seconds: 0.01}}, count: {count}, concurrency: 8}}
expect:
  patterns: [port-no-response]
"""


REPO = Path(__file__).resolve().parent.parent


def peak_rss_mb(
    base: Path, count: int, source: Path, failing: bool = False, unanswered: bool = False
) -> float:
    """Run the scenario of `count` pings (each failing its expectation with `failing`; each
    unanswered with `unanswered`) with poolctl's code from `source`; the CLI's peak RSS in MB
    (run from `base`: `python -m` puts the working folder first on the path)."""
    name = f"{'failing' if failing else 'unanswered' if unanswered else 'many'}-{count}"
    path = base / f"{name}.yaml"
    text = SCENARIO.format(count=count, expect=FAILING if failing else "")
    path.write_text(UNANSWERED.format(count=count) if unanswered else text)
    command = [sys.executable, "-m", "poolctl", "run-scenario", str(path), "-q", "--no-history"]
    command += ["--run-dir", str(base / f"run-{name}")]
    env = {**os.environ, "PYTHONPATH": str(source)}
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=base, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != (256 if failing else 0):  # a failing run exits 1
        raise SystemExit(f"run-scenario of {count:,} pings failed (status {status})")
    return usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, nargs="+", default=[20_000, 80_000])
    parser.add_argument(
        "--source", type=Path, default=REPO, help="poolctl's code to run (another checkout's)"
    )
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument(
        "--failing", action="store_true", help="every answer fails the step's expectation"
    )
    kind.add_argument("--unanswered", action="store_true", help="every request times out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="poolctl-bench-scenario-") as tmp:
        base = Path(tmp)
        baseline = peak_rss_mb(base, BASELINE, args.source)
        print(f"poolctl from {args.source}")
        print(f"{BASELINE:>7,} pings (baseline): peak RSS {baseline:.0f} MB")
        worst = 0.0
        for count in args.requests:
            rss = peak_rss_mb(base, count, args.source, args.failing, args.unanswered)
            worst = max(worst, rss / baseline)
            what = "pings, each failing" if args.failing else "pings"
            what = "requests, each unanswered" if args.unanswered else what
            print(f"{count:>7,} {what}: peak RSS {rss:.0f} MB, {rss / baseline:.2f}x the baseline")
    verdict = "met" if worst <= TARGET_RATIO else "MISSED"
    print(f"worst {worst:.2f}x the baseline (target <= {TARGET_RATIO}x): {verdict}")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
