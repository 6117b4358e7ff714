"""`poolctl triage` of a JUnit report with one huge token, against the same report with as much
text where expat hands it over as it comes.

The report is the real capture tests/fixtures/junit/mocha_junit.xml (mocha-junit-reporter's)
with `--mb` MB (default 200) put into its first failure: the baseline puts it in the failure's
text (its CDATA, which expat streams); the cases put it where expat holds a token whole
(poolctl/logs/junit_bounded.py): the `message` attribute, a start tag of many attributes, a
comment, a processing instruction; and into the test's `<system-out>` (streamed, for
reference). Each is triaged in a subprocess (`--no-history --format json`; peak RSS and CPU
from `wait4`), `--rounds` times in turns with the baseline (medians). Targets: peak RSS at most
150 MB and at most 1.5x the baseline's, and CPU at most 2x the baseline's (the code before
held a 200 MB attribute whole: 735 MB, and read it again on each chunk: 23 s of CPU). The
files are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

CAPTURE = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "junit" / "mocha_junit.xml"
)
TARGET_RSS_MB = 150
TARGET_RSS_RATIO = 1.5  # a start tag's first 0.5 MB of attributes make a dict of 40,000
TARGET_CPU_RATIO = 2.0
MB = 1_000_000
LINE = b"    at Pool.checkout (lib/pool.js:42:11) &amp; waiting on worker 3 of 4\n"


def _write(path: Path, before: bytes, fill: bytes, after: bytes, size: int) -> None:
    """The capture with `before`, `size` bytes of `fill` repeated and `after` put at its first
    failure's text (after `<![CDATA[`), written in pieces."""
    data = CAPTURE.read_bytes()
    at = data.index(b"<![CDATA[") + len(b"<![CDATA[")
    block = fill * (4 * MB // len(fill))
    with path.open("wb") as out:
        out.write(data[:at] + before)
        left = size
        while left > 0:
            out.write(block[:left])
            left -= len(block)
        out.write(after + data[at:])


def _at_message(path: Path, size: int) -> None:
    """The first `message` attribute made `size` bytes longer."""
    data = CAPTURE.read_bytes()
    at = data.index(b'" type="Error"><![CDATA[')
    block = LINE.replace(b"\n", b"&#10;") * (4 * MB // len(LINE))
    with path.open("wb") as out:
        out.write(data[:at])
        left = size
        while left > 0:
            out.write(block[:left])
            left -= len(block)
        out.write(data[at:])


def _many_attributes(path: Path, size: int) -> None:
    """The first `<testcase>` given `size` bytes of attributes after its own."""
    data = CAPTURE.read_bytes()
    at = data.index(b"<testcase ") + len(b"<testcase")
    with path.open("wb") as out:
        out.write(data[:at])
        n = written = 0
        while written < size:
            batch = b"".join(b' x%d="%d"' % (i, i) for i in range(n, n + 100_000))
            out.write(batch)
            n, written = n + 100_000, written + len(batch)
        out.write(data[at:])


CASES: dict[str, Callable[[Path, int], None]] = {
    "text (baseline)": lambda p, n: _write(p, b"", LINE.replace(b" &amp;", b" &"), b"", n),
    "message attribute": _at_message,
    "start tag of many attributes": _many_attributes,
    "comment": lambda p, n: _write(p, b"]]><!--", LINE, b"--><![CDATA[", n),
    "processing instruction": lambda p, n: _write(p, b"]]><?huge ", LINE, b"?><![CDATA[", n),
    "system-out": lambda p, n: _write(
        p, b"]]></failure><system-out>", LINE, b"</system-out><failure><![CDATA[", n
    ),
}


def triage(log: Path, run: Path) -> tuple[float, float]:
    """Peak RSS (MB) and CPU seconds of one `poolctl triage`."""
    argv = [
        sys.executable, "-m", "poolctl", "triage", str(log), "--no-history", "--format", "json",
        "--output", os.devnull, "--run-dir", str(run), "--fail-on", "never",
    ]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = status
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"triage of {log} failed (status {status})")
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each, in turns")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    ok = True
    with tempfile.TemporaryDirectory(prefix="poolctl-bench-junit-") as tmp:
        base = Path(tmp)
        logs = {}
        for label, write in CASES.items():
            logs[label] = base / f"{len(logs)}.xml"
            write(logs[label], args.mb * MB)
        seen: dict[str, list[tuple[float, float]]] = {label: [] for label in CASES}
        for _ in range(args.rounds):
            for label, log in logs.items():
                seen[label].append(triage(log, base / "run"))
        rss0 = statistics.median(r for r, _ in seen["text (baseline)"])
        cpu0 = statistics.median(c for _, c in seen["text (baseline)"])
        for label, runs in seen.items():
            rss = statistics.median(r for r, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            met = rss <= TARGET_RSS_MB and rss / rss0 <= TARGET_RSS_RATIO
            met = met and cpu / cpu0 <= TARGET_CPU_RATIO
            ok &= met
            print(
                f"{label:>30} ({logs[label].stat().st_size / MB:,.0f} MB): peak RSS {rss:4.0f} MB "
                f"{rss / rss0:.2f}x, CPU {cpu:5.2f} s {cpu / cpu0:.2f}x  {'' if met else 'MISSED'}"
            )
    print(
        f"targets: peak RSS <= {TARGET_RSS_MB} MB and <= {TARGET_RSS_RATIO}x the baseline's, "
        f"CPU <= {TARGET_CPU_RATIO}x: {'met' if ok else 'MISSED'}"
    )
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
