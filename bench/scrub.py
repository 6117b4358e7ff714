"""Scrubbing a run folder whose worker wrote a 500 MB stderr: in chunks, against the same
redaction of the whole file read at once (as it was done before), and a plain copy.

Generates a stderr log (default 500 MB; `--mb N` or POOLCTL_BENCH_MB=N for quick runs) of
worker log lines with secrets (a secret-named variable's value, a GitHub token, a `password=`)
every 256 KB. Then, in the same run, times in a subprocess each (peak RSS from `wait4`): the
scrub (`Redactor.file`, what every run folder gets), the whole-file redaction
(`Redactor.bytes` of the file read whole, then written), a copy in 1 MiB blocks (the least a
rewrite costs), and an interpreter that only imports the redactor (the baseline RSS). Prints
MB/s, the time ratio scrub / whole-file and peak RSS above the baseline. Targets: ratio <= 1.5,
peak RSS <= 64 MB above the baseline (the whole-file redaction holds the file, and more).
The files are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.5
TARGET_EXTRA_RSS_MB = 64
SECRET = "bench-Secret-4e2a9c71"
LINE = b"2026-11-28 03:45:00.123 INFO worker w1 heartbeat: queue depth 3, 12 in flight, ok\n"

SCRUB = """
import sys
from pathlib import Path
from poolctl.redact import Redactor
Redactor({sys.argv[2]: "WORKER_API_KEY"}).file(Path(sys.argv[1]))
"""
WHOLE = """
import sys
from pathlib import Path
from poolctl.redact import Redactor
path = Path(sys.argv[1])
path.with_name("whole.log").write_bytes(
    Redactor({sys.argv[2]: "WORKER_API_KEY"}).bytes(path.read_bytes())
)
"""
COPY = """
import sys
with open(sys.argv[1], "rb") as src, open(sys.argv[1] + ".copy", "wb") as dst:
    while block := src.read(1 << 20):
        dst.write(block)
"""
BASELINE = "import sys\nfrom poolctl.redact import Redactor\n"


def generate(path: Path, mb: int) -> None:
    block = bytearray()
    while len(block) < 256 * 1024:
        block += LINE
    planted = f"worker said {SECRET}; token ghp_{'B' * 36}; password=hunter2-bench\n".encode()
    with path.open("wb") as f:
        for _ in range(mb * 4):
            f.write(block)
            f.write(planted)


def measured(code: str, *args: str) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of `python -c code args`."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args])
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the measured process failed: {code.strip().splitlines()[-1]}")
    return seconds, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=int(os.environ.get("POOLCTL_BENCH_MB", "500")))
    mb = parser.parse_args().mb
    with tempfile.TemporaryDirectory(prefix="poolctl-bench-scrub-") as folder:
        path = Path(folder) / "w1.stderr.log"
        generate(path, mb)
        size_mb = path.stat().st_size / 1e6
        _, base_rss = measured(BASELINE)
        copy_s, copy_rss = measured(COPY, str(path))
        whole_s, whole_rss = measured(WHOLE, str(path), SECRET)
        scrub_s, scrub_rss = measured(SCRUB, str(path), SECRET)
        data = path.read_bytes()[: 8 << 20]
        assert SECRET.encode() not in data and b"[redacted:WORKER_API_KEY]" in data
    ratio = scrub_s / whole_s
    extra = scrub_rss - base_rss
    print(f"stderr log: {size_mb:,.0f} MB with a secret every 256 KB")
    print(f"copy:  {copy_s:6.2f} s ({size_mb / copy_s:,.0f} MB/s), peak RSS {copy_rss:,.0f} MB")
    print(f"whole: {whole_s:6.2f} s ({size_mb / whole_s:,.0f} MB/s), peak RSS {whole_rss:,.0f} MB")
    print(f"scrub: {scrub_s:6.2f} s ({size_mb / scrub_s:,.0f} MB/s), peak RSS {scrub_rss:,.0f} MB")
    print(f"baseline RSS (interpreter and the redactor's import): {base_rss:,.0f} MB")
    print(f"ratio scrub / whole-file: {ratio:.2f} (target <= {TARGET_RATIO:g})")
    print(f"peak RSS above the baseline: {extra:,.0f} MB (target <= {TARGET_EXTRA_RSS_MB})")
    ok = ratio <= TARGET_RATIO and extra <= TARGET_EXTRA_RSS_MB
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
