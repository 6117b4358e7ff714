"""The reaper: kills what a poolctl command started once that command is gone, however it
ended (SIGKILL included).

`poolctl.children` runs it as `python -I -S reaper.py TOKEN`, in a session of its own, its
stdin a pipe whose other end only poolctl holds. Lines `+PGID` and `-PGID` name the process
groups of poolctl's live children. When the pipe closes (poolctl exited, or was killed), it
sends SIGKILL to those groups and to every process whose environment carries
`POOLCTL_RUN=TOKEN` (a child's children, even re-parented or in a session of their own; Linux
only), until none is left or two seconds have passed. Standard library only, imported by
nothing: it must start in milliseconds, without the package.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time

RUN_ENV = "POOLCTL_RUN"


def carriers(token: str) -> set[int]:
    """Processes whose environment holds `POOLCTL_RUN=token` (none where /proc is missing)."""
    needle = f"{RUN_ENV}={token}".encode()
    found: set[int] = set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    found.add(int(entry))
        except OSError:
            continue
    return found


def main(argv: list[str]) -> int:
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_IGN)  # the terminal's signals are poolctl's to handle
    token = argv[1]
    groups: set[int] = set()
    for line in sys.stdin.buffer:  # until poolctl is gone
        sign, pgid = line[:1], line[1:].strip()
        if pgid.isdigit():
            (groups.add if sign == b"+" else groups.discard)(int(pgid))
    for pgid in groups:
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        found = carriers(token)
        if not found:
            break
        for pid in found:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
