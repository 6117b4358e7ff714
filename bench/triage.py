"""`poolctl triage` on large logs built from real runner output, against the grep a user types.

The logs are generated into a temporary folder (nothing big is committed) from the captured
fixtures: `tests/fixtures/exunit/pool_suite.log` (`mix test`) and
`tests/fixtures/pytest/pool_suite_verbose.txt` (`pytest -vv`). Their failure blocks are
repeated with the failure counters renumbered and the pools, pids and ports changed, between
lines sampled from the same capture (Logger lines and progress dots for ExUnit, the per-test
progress lines for pytest), until the log has the size asked for.

Each case times, in the same run, `poolctl triage LOG --format json` (a subprocess: its peak
RSS comes from `wait4`; it records its run in a history store in the temporary folder, a fresh
copy of an empty one each round, as a user's triage does in the project's) and `grep -E -c`
with the key phrases of the seven patterns, the grep a user would type; then prints MB/s,
peak RSS, the number of failures and the ratio triage/grep, with the grep of the union of the
knowledge base's regexes for
reference (stopped after `UNION_LIMIT` seconds: on a log full of failures it runs at under
1 MB/s). Each timing is the median of `--rounds` rounds, triage and grep alternating, so that a
burst of load on a shared machine weighs on both.

Targets: triage at most 3x the simple grep on the 200 MB logs; peak RSS at most 150 MB on
200 MB, on 1 GB and on 50,000 failures. `--quick` runs smaller logs (a check, not the target).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from poolctl.logs import read_logs
from poolctl.model import Failure
from poolctl.patterns import builtin_patterns

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
EXUNIT_SOURCE = FIXTURES / "exunit" / "pool_suite.log"
PYTEST_SOURCE = FIXTURES / "pytest" / "pool_suite_verbose.txt"
# the grep a user types: the seven patterns' key phrases, and ExUnit's failure headers
USER_GREP = (
    r"No response received|{:shutdown, {NimblePool|pool_timeout|FunctionClauseError|"
    r"is required|Python bridge not|no process|^ *[0-9]+\) test "
)
TARGET_RATIO = 3.0
TARGET_RSS_MB = 150
# the KB-union grep is only a reference, and slow on logs full of failures: stopped past this
UNION_LIMIT = 120.0
MB = 1_000_000

# numbers that differ from test to test: pools, pids, ports, references
_VARYING = re.compile(
    r"(?<=test_pool_)\d+|(?<=pool_)\d+(?=\b)|(?<=#PID<0\.)\d+|(?<=#Port<0\.)\d+"
    r"|(?<=#Reference<0\.)\d+|(?<=os_pid: )\d+|(?<=\(pid )\d+"
)


class Slots:
    """A text cut around its varying numbers: `fill` writes it with new ones each time."""

    def __init__(self, text: str, counter_at: int | None = None, name_at: int | None = None):
        spans = [(m.start(), m.end(), "number") for m in _VARYING.finditer(text)]
        if counter_at is not None:
            end = counter_at
            while text[end].isdigit():
                end += 1
            spans.append((counter_at, end, "counter"))
        if name_at is not None:
            spans.append((name_at, name_at, "name"))
        self.pieces: list[str] = []
        self.kinds: list[str] = []
        last = 0
        for start, end, kind in sorted(spans):
            if start < last:
                continue
            self.pieces.append(text[last:start])
            self.kinds.append(kind)
            last = end
        self.tail = text[last:]

    def fill(self, rng: random.Random, counter: int = 0, name: str = "") -> str:
        out: list[str] = []
        for piece, kind in zip(self.pieces, self.kinds, strict=True):
            out.append(piece)
            if kind == "counter":
                out.append(str(counter))
            elif kind == "name":
                out.append(name)
            else:
                out.append(str(rng.randint(100, 99_999)))
        out.append(self.tail)
        return "".join(out)


def _source(path: Path) -> tuple[list[str], list[Failure]]:
    """The capture's lines, and its failures (not setup errors) as poolctl reads them."""
    lines = path.read_text(encoding="utf-8").split("\n")
    failures = [
        f
        for f in read_logs([str(path)]).failures
        if f.line_end > f.line_start and f.details.get("outcome") != "error"
    ]
    return lines, failures


def write_exunit(out: TextIO, megabytes: int, every: int, rng: random.Random) -> int:
    """A `mix test` log: the capture's failure blocks, each after `every` bytes of the output
    printed between its blocks (Logger lines, worker stderr, progress dots; whole runs of lines,
    sampled), renumbered; returns the number of failures written."""
    lines, failures = _source(EXUNIT_SOURCE)
    inside = {n for f in failures for n in range(f.line_start, f.line_end + 1)}
    first = failures[0].line_start
    last = max(f.line_end for f in failures)
    runs: list[list[str]] = [[]]
    for n in range(first, last + 1):
        if n in inside:
            if runs[-1]:
                runs.append([])
        elif lines[n - 1].strip():
            runs[-1].append(lines[n - 1])
    runs = [r for r in runs if r]
    blocks = [
        "\n".join(lines[f.line_start - 1 : f.line_end])
        for f in failures
        if re.match(r" *\d+\) test ", lines[f.line_start - 1])
    ]
    cycle: list[tuple[str, Slots]] = []
    for i in range(50):  # a cycle of 50 failures, written again and again, renumbered
        filler: list[str] = []
        while sum(map(len, filler)) < every:
            filler += rng.choice(runs)
        block = blocks[i % len(blocks)]
        indent = len(block) - len(block.lstrip(" "))
        cycle.append(("\n".join(filler) + "\n\n", Slots(block + "\n\n", counter_at=indent)))
    out.write("\n".join(lines[: first - 1]) + "\n")
    written = 0
    counter = 0
    while written < megabytes * MB:
        parts = []
        for filler_text, block_slots in cycle:
            counter += 1
            parts += [filler_text, block_slots.fill(rng, counter)]
        text = "".join(parts)
        out.write(text)
        written += len(text)
    out.write(
        "\nFinished in 290.8 seconds (48.8s async, 241.9s sync)\n"
        f"{counter * 20} tests, {counter} failures\n\nRandomized with seed 38252\n"
    )
    return counter


def write_pytest(out: TextIO, megabytes: int, every: int, rng: random.Random) -> int:
    """A `pytest -vv` log: a progress line per test (the capture's PASSED lines, renamed), then
    the capture's failure blocks, each failing test renamed, one per `every` bytes of the log,
    the short summary and the closing line; returns the number of failures written."""
    lines, failures = _source(PYTEST_SOURCE)
    count = max(1, megabytes * MB // every)
    passed = [ln for ln in lines if " PASSED " in ln and ln.endswith("]")]
    cut = [ln.index("::test_") + len("::test_") for ln in passed]
    progress = [(ln[:at], ln[at:]) for ln, at in zip(passed, cut, strict=True)]
    blocks: list[tuple[Slots, str, str]] = []
    for f in failures:
        text = "\n".join(lines[f.line_start - 1 : f.line_end]) + "\n"
        title = text.split("\n", 1)[0]
        at = title.rindex(f.name.rsplit(".", 1)[-1]) + len(f.name.rsplit(".", 1)[-1])
        nodeid = f.details.get("nodeid", f.name)
        blocks.append((Slots(text, name_at=at), nodeid, f.details.get("summary", "")))
    out.write("\n".join(lines[:5]) + "\n\n")
    block_bytes = sum(len(b[0].tail) + sum(map(len, b[0].pieces)) for b in blocks)
    progress_bytes = megabytes * MB - count * (block_bytes // len(blocks) + 120)
    written = 0
    k = 0
    while written < progress_bytes:  # in batches: a line at a time is slow to write
        batch = "".join(f"{head}{k + i}_{tail}\n" for i, (head, tail) in enumerate(progress * 500))
        k += len(progress) * 500
        out.write(batch)
        written += len(batch)
    out.write("\n" + " FAILURES ".center(80, "=") + "\n")
    summary: list[str] = []
    for i in range(count):
        slots, nodeid, message = blocks[i % len(blocks)]
        out.write(slots.fill(rng, name=f"_{i}"))
        summary.append(f"FAILED {nodeid}_{i}" + (f" - {message}" if message else ""))
    out.write(" short test summary info ".center(80, "=") + "\n")
    out.write("\n".join(summary) + "\n")
    out.write(f"========= {count} failed, {k} passed in 1234.56s =========\n")
    return count


def generate(path: Path, kind: str, megabytes: int, every_kb: float, seed: int = 7) -> int:
    """Write a log of about `megabytes` MB with a failure every `every_kb` KB; returns how
    many failures it holds."""
    rng = random.Random(seed)
    write = write_exunit if kind == "exunit" else write_pytest
    with path.open("w", encoding="utf-8", buffering=1 << 22) as out:
        return write(out, megabytes, int(every_kb * 1000), rng)


def grep_union() -> tuple[str, int]:
    """The union of every builtin signal regex that GNU grep accepts (a reference baseline)."""
    accepted, dropped = [], 0
    for pattern in builtin_patterns():
        for signal in pattern.signals:
            if signal.regex is None:
                continue
            ere = to_ere(signal.regex.pattern)
            checked = subprocess.run(["grep", "-E", "-e", ere, "/dev/null"], capture_output=True)
            if checked.returncode == 2:
                dropped += 1
            else:
                accepted.append(f"({ere})")
    return "|".join(accepted), dropped


def to_ere(regex: str) -> str:
    """A Python regex as POSIX ERE for GNU grep: a superset match (lookarounds dropped)."""
    out = re.sub(r"\(\?[imsx]+\)", "", regex)
    out = re.sub(r"\(\?P<\w+>", "(", out)
    out = out.replace("(?:", "(")
    out = re.sub(r"\(\?[!=]([^()]|\([^()]*\))*\)", "", out)
    out = re.sub(r"\\[1-9]", "['\"]", out)
    out = re.sub(r"([*+?}])\?", r"\1", out)
    out = out.replace("[^\\n]", ".").replace("\\n", " ")

    def bracket(m: re.Match[str]) -> str:
        body = m.group(1)
        negate = body.startswith("^")
        body = body[1:] if negate else body
        has_close = "\\]" in body
        body = body.replace("\\]", "")
        body = body.replace("\\w", "[:alnum:]_").replace("\\d", "0-9").replace("\\s", "[:space:]")
        body = re.sub(r"\\(.)", r"\1", body)
        if "-" in body.replace("0-9", "").replace("a-z", "").replace("A-Z", ""):
            body = body.replace("-", "") + "-"
        return "[" + ("^" if negate else "") + ("]" if has_close else "") + body + "]"

    out = re.sub(r"\[((?:\\.|[^\]\\])+)\]", bracket, out)
    return out.replace("\\d", "[0-9]")


@dataclass
class Run:
    seconds: float
    rss: int  # bytes
    out: str


def timed(argv: list[str], env: dict[str, str] | None = None, limit: float = 0) -> Run | None:
    """Wall seconds, peak RSS (from `wait4`) and standard output of one child process; None
    when it was stopped after `limit` seconds (0: no limit)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    timer = threading.Timer(limit, proc.kill) if limit else None
    if timer is not None:
        timer.start()
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = status  # reaped here: Popen must not wait for it again
    seconds = time.perf_counter() - start
    if timer is not None:
        timer.cancel()
        if seconds >= limit:
            return None
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{argv[0]} failed with exit status {code}")
    return Run(seconds, usage.ru_maxrss * 1024, out)


def must(run: Run | None) -> Run:
    assert run is not None, "a run without a time limit"
    return run


# an empty history store, its schema made (as `tests/conftest.py`'s template)
TEMPLATE = (
    "import sys; from poolctl.history.location import parse_location; "
    "from poolctl.history.store import HistoryStore; "
    "HistoryStore(parse_location(sys.argv[1])).open().close()"
)


def triage_argv(log: Path, run: Path) -> list[str]:
    return [
        sys.executable, "-m", "poolctl", "triage", str(log), "--format", "json",
        "--output", os.devnull, "--run-dir", str(run), "--fail-on", "never",
    ]  # fmt: skip


@dataclass
class Case:
    label: str
    kind: str
    megabytes: int
    every_kb: float
    ratio_target: bool  # the 3x target applies (the 200 MB logs)


def measure(case: Case, tmp: Path, rounds: int, union: str) -> bool:
    log = tmp / f"{case.kind}-{case.megabytes}.log"
    start = time.perf_counter()
    failures = generate(log, case.kind, case.megabytes, case.every_kb)
    size = log.stat().st_size / MB
    made = time.perf_counter() - start
    c_env = {**os.environ, "LC_ALL": "C"}  # grep's fastest mode: the strictest baseline
    # the interpreter's bytecode is written once, as an installed package has it
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # triage records its run in the history, as a user's does, but in a store of the bench's
    # own: the project's store is not filled with the generated logs' 200,000 passes a round.
    # Each round records into a fresh copy of an empty store (its schema made once, before):
    # the same log again would be the run it was, not recorded again.
    store = tmp / "history.sqlite"
    subprocess.run([sys.executable, "-c", TEMPLATE, str(store)], env=env, check=True)
    greps: list[float] = []
    triages: list[Run] = []
    for round_no in range(rounds):
        greps.append(must(timed(["grep", "-E", "-c", USER_GREP, str(log)], c_env)).seconds)
        env["POOLCTL_HISTORY"] = str(shutil.copyfile(store, tmp / f"history-{round_no}.sqlite"))
        triages.append(must(timed(triage_argv(log, tmp / "run"), env)))
        shutil.rmtree(tmp / "run", ignore_errors=True)
    union_run = timed(["grep", "-E", "-c", union, str(log)], c_env, UNION_LIMIT)
    log.unlink()
    grep_s = statistics.median(greps)
    triage_s = statistics.median(r.seconds for r in triages)
    rss = max(r.rss for r in triages) / MB
    ratio = triage_s / grep_s
    print(f"{case.label}: {size:,.0f} MB, {failures:,} failures (generated in {made:.0f} s)")
    print(f"  grep -E -c (key phrases)  {grep_s:6.2f} s  {size / grep_s:7.1f} MB/s")
    if union_run is not None:
        union_s = union_run.seconds
        print(f"  grep -E -c (KB union)     {union_s:6.2f} s  {size / union_s:7.1f} MB/s")
    else:
        limit = f"> {UNION_LIMIT:.0f} s"
        print(f"  grep -E -c (KB union)     {limit:>8}  < {size / UNION_LIMIT:5.1f} MB/s (stopped)")
    print(
        f"  poolctl triage            {triage_s:6.2f} s  {size / triage_s:7.1f} MB/s  "
        f"peak RSS {rss:5.0f} MB"
    )
    ok_rss = rss <= TARGET_RSS_MB
    line = f"  peak RSS {rss:.0f} MB (target <= {TARGET_RSS_MB}): {'OK' if ok_rss else 'OVER'}"
    ok_ratio = ratio <= TARGET_RATIO
    if case.ratio_target:
        line += f";  triage/grep {ratio:.2f} (target <= {TARGET_RATIO:g}): "
        line += "OK" if ok_ratio else "OVER"
    else:
        line += f";  triage/grep {ratio:.2f}"
    print(line, flush=True)
    return ok_rss and (ok_ratio or not case.ratio_target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small logs: a check, not the target")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per timing (median)")
    parser.add_argument("--every", type=float, default=80, metavar="KB", help="a failure every KB")
    args = parser.parse_args()
    if shutil.which("grep") is None:
        raise SystemExit("grep is needed for the baseline")
    if args.quick:
        cases = [
            Case("ExUnit", "exunit", 40, args.every, True),
            Case("pytest -vv", "pytest", 40, args.every, True),
            Case("ExUnit, 10,000 failures", "exunit", 20, 2, False),
        ]
    else:
        cases = [
            Case("ExUnit", "exunit", 200, args.every, True),
            Case("pytest -vv", "pytest", 200, args.every, True),
            Case("ExUnit, 1 GB", "exunit", 1000, args.every, False),
            Case("ExUnit, 50,000 failures", "exunit", 160, 2, False),  # ~3.2 KB a failure
        ]
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    union, dropped = grep_union()
    print(f"(the KB union grep leaves out {dropped} regexes GNU grep cannot take)")
    ok = True
    with tempfile.TemporaryDirectory(prefix="poolctl-bench-") as tmp:
        for case in cases:
            rounds = args.rounds if case.ratio_target else 1
            ok &= measure(case, Path(tmp), rounds, union)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
