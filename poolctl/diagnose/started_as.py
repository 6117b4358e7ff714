"""Crashes that come from how a pool starts its worker, not from the worker's own code.

poolctl starts a worker as an Erlang port does (`erl_child_setup`): as the leader of a session
and process group of its own, with no controlling terminal. Two calls fail there that work
from a shell script: `setsid()` (EPERM: a process-group leader may not start a session) and
opening `/dev/tty` (ENXIO: the session has no terminal). The worker's stderr names the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from poolctl.model import Evidence

# The failing call and its error, on one line (`setsid: Operation not permitted`, Node's
# `ENXIO: no such device or address, open '/dev/tty'`) or a traceback's source line then its
# exception line (`os.setsid()` … `PermissionError: [Errno 1] Operation not permitted`).
_EPERM = r"(?:\bEPERM\b|Operation not permitted|\[Errno 1\])"
_ENXIO = r"(?:\bENXIO\b|No such device or address|\[Errno 6\])"
_SETSID = re.compile(r"\bsetsid\b[^\n]*(?:\n[^\n]*){0,3}?" + _EPERM, re.I)
_TTY = re.compile(r"/dev/tty\b[^\n]*" + _ENXIO + r"|" + _ENXIO + r"[^\n]*/dev/tty\b", re.I)
_TAIL_LINES = 12  # a traceback's last frame and its exception fit in these

# How poolctl started it: the fact each reading rests on, besides the worker's own words.
STARTED = Evidence(
    "poolctl starts each worker with start_new_session: it leads a session and process group "
    "of its own and has no controlling terminal, as the program of an Erlang port does",
    "poolctl/children.py",
    "how the worker was started",
)


@dataclass(frozen=True)
class StartedAs:
    """Why a call the worker made failed under a pool: said after its verdict, and the fix."""

    why: str
    fix: str
    said: str  # the stderr lines naming the call and its error


def started_as(stderr: str) -> StartedAs | None:
    """The failed call in the end of `stderr` that only a pool's way of starting explains."""
    tail = "\n".join(stderr.splitlines()[-_TAIL_LINES:])
    if m := _SETSID.search(tail):
        return StartedAs(
            "setsid() refused it (EPERM) because it already leads its process group: a pool "
            "starts it in a session of its own, and setsid() refuses a group leader",
            "Do not call setsid() in a pool's worker: it already has a session of its own, and "
            "it must stay in the foreground to answer. Where it must detach when run otherwise, "
            "call setsid() only when it leads no group (`if os.getpgid(0) != os.getpid(): "
            "os.setsid()`), or fork first and call it in the child.",
            m.group(0).strip(),
        )
    if m := _TTY.search(tail):
        return StartedAs(
            "it has no controlling terminal to open /dev/tty on (ENXIO): a pool starts it in a "
            "session of its own, which has none",
            "Write progress and messages to stderr, not /dev/tty: a pool's worker has no "
            "terminal (tqdm and logging write to stderr); where it wants a terminal when there "
            "is one, fall back to stderr when opening /dev/tty fails.",
            m.group(0).strip(),
        )
    return None
