"""A worker alive with no way for a request to reach it: none of its processes holds its stdin
pipe (fd 0 closed or sent elsewhere), or only a daemon it detached does, which left the request
unread (the crashed hypothesis says so in these words)."""

from __future__ import annotations

from poolctl.model import Evidence
from poolctl.units import fmt_limit

from .judgement import Judgement, confirmed
from .observe import Observations
from .readings import live_origin
from .stdin_holders import Holder, fd0_words

KEEP_STDIN = (
    "Keep stdin open for the requests: something in its start-up closes or redirects file "
    "descriptor 0 (`exec 0<&-`, `< /dev/null`, `sys.stdin.close()`, a daemonizing step); a "
    "pool's worker reads every request there."
)


def closed_stdin(obs: Observations, alive: str) -> Judgement:
    """Alive, but none of its processes holds its stdin pipe: it can never read a request."""
    live = obs.live
    assert live is not None and live.leader is not None
    verdict = (
        f"The worker closed its stdin while it keeps running: {fd0_words(live)}, and no "
        f"process of it holds the pipe poolctl writes its requests to, so none can be read "
        f"({alive})"
    )
    held = ", ".join(
        f"pid {p.pid}: fds {', '.join(map(str, sorted(p.fds)))}" for p in live.processes[:3]
    )
    note = f"the worker's open file descriptors; none is {live.stdin_pipe}, its stdin pipe"
    return confirmed(verdict, KEEP_STDIN, Evidence(held, live_origin(obs), note))


def detached_stdin(obs: Observations, holder: Holder, alive: str) -> Judgement:
    """Alive, its stdin closed, the pipe held only by a daemon it detached that never read the
    request: a daemonizing worker, not a wrapper whose server is starting."""
    live = obs.live
    assert live is not None and live.leader is not None
    p = holder.process
    looked = (
        f"{obs.waited_longer:.1f} s after it started (poolctl waited on past the "
        f"{fmt_limit(obs.timeout)} timeout)"
        if obs.waited_longer is not None
        else f"{live.elapsed:.1f} s after it started"
    )
    verdict = (
        f"The worker closed its stdin while it keeps running: {fd0_words(live)}, and the pipe "
        f"poolctl writes its requests to is held only by pid {p.pid}, a daemon it detached (a "
        f"session of its own, its parent gone), which had not read the request "
        f"{looked} ({alive})"
    )
    fix = (
        f"{KEEP_STDIN} A daemonizing step (fork, setsid, fork, then closing stdin) suits a "
        "server started by hand, not a pool's worker: the process the pool starts must stay in "
        "front, reading its requests on its own stdin."
    )
    unread = obs.unread_after_wait if obs.unread_after_wait is not None else live.stdin_unread
    return confirmed(
        verdict,
        fix,
        Evidence(
            f"{holder.words}; {p.describe()}",
            live_origin(obs),
            f"the only process holding the stdin pipe ({live.stdin_pipe})",
        ),
        Evidence(
            f"{unread} bytes unread in the stdin pipe {looked}, of the "
            f"{len(obs.request_frame)}-byte request",
            "FIONREAD on the stdin pipe",
        ),
    )
