"""Who holds the worker's stdin pipe when the worker's own process does not (it closed its fd
0, or sent it elsewhere), in words. /proc tells two of them apart: a process the worker waits
for (wait4), to which a wrapper handed its stdin (a server, maybe starting yet), and a daemon
it detached (a session of its own, re-parented out of the worker: a fork, setsid, fork), which
nothing of it waits for. A child it neither waits for nor detached may be either: /proc does
not say whether it will ever read."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .live import Live
from .procinfo import ProcState


@dataclass(frozen=True)
class Holder:
    """A process holding the worker's stdin pipe in the worker's place, and what it is to it:
    `handed` (a process of the worker waits for it), `detached`, or `unknown`."""

    process: ProcState
    kind: str
    words: str  # "pid 12 (python3, `…`), a child of pid 10 (python3), which waits for it …"


def stdin_holder(live: Live) -> Holder | None:
    """The process holding the stdin pipe in the worker's place (one a process of the worker
    waits for first), or None when the worker holds it itself, or no process does."""
    holders = live.stdin_holders()
    if not holders:
        return None
    p = holders[0]
    leader = live.leader
    assert leader is not None
    who = f"pid {p.pid} ({p.comm}, `{p.cmdline}`)" if p.cmdline else f"pid {p.pid} ({p.comm})"
    waiter = live.waiter(p)
    if waiter is not None:
        call = waiter.main.syscall.name if waiter.main and waiter.main.syscall else "wait4"
        return Holder(
            p,
            "handed",
            f"{who}, a child of pid {waiter.pid} ({waiter.comm}), which waits for it in "
            f"{call}: the worker handed its stdin to it",
        )
    if all(live.detached(h) for h in holders):
        # poolctl is a subreaper: the orphans of its workers are its children
        parent = f"poolctl (pid {p.ppid})" if p.ppid == os.getpid() else f"pid {p.ppid}"
        return Holder(
            p,
            "detached",
            f"{who}, in a session of its own (session {p.sid}; the worker's is {leader.sid}) "
            f"and re-parented to {parent}, its parent gone: a daemon the worker detached "
            "(fork, setsid, fork), which no process of the worker waits for",
        )
    session = (
        f"in a session of its own (session {p.sid})"
        if live.escaped(p)
        else "in the worker's session"
    )
    return Holder(
        p,
        "unknown",
        f"{who}{live.kin(p)}, {session}; no process of the worker waits for it",
    )


def fd0_words(live: Live) -> str:
    """What the worker's own fd 0 is now: `its fd 0 is closed`, or where it points."""
    leader = live.leader
    fd0 = leader.fds.get(0) if leader is not None else None
    if fd0 and fd0 == live.stdin_pipe:  # kept, but not read: it waits for the child it ran
        return f"its fd 0 is still its stdin pipe ({fd0}), unread while it waits for its child"
    return f"its fd 0 is {fd0}" if fd0 else "its fd 0 is closed"
