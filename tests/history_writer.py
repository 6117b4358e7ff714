"""A runner recording into a shared history store, for the concurrent-writers test: run as a
process, it triages RUNS builds' logs (LOG, each with an XML comment naming the build after it:
the same bytes would be one log, recorded once), says it is ready (a `ready-PID` file beside
GO), waits for the GO file, then records those reports into STORE, each as a command does (a
`HistoryRecorder` of its own: open the store, record the run in one transaction, close), and
prints one JSON line per run: the statuses its findings were given and the monotonic times it
started and ended.

    python tests/history_writer.py STORE LOG RUNS GO
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    store, log, runs, go = argv[0], argv[1], int(argv[2]), Path(argv[3])
    from poolctl.history.recorder import HistoryRecorder
    from poolctl.logs import read_logs
    from poolctl.patterns import load_patterns
    from poolctl.triage import triage

    patterns = load_patterns([])
    reports = []
    for build in range(runs):
        copy = go.parent / f"build-{os.getpid()}-{build}.xml"
        build_id = f"build {build} of writer {os.getpid()}"
        copy.write_bytes(Path(log).read_bytes() + f"<!-- {build_id} -->\n".encode())
        reports.append(triage(read_logs([str(copy)]), patterns))
    (go.parent / f"ready-{os.getpid()}").touch()  # the test lets both go once both are ready
    deadline = time.monotonic() + 120
    while not go.exists():  # both writers start together
        if time.monotonic() > deadline:
            return 2
        time.sleep(0.005)
    for report in reports:
        started = time.monotonic()
        recorder = HistoryRecorder(store)
        recorded = recorder.record(report)
        recorder.finish()  # a store that could not be written raises here
        statuses = [f.history.status if f.history else None for f in recorded.findings]
        ended = time.monotonic()
        print(
            json.dumps({"pid": os.getpid(), "statuses": statuses, "start": started, "end": ended})
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
