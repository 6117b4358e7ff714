"""What program a worker's process runs, from /proc, and how to say that it changed since the
worker answered: a worker that exec()ed another program (or retitled itself) mid-run. The pool's
timeouts (poolctl/pool_worker.py) and ping's crash reading (poolctl/diagnose/hypotheses/
crashed.py) say it in these words."""

from __future__ import annotations

import os
import shlex

# (its executable, its command line)
Program = tuple[str, str]


def running_program(pid: int) -> Program | None:
    """The program a live process runs (its executable) and its command line, from /proc."""
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")[:-1]
    except OSError:
        return None
    if not argv:  # a zombie, or caught inside exec(), its new command line not set yet
        return None
    return exe, shlex.join(a.decode(errors="replace") for a in argv)


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
    return (
        f"its process's command line now reads `{now[1]}` (it read "
        f"`{answered_as[1]}` when it answered): it exec()ed a program, or retitled itself"
    )
