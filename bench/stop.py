"""How long each command takes to end after Ctrl-C, mid-run, against a process that exits at
once on SIGINT.

Runs the `poolctl` program (as a user does, in a process group of its own) against a worker
that ignores signals and spins at end of input: `doctor` while its checks wait on the worker
(it used to wait for every check, 9 to 46 s), `ping` while it diagnoses a silent worker,
`run-scenario` with requests in flight, `triage` reading a log from a pipe that stays open.
Each is sent SIGINT once it is there; the time until it has exited is taken, three times each
(the median shown). The baseline, measured in the same run: a Python process whose SIGINT
handler exits at once. Prints each median and its ratio to the baseline. Target: every
command ends within 1 s of Ctrl-C.

`--idle N` starts N idle processes first (as `bench/proctree.py` does: a busy machine, whose
every process poolctl's searches by token go over as the command ends).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.proctree import start_idle, stop_idle

TARGET_SECONDS = 1.0
RUNS = 3
WORKER = [
    sys.executable, "-m", "poolctl.workers.reference", "--ignore-signals", "--spin-on-eof",
]  # fmt: skip
POOLCTL = [sys.executable, "-m", "poolctl"]
BASELINE = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGINT, lambda *_: sys.exit(130))\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)
SCENARIO = """\
worker:
  command: {command}
pool: {{size: 2, stop_grace: 30, request_timeout: 60}}
steps:
  - request: {{command: sleep, args: {{seconds: 60}}, count: 2, concurrency: 2}}
"""


def run_dir(base: Path) -> Path | None:
    found = sorted(p for p in base.glob("2*") if p.is_dir()) if base.exists() else []
    return found[0] if found else None


def has(path: Path | None, text: str) -> bool:
    try:
        return path is not None and text in path.read_text(errors="replace")
    except OSError:
        return False


def stop_time(argv: list[str], ready: Callable[[Path], bool], folder: Path) -> float:
    """Start `argv` in `folder`, wait until `ready`, send SIGINT; seconds until it exited."""
    env = {**os.environ, "POOLCTL_REPORTS_DIR": str(folder / "reports")}
    env.pop("PYTHONUNBUFFERED", None)
    proc = subprocess.Popen(
        argv,
        cwd=folder,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        end = time.monotonic() + 60
        while not ready(folder):
            if proc.poll() is not None or time.monotonic() > end:
                raise SystemExit(f"{' '.join(argv[2:4])}: never reached mid-run")
            time.sleep(0.02)
        started = time.perf_counter()
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(30)
        return time.perf_counter() - started
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def baseline_ready(folder: Path) -> bool:
    return (folder / "ready").exists()


def doctor_ready(folder: Path) -> bool:
    """Its checks started: the probe and the start-up check each wait on their worker."""
    run = run_dir(folder / "reports")
    workers = run / "workers" if run is not None else None
    return workers is not None and all(
        (workers / f"{w}.stderr.log").exists() for w in ("probe", "startup")
    )


def ping_ready(folder: Path) -> bool:
    """No answer came: the diagnosis has dumped the worker's stacks and waits on."""
    run = run_dir(folder / "reports")
    return run is not None and (run / "stack-w1.txt").exists()


def scenario_ready(folder: Path) -> bool:
    """Requests are in flight."""
    run = run_dir(folder / "reports")
    return run is not None and has(run / "events.jsonl", '"type":"request"')


def triage_ready(folder: Path) -> bool:
    """It reads its log from a pipe that stays open."""
    return run_dir(folder / "reports") is not None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle", type=int, default=0, help="idle processes started first")
    idle = start_idle(parser.parse_args().idle)
    try:
        return measure()
    finally:
        stop_idle(idle)


def measure() -> int:
    cases: dict[str, tuple[list[str], Callable[[Path], bool]]] = {
        "doctor": ([*POOLCTL, "doctor", "--", *WORKER, "--init-delay", "60"], doctor_ready),
        "ping": (
            [*POOLCTL, "ping", "--timeout", "0.5", "--", *WORKER, "--init-delay", "60"],
            ping_ready,
        ),
        "run-scenario": ([*POOLCTL, "run-scenario", "s.yaml", "-q"], scenario_ready),
        "triage": ([*POOLCTL, "triage", "-"], triage_ready),
    }
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="poolctl-bench-stop-") as tmp:
        times = []
        for i in range(RUNS):
            folder = Path(tmp) / f"baseline-{i}"
            folder.mkdir()
            mark = f"open({str(folder / 'ready')!r}, 'w')"
            code = BASELINE.replace("print('ready', flush=True)", mark)
            times.append(stop_time([sys.executable, "-c", code], baseline_ready, folder))
        results["baseline"] = statistics.median(times)
        for name, (argv, ready) in cases.items():
            times = []
            for i in range(RUNS):
                folder = Path(tmp) / f"{name}-{i}"
                folder.mkdir()
                command = [sys.executable, *WORKER[1:]]
                (folder / "s.yaml").write_text(SCENARIO.format(command=command))
                times.append(stop_time(argv, ready, folder))
            results[name] = statistics.median(times)
    base = results.pop("baseline")
    print(f"baseline (a process exiting at once on SIGINT): {base * 1000:.0f} ms")
    for name, seconds in results.items():
        print(f"{name:13s} ended {seconds:.3f} s after Ctrl-C ({seconds / base:.1f}x the baseline)")
    worst = max(results.values())
    print(f"slowest: {worst:.3f} s (target <= {TARGET_SECONDS:g} s)")
    return 0 if worst <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
