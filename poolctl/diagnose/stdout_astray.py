"""A worker alive whose answers cannot reach poolctl: its stdout points elsewhere (a file,
/dev/null; poolctl read end of file on its pipe), or the process reading its requests holds
no end of the stdout pipe at all (a wrapper, `sh -c 'server >/dev/null'`, keeps the pipe open
while the server's fd 1 points elsewhere: no end of file comes). The crashed hypothesis says
so in these words."""

from __future__ import annotations

import os

from poolctl.framing import quote
from poolctl.model import Evidence

from .judgement import Judgement, confirmed
from .live import Blocked
from .observe import Observations
from .readings import live_origin

REDIRECTED_FIX = (
    "Let the worker write its answers to the stdout it was started with: remove the "
    "redirection from its command or wrapper script (`> file`, `>/dev/null`, `| tee`, "
    "`exec 1>…`) and send its logs to stderr instead."
)


def stdout_elsewhere(obs: Observations, target: str, alive: str) -> Judgement:
    """Its stdout was pointed somewhere else: a file, /dev/null, another process's pipe."""
    where = {"/dev/null": "/dev/null, which throws its answers away"}.get(
        target, f"{target}, where its answers go"
    )
    verdict = (
        f"The worker's stdout is not the pipe poolctl reads: it points to {where} "
        f"(poolctl read end of file on its pipe; {alive})"
    )
    fix = REDIRECTED_FIX
    ev = [Evidence(f"fd 1 = {target}", live_origin(obs), "where its stdout points")]
    written = tail(target) if target.startswith("/") and target != "/dev/null" else b""
    if written:
        ev.append(Evidence(quote(written, 120, obs.worker.redactor), target, "what it wrote there"))
    return confirmed(verdict, fix, *ev)


def tail(path: str, size: int = 240) -> bytes:
    """The last `size` bytes of the file at `path` (b"" when it cannot be read)."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - size))
            return f.read(size)
    except OSError:
        return b""


def answers_astray(obs: Observations, reader: Blocked, alive: str) -> Judgement:
    """The process blocked reading its requests holds no end of the stdout pipe: what it
    answers goes where its fd 1 points, while a wrapper (a shell waiting for it) keeps the
    pipe open, so poolctl sees no end of file."""
    live = obs.live
    assert live is not None
    p = reader.process
    target = p.fds.get(1, "")
    where = f"its fd 1 is {target}" if target else "its fd 1 is closed"
    verdict = (
        f"The worker's answers cannot reach poolctl: pid {p.pid} ({p.comm}{live.kin(p)}), "
        f"which reads its requests, holds no end of the stdout pipe poolctl reads "
        f"({live.stdout_pipe}): {where} ({alive})"
    )
    fds = ", ".join(f"{fd}={t}" for fd, t in sorted(p.fds.items())[:6])
    ev = [
        Evidence(reader.text, live_origin(obs), "the process reading its requests"),
        Evidence(f"pid {p.pid}: fds {fds}", live_origin(obs), "none is the stdout pipe"),
    ]
    keeper = [q for q in live.processes if q is not p and live.stdout_pipe in q.fds.values()]
    if keeper:
        q = keeper[0]
        ev.append(
            Evidence(
                q.describe(),
                live_origin(obs),
                "holds the stdout pipe open, so no end of file came",
            )
        )
    written = tail(target) if target.startswith("/") and target != "/dev/null" else b""
    if written:
        ev.append(Evidence(quote(written, 120, obs.worker.redactor), target, "what it wrote there"))
    return confirmed(verdict, REDIRECTED_FIX, *ev)
