"""Where the test suite spends its CPU: each test's CPU time, its own process's and its children's,
and its wall time, summed by file and listed by test.

The suite is CPU-bound on this 2-core machine (issue 13: `make test` at ~1,000 s of CPU), so its
wall time follows its CPU. As a pytest plugin (`-p bench.suite_cpu`, with SUITE_CPU_OUT naming a
folder) it takes `getrusage` of the test process (RUSAGE_SELF) and of its reaped children
(RUSAGE_CHILDREN: a worker, a `poolctl` run, a Node server, counted once waited for) around each
test's setup, call and teardown, and appends one JSON line per test to a file of its own process
(one per xdist worker). A module- or session-scoped fixture's CPU falls on the test that set it
up or tore it down, as it would when that test ran alone.

    python bench/suite_cpu.py [--out DIR] [--top N] [PYTEST ARGS...]   runs pytest, then reports
    python bench/suite_cpu.py --report DIR [--top N]                     reports an earlier run

The report: totals (CPU self, children, wall), then the top files and the top tests by CPU.

Measured 2026-12-03 (`-n 2 --dist worksteal`, the whole suite, loads 8-22 from other work): 838 s
of CPU in all before the cuts of that day, 796 s after (769 s within the tests, 568 s of it
their children's). A quarter is the tests against real MCP and language servers
(tests/test_jsonrpc_peers*.py, ~200 s): each diagnosis starts fresh copies of the server, and an
MCP SDK server's imports or a Node server's start cost 0.5-2 s of CPU each.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

OUT_ENV = "SUITE_CPU_OUT"
ROOT = Path(__file__).resolve().parent.parent


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """One line per test: its CPU (self, children) and wall, setup to teardown."""
    folder = os.environ.get(OUT_ENV)
    if not folder:
        return (yield)
    wall, own, children = (
        time.monotonic(),
        _cpu(resource.RUSAGE_SELF),
        _cpu(resource.RUSAGE_CHILDREN),
    )
    try:
        return (yield)
    finally:
        line = {
            "test": item.nodeid,
            "self": round(_cpu(resource.RUSAGE_SELF) - own, 4),
            "children": round(_cpu(resource.RUSAGE_CHILDREN) - children, 4),
            "wall": round(time.monotonic() - wall, 4),
        }
        name = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(Path(folder) / f"{name}.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


def read(folder: Path) -> list[dict[str, Any]]:
    """Every test's line from every process's file."""
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.open()]


def report(folder: Path, top: int) -> str:
    """Totals, then the top files and tests by CPU (self + children)."""
    rows = read(folder)
    by_file: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for row in rows:
        sums = by_file[row["test"].split("::", 1)[0]]
        sums[0] += row["self"]
        sums[1] += row["children"]
        sums[2] += row["wall"]
        sums[3] += 1
    own = sum(r["self"] for r in rows)
    kids = sum(r["children"] for r in rows)
    wall = sum(r["wall"] for r in rows)
    lines = [
        f"{len(rows)} tests: CPU {own + kids:.1f} s (self {own:.1f}, children {kids:.1f}), "
        f"wall {wall:.1f} s summed over tests",
        "",
        f"{'cpu':>8} {'self':>7} {'child':>7} {'wall':>7} {'tests':>5}  file",
    ]
    files = sorted(by_file.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
    for name, (s, c, w, n) in files[:top]:
        lines.append(f"{s + c:8.1f} {s:7.1f} {c:7.1f} {w:7.1f} {n:5d}  {name}")
    lines += ["", f"{'cpu':>8} {'self':>7} {'child':>7} {'wall':>7}  test"]
    tests = sorted(rows, key=lambda r: -(r["self"] + r["children"]))
    for r in tests[:top]:
        cpu = r["self"] + r["children"]
        lines.append(
            f"{cpu:8.2f} {r['self']:7.2f} {r['children']:7.2f} {r['wall']:7.2f}  {r['test']}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the per-process lines (a new one)")
    parser.add_argument("--report", type=Path, help="only report the lines of an earlier run")
    parser.add_argument("--top", type=int, default=30)
    args, pytest_args = parser.parse_known_args()
    if args.report:
        print(report(args.report, args.top))
        return 0
    folder = args.out or Path(tempfile.mkdtemp(prefix="suite-cpu-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, OUT_ENV: str(folder)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as `make test` runs it
    command = [sys.executable, "-m", "pytest", "-p", "bench.suite_cpu", *pytest_args]
    started = time.monotonic()
    before = _cpu(resource.RUSAGE_CHILDREN)
    status = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    print(
        f"\npytest exited {status}: wall {time.monotonic() - started:.1f} s, "
        f"CPU {_cpu(resource.RUSAGE_CHILDREN) - before:.1f} s in all (its processes and theirs)"
    )
    print(f"lines in {folder}\n")
    print(report(folder, args.top))
    return status


if __name__ == "__main__":
    sys.exit(main())
