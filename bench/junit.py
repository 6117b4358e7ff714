"""`poolctl triage` on large JUnit XML reports built from real producers' reports, against the
grep a user types.

The reports are generated into a temporary folder (nothing big is committed) from the captured
reports: `tests/fixtures/junit/pytest_xunit2.xml` (pytest `--junitxml`: long tracebacks in each
`<failure>`), `tests/fixtures/junit/jest_junit.xml` (jest-junit: a message and a stack, no
`message` attribute) and `tests/fixtures/junit/surefire_nested/TEST-pool.PoolTest$Inner.xml`
(Maven Surefire: a `<properties>` block per suite, typed failures with Java stacks). Their
`<testcase>` elements are repeated, each renamed (`name="… 17"`), in suites written with the
capture's own suite start tag (its counts set to what each suite holds), with few failures (a
failure every `--every` KB, passing test cases between) or with many (failing test cases only,
as a run where everything broke); and a report of 100,000 small suites, each with its counts,
for the memory the suites take.

Each case times, in the same run, `poolctl triage REPORT --format json` (a subprocess: its CPU
time and peak RSS come from `wait4`; it records its run in a history store in the temporary
folder, a fresh copy of an empty one each round, as `bench/triage.py` does) and `grep -E -c`
with the key phrases of the seven patterns and the failure tags, the grep a user would type;
each timing is the median of `--rounds` rounds, in turns. It prints the CPU seconds, MB/s, the
ratio triage/grep and the peak RSS. `--old PATH` times the code of another checkout too (its
directory put first on PYTHONPATH; a worktree of main), in turns with this one, for a change's
before and after.

Target: peak RSS at most 150 MB on every case. The ratio to grep is printed, not held to a
target: grep reads these reports at gigabytes a second. `--quick` runs reports a tenth of the
size (a check, not the target).
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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.triage import TEMPLATE  # an empty history store, its schema made

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "junit"
SOURCES = {
    "pytest": FIXTURES / "pytest_xunit2.xml",
    "jest": FIXTURES / "jest_junit.xml",
    "surefire": FIXTURES / "surefire_nested" / "TEST-pool.PoolTest$Inner.xml",
}
# the grep a user types: the seven patterns' key phrases, and the failure elements
USER_GREP = (
    r"No response received|{:shutdown, {NimblePool|pool_timeout|FunctionClauseError|"
    r"is required|Python bridge not|no process|<failure|<error"
)
TARGET_RSS_MB = 150
# grep reads these reports in a few milliseconds of CPU, less than the kernel's tick: it is timed
# GREP_TIMES times in one shell (whose `wait4` usage counts the greps it waited for)
GREP_TIMES = 20
GREPS = ["sh", "-c", f'for i in $(seq {GREP_TIMES}); do grep -E -c "$0" "$1" >/dev/null; done']
MB = 1_000_000
CASES_PER_SUITE = 200  # pytest writes one suite; jest one per file, Surefire one per class

_CASE_RE = re.compile(rb"<testcase\b[^>]*?/>|<testcase\b[^>]*>.*?</testcase>", re.S)
_SUITE_RE = re.compile(rb"<testsuite\b[^>]*>")
_NAME_RE = re.compile(rb'(?<=\sname=")[^"]*')
_COUNT_RE = re.compile(rb'\s(?:tests|failures|errors|skipped)="[^"]*"')


@dataclass
class Source:
    """A capture cut into what is repeated: its prologue (up to its first suite), its suite's
    start tag and what precedes its first test case in it (Surefire's `<properties>`), its
    failing and passing test cases."""

    prologue: bytes
    suite_tag: bytes
    suite_head: bytes
    failing: list[bytes]
    passing: list[bytes]


def source(path: Path) -> Source:
    data = path.read_bytes()
    suite = _SUITE_RE.search(data)
    assert suite is not None, f"{path}: no <testsuite>"
    cases = [m.group() for m in _CASE_RE.finditer(data)]
    first = data.index(b"<testcase", suite.end())
    head = data[suite.end() : first]
    failing = [c for c in cases if b"<failure" in c or b"<error" in c]
    passing = [c for c in cases if c not in failing]
    tag = _COUNT_RE.sub(b"", suite.group())
    return Source(data[: suite.start()], tag, head, failing, passing)


def _renamed(case: bytes, n: int) -> bytes:
    """The test case named apart from its copies: its `name` with ` n` after it."""
    return _NAME_RE.sub(lambda m: m.group() + b" %d" % n, case, count=1)


def _suite(src: Source, number: int, cases: list[bytes]) -> bytes:
    """A suite of `cases` in the capture's shape, named apart, its counts what it holds."""
    failures = sum(1 for c in cases if b"<failure" in c)
    errors = sum(1 for c in cases if b"<error" in c and b"<failure" not in c)
    counts = b' tests="%d" failures="%d" errors="%d"' % (len(cases), failures, errors)
    tag = _NAME_RE.sub(lambda m: m.group() + b" %d" % number, src.suite_tag, count=1)
    return b"%s%s>%s%s\n</testsuite>\n" % (tag[:-1], counts, src.suite_head, b"\n".join(cases))


def _cases(src: Source, every: int, rng: random.Random) -> Iterator[bytes]:
    """Test cases without end, renamed: a failing one after `every` bytes of passing ones (0:
    failing ones only)."""
    n = 0
    while True:
        filler = 0
        while filler < every and src.passing:
            case = _renamed(rng.choice(src.passing), n)
            n, filler = n + 1, filler + len(case)
            yield case
        yield _renamed(src.failing[n % len(src.failing)], n)
        n += 1


def generate(path: Path, kind: str, megabytes: float, every_kb: float, seed: int = 7) -> int:
    """Write a report of `kind` of about `megabytes` MB with a failing test case every
    `every_kb` KB (0: only failing ones); return how many failing test cases it holds."""
    rng = random.Random(seed)
    src = source(SOURCES[kind])
    size = int(megabytes * MB)
    failing = written = number = 0
    cases = _cases(src, int(every_kb * 1000), rng)
    with path.open("wb", buffering=1 << 22) as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bench">\n')
        while written < size:
            batch = [next(cases) for _ in range(CASES_PER_SUITE)]
            failing += sum(1 for c in batch if b"<failure" in c or b"<error" in c)
            text = _suite(src, number, batch)
            number += 1
            out.write(text)
            written += len(text)
        out.write(b"</testsuites>\n")
    return failing


def generate_suites(path: Path, count: int) -> int:
    """A report of `count` suites of one test case each (jest-junit's shape, a suite a file),
    every 50th failing; returns the failing ones."""
    src = source(SOURCES["jest"])
    failing = 0
    with path.open("wb", buffering=1 << 22) as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bench">\n')
        for n in range(count):
            fails = n % 50 == 0
            case = src.failing[n % len(src.failing)] if fails else src.passing[0]
            failing += fails
            out.write(_suite(src, n, [_renamed(case, n)]))
        out.write(b"</testsuites>\n")
    return failing


@dataclass
class Run:
    cpu: float  # user + sys seconds
    rss: float  # MB


def run(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> Run:
    """CPU seconds and peak RSS (from `wait4`) of one child process (run in `cwd`)."""
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = status  # reaped here: Popen must not wait for it again
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{argv[0]} failed with exit status {code}: {' '.join(argv)}")
    return Run(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def triage_argv(log: Path, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "poolctl", "triage", str(log), "--format", "json",
        "--output", str(out), "--run-dir", str(out.parent / "run"), "--fail-on", "never",
    ]  # fmt: skip


@dataclass
class Case:
    label: str
    kind: str  # a key of SOURCES, or "suites"
    size: float  # MB, or the number of suites
    every_kb: float  # a failure every KB; 0: failures only


def measure(case: Case, tmp: Path, rounds: int, codes: dict[str, str]) -> bool:
    log = tmp / f"{case.kind}.xml"
    if case.kind == "suites":
        failing = generate_suites(log, int(case.size))
    else:
        failing = generate(log, case.kind, case.size, case.every_kb)
    size = log.stat().st_size / MB
    c_env = {**os.environ, "LC_ALL": "C"}  # grep's fastest mode: the strictest baseline
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    store = tmp / "history.sqlite"
    subprocess.run([sys.executable, "-c", TEMPLATE, str(store)], env=env, check=True)
    greps: list[Run] = []
    triages: dict[str, list[Run]] = {label: [] for label in codes}
    outputs: dict[str, str] = {}  # digests
    for round_no in range(rounds):
        greps.append(run([*GREPS, USER_GREP, str(log)], c_env))
        for label, code in codes.items():
            history = shutil.copyfile(store, tmp / f"history-{round_no}.sqlite")
            paths = os.pathsep.join(p for p in (code, env.get("PYTHONPATH")) if p)
            code_env = {**env, "POOLCTL_HISTORY": str(history), "PYTHONPATH": paths}
            report = tmp / "report.json"
            # run in the temporary folder: `python -m` puts its working directory first on
            # sys.path, and from a checkout that is its code, whatever PYTHONPATH says
            triages[label].append(run(triage_argv(log, report), code_env, cwd=tmp))
            outputs[label] = _digest(report)
            shutil.rmtree(tmp / "run", ignore_errors=True)
            history.unlink()
    log.unlink()
    grep_s = statistics.median(r.cpu for r in greps) / GREP_TIMES
    print(f"{case.label}: {size:,.1f} MB, {failing:,} failing test cases")
    print(f"  grep -E -c (key phrases)  CPU {grep_s * 1000:6.1f} ms {size / grep_s:7.0f} MB/s")
    ok = True
    for label, runs in triages.items():
        cpu = statistics.median(r.cpu for r in runs)
        rss = max(r.rss for r in runs)
        met = rss <= TARGET_RSS_MB
        ok &= met
        print(
            f"  poolctl triage{label:>11} CPU {cpu:6.2f} s  {size / cpu:7.1f} MB/s  "
            f"peak RSS {rss:5.0f} MB (target <= {TARGET_RSS_MB} MB: {'OK' if met else 'OVER'});"
            f"  triage/grep {cpu / grep_s:,.0f}",
            flush=True,
        )
    if len(set(outputs.values())) > 1:
        print("  the reports differ between the checkouts")
        ok = False
    return ok


# a report's digest, taken in a process of its own: the bench's own peak RSS (a 47 MB report
# read, and copied by `_stable`) passes to every child it starts after (`wait4`'s `ru_maxrss`
# counts the memory a child starts with), and read 251 MB for a triage that peaks at 124 MB
_DIGEST = (
    "import hashlib, sys; from bench.junit import _stable; "
    "print(hashlib.sha256(_stable(open(sys.argv[1], 'rb').read())).hexdigest())"
)


def _digest(report: Path) -> str:
    """The digest of `report` without what differs from run to run (`_stable`)."""
    root = Path(__file__).resolve().parent.parent
    found = subprocess.run(
        [sys.executable, "-c", _DIGEST, str(report)],
        cwd=root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return found.stdout.strip()


def _stable(report: bytes) -> bytes:
    """A JSON report without what differs from run to run (times, paths of the run folder) and
    from checkout to checkout (the folder of the patterns read: each checkout's own)."""
    report = re.sub(rb'"pattern_sources":\s*\[[^\]]*\]', b"", report)
    return re.sub(rb'"(?:started|finished|duration|elapsed|run_dir|generated)[^,}]*', b"", report)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small reports: a check only")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per timing (median)")
    parser.add_argument("--every", type=float, default=80, metavar="KB", help="a failure every KB")
    parser.add_argument("--old", metavar="PATH", help="also time the checkout at PATH, in turns")
    parser.add_argument("--only", metavar="WORD", help="the cases whose label holds WORD")
    args = parser.parse_args()
    if shutil.which("grep") is None:
        raise SystemExit("grep is needed for the baseline")
    scale = 0.1 if args.quick else 1.0
    suites = int(100_000 * scale)
    cases = [
        Case("pytest --junitxml, few failures", "pytest", 80 * scale, args.every),
        Case("pytest --junitxml, many failures", "pytest", 80 * scale, 0),
        Case("jest-junit, many failures", "jest", 40 * scale, 0),
        Case("Surefire, many failures", "surefire", 40 * scale, 0),
        Case(f"{suites:,} suites", "suites", suites, 0),
    ]
    cases = [c for c in cases if not args.only or args.only in c.label]
    codes = {"": ""} if not args.old else {" (old)": str(Path(args.old).resolve()), " (new)": ""}
    here = str(Path(__file__).resolve().parent.parent)
    codes = {label: code or here for label, code in codes.items()}
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="poolctl-bench-junit-") as tmp:
        for case in cases:
            ok &= measure(case, Path(tmp), args.rounds, codes)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
