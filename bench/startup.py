"""Start-up: `poolctl --version`, `poolctl --help` and `poolctl triage` of a tiny log against
`python -c "import typer, rich"`.

Every command module is imported only when it runs (`poolctl/commands/index.py` lists them),
so `--version` and `--help` cost little more than typer itself. A triage of a two-test log
(`tests/fixtures/pytest/matrix/postgres-1.txt`, a real capture) is almost all start-up: the
modules of its path, the knowledge base, the run folder, and with a history store, SQLAlchemy
and the store's schema check. Each case is run in turns, ROUNDS times, in the same interpreter
and environment (bytecode cached by a first round that is not counted), in a temporary folder
that holds the run folders and the history store; prints the median wall time of each (the
ratio's) and its median CPU time (user and system: less moved by other load), and the ratios.
Targets: `--version` and `--help` <= 1.5. Triage <= 4, with or without a history store: the
start's share of triage's budget on a 200 MB log (3x a 0.28 s grep, `bench/triage.py`) is a
third, 0.28 s, about 4x the baseline's 70 ms of CPU.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 21
BASELINE = "import typer, rich"
TRIAGE_TARGET = 4.0
TINY_LOG = Path(__file__).resolve().parent.parent / "tests/fixtures/pytest/matrix/postgres-1.txt"


def cases(folder: Path) -> dict[str, tuple[list[str], float | None]]:
    """Each case's command line and its target ratio (None: the baseline)."""
    poolctl = [sys.executable, "-m", "poolctl"]
    triage = [*poolctl, "triage", str(TINY_LOG), "--keep", "2"]
    store = f"sqlite:///{folder / 'history.sqlite'}"
    return {
        BASELINE: ([sys.executable, "-c", "import typer, rich"], None),
        "poolctl --version": ([*poolctl, "--version"], 1.5),
        "poolctl --help": ([*poolctl, "--help"], 1.5),
        "triage, no history": ([*triage, "--no-history"], TRIAGE_TARGET),
        "triage, history": ([*triage, "--history", store], TRIAGE_TARGET),
    }


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """The wall time and the CPU time (user and system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="poolctl-startup-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "COLUMNS": "100", "POOLCTL_REPORTS_DIR": str(folder / "reports")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # cached bytecode, as an installed poolctl has
        env.pop("POOLCTL_HISTORY", None)
        env.pop("GITHUB_STEP_SUMMARY", None)
        table = cases(folder)
        for argv, _ in table.values():  # warm: bytecode written, files in the page cache
            timed(argv, env, folder)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in table}
        for _ in range(ROUNDS):  # in turns, so machine noise hits every case alike
            for name, (argv, _) in table.items():
                times[name].append(timed(argv, env, folder))
    base = statistics.median(wall for wall, _ in times[BASELINE])
    ok = True
    for name, samples in times.items():
        median = statistics.median(wall for wall, _ in samples)
        cpu = statistics.median(used for _, used in samples)
        line = f"{name:<20} median {median * 1000:6.1f} ms (CPU {cpu * 1000:6.1f} ms)"
        target = table[name][1]
        if target is not None:
            ratio = median / base
            ok = ok and ratio <= target
            line += f"   ratio {ratio:.2f} (target <= {target})"
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
