"""Start-up: `poolctl --version` and `poolctl --help` against `python -c "import typer, rich"`.

Every command module is imported only when it runs (`poolctl/commands/index.py` lists them),
so the two commands cost little more than typer itself. The three are run in turns, ROUNDS
times each, in the same interpreter and environment (bytecode cached by a first round that is
not counted); prints the median of each and the ratios. Target: each ratio <= 1.5.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

ROUNDS = 21
TARGET = 1.5
CASES = {
    "import typer, rich": [sys.executable, "-c", "import typer, rich"],
    "poolctl --version": [sys.executable, "-m", "poolctl", "--version"],
    "poolctl --help": [sys.executable, "-m", "poolctl", "--help"],
}


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # cached bytecode, as an installed poolctl has
    for argv in CASES.values():  # warm: bytecode written, files in the page cache
        timed(argv, env)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(ROUNDS):  # in turns, so machine noise hits all three alike
        for name, argv in CASES.items():
            times[name].append(timed(argv, env))
    base = statistics.median(times["import typer, rich"])
    ok = True
    for name, samples in times.items():
        median = statistics.median(samples)
        ratio = median / base
        line = f"{name:<20} median {median * 1000:6.1f} ms"
        if name != "import typer, rich":
            ok = ok and ratio <= TARGET
            line += f"   ratio {ratio:.2f} (target <= {TARGET})"
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
