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
from .observe import DISCARDED_STDOUT, Observations
from .procinfo import ProcState
from .readings import live_origin

REDIRECTED_FIX = (
    "Let the worker write its answers to the stdout it was started with: remove the "
    "redirection from its command or wrapper script (`> file`, `>/dev/null`, `| tee`, "
    "`exec 1>…`) and send its logs to stderr instead."
)

# said of a worker that answered on its stdout pipe before fd 1 pointed elsewhere
MOVED_FIX = (
    "Keep file descriptor 1 the stdout pipe the worker was started with: something in a "
    "request's path points it elsewhere once the worker has answered on it (a daemonizing step "
    "that closes fds 0-2 and opens /dev/null in their place, `os.dup2(fd, 1)`, a library "
    "redirecting its output); a redirection in its command would have taken its first answer "
    "too."
)

ONTO_STDERR_FIX = (
    "Keep file descriptor 1 the stdout pipe the worker was started with: something {where} "
    "copies its stderr onto it (`os.dup2(2, 1)`, `exec 1>&2`, a logging or daemonizing "
    "library's redirect); log to stderr without moving fd 1."
)


# after the fix for a worker that pointed its stdout at its discarded stderr
DISCARDED_NOTE = " With `--stderr capture`, what it writes there is kept in its stderr log."


def stdout_onto_stderr(obs: Observations, target: str, alive: str) -> Judgement:
    """Its fd 1 is its fd 2 (`os.dup2(2, 1)`, `exec 1>&2`): its answers go into its own
    stderr, the log poolctl captures; not a file the user's command redirected to."""
    log = obs.rel(obs.worker.stderr_path)
    served = obs.worker.answered
    when = f"after it answered {served} request(s) on its stdout, " if served else ""
    verdict = (
        f"The worker pointed its stdout at its stderr: {when}its fd 1 is its fd 2 ({log}, "
        f"poolctl's capture of its stderr), so its answers go to its stderr log (poolctl read "
        f"end of file on its pipe; {alive})"
    )
    where = "in a request's path" if served else "in its start-up or on the request it read"
    ev = [Evidence(f"fd 1 = fd 2 = {target}", live_origin(obs), "where its stdout points")]
    written = tail(target)
    if written:
        ev.append(Evidence(quote(written, 120, obs.worker.redactor), log, "what it wrote there"))
    return confirmed(verdict, ONTO_STDERR_FIX.format(where=where), *ev)


def stdout_at_null(obs: Observations, fd2: str, onto_stderr: bool, alive: str) -> Judgement:
    """Its fd 1 is /dev/null, and so is its fd 2, where poolctl discards its stderr: the
    kernel tells whether fd 1 is a copy of that very open file (`os.dup2(2, 1)`) or a
    /dev/null of its own (a `>/dev/null`), which the two paths alike cannot."""
    served = obs.worker.answered
    when = f"after it answered {served} request(s) on its stdout, " if served else ""
    origin = live_origin(obs)
    ev = [Evidence(f"fd 1 = /dev/null, fd 2 = {fd2}", origin, "where its stdout points")]
    if not onto_stderr:
        verdict = (
            f"The worker's stdout is not the pipe poolctl reads: {when}it points to a /dev/null "
            f"it opened itself, which throws its answers away (poolctl read end of file on its "
            f"pipe; {alive})"
        )
        said = f"{DISCARDED_STDOUT[False]}: a /dev/null of its own"
        ev.append(Evidence(said, f"kcmp, with {origin}", "not a copy of its stderr"))
        return confirmed(verdict, REDIRECTED_FIX, *ev)
    verdict = (
        f"The worker pointed its stdout at its stderr: {when}its fd 1 is the very /dev/null "
        f"poolctl gave it as its stderr (`--stderr discard`), so its answers are thrown away "
        f"(poolctl read end of file on its pipe; {alive})"
    )
    said = DISCARDED_STDOUT[True]
    ev.append(
        Evidence(said, f"kcmp, with {origin}", "a copy of its stderr, not a /dev/null of its own")
    )
    where = "in a request's path" if served else "in its start-up or on the request it read"
    fix = ONTO_STDERR_FIX.format(where=where) + DISCARDED_NOTE
    return confirmed(verdict, fix, *ev)


def stdout_elsewhere(obs: Observations, target: str, alive: str) -> Judgement:
    """Its stdout was pointed somewhere else: a file, /dev/null, another process's pipe."""
    live = obs.live
    leader = live.leader if live is not None else None
    own_log = os.path.realpath(obs.worker.stderr_path)
    if leader is not None and target == own_log == leader.fds.get(2):
        return stdout_onto_stderr(obs, target, alive)
    onto_stderr = live.stdout_on_discarded_stderr if live is not None else None
    if leader is not None and target == "/dev/null" and onto_stderr is not None:
        return stdout_at_null(obs, leader.fds.get(2, "closed"), onto_stderr, alive)
    master = own_terminal(leader, target) if leader is not None else None
    if leader is not None and master is not None:
        return stdout_at_own_terminal(obs, leader.pid, target, master, alive)
    where = {"/dev/null": "/dev/null, which throws its answers away"}.get(
        target, f"{target}, where its answers go"
    )
    served = obs.worker.answered  # on that pipe: no redirection of its command moved fd 1
    when = f"after it answered {served} request(s) on its stdout, " if served else ""
    verdict = (
        f"The worker's stdout is not the pipe poolctl reads: {when}it points to {where} "
        f"(poolctl read end of file on its pipe; {alive})"
    )
    fix = MOVED_FIX if served else REDIRECTED_FIX
    ev = [Evidence(f"fd 1 = {target}", live_origin(obs), "where its stdout points")]
    written = tail(target) if target.startswith("/") and target != "/dev/null" else b""
    if written:
        ev.append(Evidence(quote(written, 120, obs.worker.redactor), target, "what it wrote there"))
    return confirmed(verdict, fix, *ev)


OWN_TERMINAL_FIX = (
    "Let the worker write its answers to the stdout it was started with: find what in it "
    "opens a pseudo-terminal and points fd 1 at it (`os.openpty()` or `pty.openpty()` then "
    "`os.dup2(slave, 1)`, a library that gives itself a terminal to color its output or to "
    "ask for a password) and keep fd 1 the pipe; a terminal it needs can be another fd."
)


def own_terminal(leader: ProcState, target: str) -> int | None:
    """The fd of the pseudo-terminal master the worker holds whose terminal is `target`
    (/dev/pts/N), or None: a terminal it opened itself, not one it was started on."""
    number = target.removeprefix("/dev/pts/")
    found = [fd for fd, index in leader.terminals.items() if target != number == index]
    return found[0] if found else None


def stdout_at_own_terminal(
    obs: Observations, pid: int, target: str, master: int, alive: str
) -> Judgement:
    """Its fd 1 is a pseudo-terminal whose master it holds itself: it opened it (no
    redirection of its command's put it there)."""
    verdict = (
        f"The worker's stdout is not the pipe poolctl reads: it points to {target}, a "
        f"pseudo-terminal it opened itself (it holds the terminal's master, its fd {master}), "
        f"where its answers go (poolctl read end of file on its pipe; {alive})"
    )
    return confirmed(
        verdict,
        OWN_TERMINAL_FIX,
        Evidence(f"fd 1 = {target}", live_origin(obs), "where its stdout points"),
        Evidence(
            f"fd {master} = /dev/ptmx, tty-index {target[9:]}",
            f"/proc/{pid}/fdinfo/{master}",
            "the master of that terminal, held by the worker",
        ),
    )


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
