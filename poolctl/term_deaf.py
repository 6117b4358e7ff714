"""Why SIGTERM did not end a process, from its /proc/PID/status as the stop gave up on it
(before its SIGKILL), where it did not simply ignore it (SigIgn: the stop's "SIGTERM ignored"
says so): it blocks it (SigBlk), handles it without exiting (SigCgt), or it is the first
process of a pid namespace of its own (`unshare -p`, a container's entry point: NSpid ends in
1) with no handler for it, and the kernel delivers such a process only the signals it handles
(pid_namespaces(7)), SIGTERM from outside dropped unseen.
"""

from __future__ import annotations

import signal
from collections.abc import Iterable

_BIT = 1 << (int(signal.SIGTERM) - 1)


def _status(pid: int) -> dict[str, str]:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    except OSError:
        return {}


def _has(mask: str) -> bool:
    try:
        return bool(int(mask, 16) & _BIT)
    except ValueError:
        return False


def why_not(pid: int) -> str:
    """Why SIGTERM did not end process `pid`, in words ("" when its status cannot be read)."""
    status = _status(pid)
    if not status or status.get("State", "Z").startswith(("Z", "X")):
        return ""  # gone, or a zombie: SIGTERM did end it
    name = status.get("Name", "?")
    nspid = status.get("NSpid", "").split()
    if len(nspid) > 1 and nspid[-1] == "1" and not _has(status.get("SigCgt", "0")):
        return (
            f"pid {pid} ({name}) is the first process of a pid namespace of its own (NSpid "
            f"{' '.join(nspid)}) with no handler for SIGTERM, and the kernel delivers such a "
            "process only the signals it handles"
        )
    if _has(status.get("SigIgn", "0")):
        return ""  # what "SIGTERM ignored" says already
    if _has(status.get("SigBlk", "0")):
        return f"pid {pid} ({name}) blocks it (SigBlk)"
    if _has(status.get("SigCgt", "0")):
        return f"pid {pid} ({name}) handles it, and its handler did not end it"
    return ""


def why_not_any(pids: Iterable[int]) -> str:
    """Why SIGTERM ended none of `pids` (those still alive), a pid namespace's first process
    said first: its drop is the kernel's, not the program's."""
    said = [w for w in (why_not(pid) for pid in sorted(pids)) if w]
    said.sort(key=lambda w: "pid namespace" not in w)
    return "; ".join(said[:3])
