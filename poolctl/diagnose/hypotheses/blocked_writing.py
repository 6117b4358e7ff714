"""Blocked writing: a thread of the worker sits in `write()` on a full pipe (its stdout, or a
stderr or log pipe nobody drains), sampled twice, so it never gets to answer."""

from __future__ import annotations

from poolctl.model import Evidence

from .. import procinfo
from ..judgement import Judgement, confirmed, hypothesis, ruled_out, untested
from ..observe import Blocked, Observations
from ..readings import ended, live_origin

ID = "blocked-writing"


def _pipe_holders(b: Blocked) -> str:
    """`; pid 12 (beam.smp) holds that pipe (fd 5) and does not read it` (or nothing)."""
    if not b.target.startswith("pipe:"):
        return ""
    others = procinfo.holders(b.target, exclude=(b.process.pid,))
    if not others:
        return ""
    pid, fd, comm = others[0]
    return f"; pid {pid} ({comm}) holds that pipe (fd {fd}) and does not read it"


@hypothesis(ID)
def blocked_writing(obs: Observations) -> Judgement:
    if why := ended(obs):
        return ruled_out(why)
    live = obs.live
    if live is None:
        return untested("the live process could not be inspected")
    if not live.blocked_writers:
        leader = live.leader
        what = leader.describe() if leader is not None else "no process left"
        return ruled_out(f"no process of the worker is blocked in a write: {what}")
    b = live.blocked_writers[0]
    holders = _pipe_holders(b)
    origin = live_origin(obs)
    ev = [Evidence(b.text + holders, origin, "sampled twice, blocked both times")]
    ours = b.target == live.stdout_pipe
    stream = "its stdout" if ours else "a pipe that is not its stdout (its stderr or a log)"
    if not ours:
        ev.append(
            Evidence(
                f"{b.target} is not the stdout pipe poolctl reads ({live.stdout_pipe})", origin
            )
        )
    verdict = (
        f"The worker is blocked writing to {stream}, full because "
        + ("poolctl stopped reading it" if ours else "nobody drains it")
        + f": {b.text}{holders}"
    )
    fix = (
        "Drain every pipe the worker writes to, stderr included, continuously (read it in a "
        "thread or an event loop, or send it to a file, as poolctl's `--stderr capture` does), "
        "or make the worker write less there."
    )
    return confirmed(verdict, fix, *ev)
