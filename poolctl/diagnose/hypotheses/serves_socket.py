"""Serves a socket: the worker listens on a TCP port or a Unix socket (a language server's
`--tcp`, a `--port` option, a web app) and never reads its stdin, so the request on the pipe is
never read, and no start-up is under way to wait for."""

from __future__ import annotations

from poolctl.model import Evidence

from ..judgement import Judgement, confirmed, hypothesis, ruled_out, untested
from ..observe import Observations
from ..readings import ended, live_origin, request_unread

ID = "serves-socket"


@hypothesis(ID)
def serves_socket(obs: Observations) -> Judgement:
    if why := ended(obs):
        return ruled_out(why)
    live = obs.live
    if live is None:
        return untested("the live process could not be inspected")
    if not live.listening:
        return ruled_out("no process of the worker listens on a socket")
    if request_unread(obs) is not True:
        return ruled_out("it listens on a socket, and it read the request from its stdin")
    process, fd, address = live.listening[0]
    size = len(obs.request_frame)
    verdict = (
        f"The worker serves on {address}, not on its stdin and stdout: pid {process.pid} "
        f"({process.comm}) listens there, and the {size}-byte request was never read"
    )
    fix = (
        "Start it in stdio mode: drop the option that makes it listen (`--tcp`, `--port`, "
        "`--socket`, `--listen`) or give the one that selects stdio (`--stdio`); a pool's "
        "worker speaks on the pipes it was started with."
    )
    ev = [
        Evidence(
            f"pid {process.pid} ({process.comm}) listens on {address} (fd {fd})",
            live_origin(obs),
            "/proc/net of the socket its fd points to",
        ),
        Evidence(
            f"{live.stdin_unread} of {size} request bytes still in its stdin pipe",
            "FIONREAD on the stdin pipe",
            "it never read the request",
        ),
    ]
    return confirmed(verdict, fix, *ev)
