"""A runner recording into a shared history store, for the concurrent-writers test: run as a
process, it waits for the GO file, then triages LOG RUNS times through poolctl's own command
line (in this process: `poolctl.cli.main`), each into STORE, and prints one JSON line per run:
its exit code and the monotonic times it started and ended.

    python tests/history_writer.py STORE LOG RUNS GO
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    store, log, runs, go = argv[0], argv[1], int(argv[2]), Path(argv[3])
    from poolctl.cli import main as poolctl

    deadline = time.monotonic() + 60
    while not go.exists():  # both writers start together
        if time.monotonic() > deadline:
            return 2
        time.sleep(0.01)
    for _ in range(runs):
        started = time.monotonic()
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = poolctl(["triage", log, "--history", store, "-f", "json", "--fail-on", "never"])
        ended = time.monotonic()
        print(json.dumps({"pid": os.getpid(), "code": code, "start": started, "end": ended}))
        if code != 0:
            print(out.getvalue(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
