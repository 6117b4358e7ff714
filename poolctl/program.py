"""What program a worker's process runs, from /proc, and how to say that it changed since the
worker answered: a worker that exec()ed another program (or retitled itself) mid-run. The pool's
timeouts (poolctl/pool_worker.py) and ping's crash reading (poolctl/diagnose/hypotheses/
crashed.py) say it in these words."""

from __future__ import annotations

import os
import shlex

# (its executable, its command line, where its stack starts: every exec() moves it under
# address-space randomization, so an exec of the same program is told too; 0 when unknown)
Program = tuple[str, str, int]


def running_program(pid: int) -> Program | None:
    """The program a live process runs (its executable), its command line and the start of its
    stack, from /proc."""
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")[:-1]
    except OSError:
        return None
    if not argv:  # a zombie, or caught inside exec(), its new command line not set yet
        return None
    return exe, shlex.join(a.decode(errors="replace") for a in argv), _stack_start(pid)


def _stack_start(pid: int) -> int:
    """`startstack` of /proc/PID/stat (its 28th field; 0 when hidden or unreadable)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[25])
    except (OSError, IndexError, ValueError):
        return 0


def reexecuted(answered_as: Program | None, now: Program | None) -> bool:
    """The same program, under the same command line, exec()ed again since it answered: its
    stack starts elsewhere (a restart in place: `os.execv(sys.executable, sys.argv)`)."""
    if answered_as is None or now is None or now[:2] != answered_as[:2]:
        return False
    return bool(answered_as[2] and now[2] and answered_as[2] != now[2])


def program_change(answered_as: Program | None, now: Program | None) -> str:
    """What changed between the program that answered and the one the process runs now ("" when
    nothing did, or either is unknown): another executable, or the same one under another
    command line."""
    if answered_as is None or now is None or now == answered_as:
        return ""
    if now[0] != answered_as[0]:
        return (
            f"its process now runs `{now[1]}` ({now[0]}), not the program that answered "
            f"before ({answered_as[0]}): it exec()ed another program"
        )
    if now[1] != answered_as[1]:
        return (
            f"its process's command line now reads `{now[1]}` (it read "
            f"`{answered_as[1]}` when it answered): it exec()ed a program, or retitled itself"
        )
    if reexecuted(answered_as, now):
        return (
            f"its process exec()ed the same program again, under the same command line (its "
            f"stack now starts at {now[2]:#x}, not at {answered_as[2]:#x} as when it "
            "answered: each exec() moves it): a restart in place, which drops what it had read"
        )
    return ""
