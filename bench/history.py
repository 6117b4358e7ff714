"""The run history's share of `poolctl triage`: the same triage with and without its store.

Two measures, each the median of rounds in which the variants run in turns (so that a burst of
load on a shared machine weighs on all alike):

- recording a large run: `poolctl triage` of a 200 MB `pytest -vv` log (200,000 passes and
  2,500 failures, generated as `bench/triage.py` does) with `--no-history`, with a store that
  already holds a run of the same suite (as a project's store does: the suite ran before), and
  with an empty store (a suite's first run: every test's name is stored once then);
- opening a store: `poolctl triage` of a small JUnit capture with `--no-history` and with a
  current store (its schema made), which is what the history adds to a command's start.

Each round records into a fresh copy of its store. Targets: the run into a store that knows
the suite at most `TARGET_RECORD` seconds more than no history; opening at most `TARGET_OPEN`.
`--quick` generates a 40 MB log (a check, not the target).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.triage import TEMPLATE, generate

SMALL_LOG = Path(__file__).resolve().parent.parent / "tests/fixtures/junit/flaky/run1.xml"
TARGET_RECORD = 0.25  # seconds the history adds to the triage of 200,000 passes
TARGET_OPEN = 0.05  # seconds the history adds to a small triage's
MB = 1_000_000


def triage(
    log: Path, run_dir: Path, env: dict[str, str], history: Path | None
) -> tuple[float, float]:
    """Wall and CPU seconds of one `poolctl triage` of `log` (its run folder removed after):
    on a busy machine the CPU time says what the work costs, the wall time what a user waits."""
    argv = [
        sys.executable, "-m", "poolctl", "triage", str(log), "--format", "json",
        "--output", os.devnull, "--run-dir", str(run_dir), "--fail-on", "never",
        *(["--history", str(history)] if history is not None else ["--no-history"]),
    ]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"poolctl triage {log} failed with exit status {proc.returncode}")
    shutil.rmtree(run_dir, ignore_errors=True)
    return seconds, usage.ru_utime + usage.ru_stime


def empty_store(path: Path, env: dict[str, str]) -> Path:
    subprocess.run([sys.executable, "-c", TEMPLATE, str(path)], env=env, check=True)
    return path


def store_knowing(log: Path, path: Path, tmp: Path, env: dict[str, str]) -> Path:
    """A store holding one run of `log`'s suite, its inputs' digest cleared: the same log
    triaged into a copy of it is recorded as the suite's next run."""
    empty_store(path, env)
    triage(log, tmp / "seed-run", env, path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET inputs_digest = NULL")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all in the file a round copies
    return path


Timing = tuple[float, float]  # wall, CPU seconds


def rounds_of(variants: dict[str, Callable[[int], Timing]], rounds: int) -> dict[str, Timing]:
    """The median wall and CPU seconds of each variant, the variants run in turns, after a
    first round that is not counted (bytecode written, files cached)."""
    times: dict[str, list[Timing]] = {name: [] for name in variants}
    for round_no in range(rounds + 1):
        for name, run in variants.items():
            timing = run(round_no)
            if round_no:
                times[name].append(timing)
    return {
        name: (statistics.median(t[0] for t in values), statistics.median(t[1] for t in values))
        for name, values in times.items()
    }


def fresh(store: Path, tmp: Path, name: str) -> Callable[[int], Path]:
    def copy(round_no: int) -> Path:
        return Path(shutil.copyfile(store, tmp / f"{name}-{round_no}.sqlite"))

    return copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 40 MB log: a check")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the large log")
    parser.add_argument("--open-rounds", type=int, default=15, help="rounds of the small log")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env.pop("POOLCTL_HISTORY", None)
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="poolctl-bench-history-") as folder:
        tmp = Path(folder)
        run = tmp / "run"
        empty = empty_store(tmp / "empty.sqlite", env)
        known = fresh(empty, tmp, "current")
        medians = rounds_of(
            {
                "no history": lambda n: triage(SMALL_LOG, run, env, None),
                "history": lambda n: triage(SMALL_LOG, run, env, known(n)),
            },
            args.open_rounds,
        )
        (wall, cpu), (wall_h, cpu_h) = medians["no history"], medians["history"]
        opening = wall_h - wall
        print(
            f"small triage: {wall:.3f} s without history, {wall_h:.3f} s with a current store "
            f"(CPU {cpu:.3f} s, {cpu_h:.3f} s): opening it +{opening:.3f} s (CPU "
            f"+{cpu_h - cpu:.3f} s; target <= {TARGET_OPEN:g}): "
            + ("OK" if opening <= TARGET_OPEN else "OVER")
        )
        ok &= opening <= TARGET_OPEN
        megabytes = 40 if args.quick else 200
        log = tmp / "pytest.log"
        failures = generate(log, "pytest", megabytes, 80)
        size = log.stat().st_size / MB
        knowing = fresh(store_knowing(log, tmp / "knowing.sqlite", tmp, env), tmp, "knowing")
        first = fresh(empty, tmp, "first")
        medians = rounds_of(
            {
                "no history": lambda n: triage(log, run, env, None),
                "known suite": lambda n: triage(log, run, env, knowing(n)),
                "first run": lambda n: triage(log, run, env, first(n)),
            },
            args.rounds,
        )
        with sqlite3.connect(tmp / "knowing.sqlite") as db:
            (passes,) = db.execute("SELECT passed FROM runs").fetchone()
        base, base_cpu = medians["no history"]
        print(f"pytest -vv log: {size:,.0f} MB, {failures:,} failures, {passes:,} passes")
        print(f"  triage --no-history                    {base:6.2f} s  (CPU {base_cpu:5.2f} s)")
        for name, label in (("known suite", "a store that knows the suite"),
                            ("first run", "an empty store (its first run)")):  # fmt: skip
            wall, cpu = medians[name]
            print(
                f"  triage, {label:<30} {wall:6.2f} s  (CPU {cpu:5.2f} s)  history "
                f"+{wall - base:.2f} s (CPU +{cpu - base_cpu:.2f} s)"
            )
        extra = medians["known suite"][0] - base
        line = f"  history's share of a run of a known suite: +{extra:.2f} s"
        if not args.quick:
            line += f" (target <= {TARGET_RECORD:g}): " + (
                "OK" if extra <= TARGET_RECORD else "OVER"
            )
            ok &= extra <= TARGET_RECORD
        print(line, flush=True)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
