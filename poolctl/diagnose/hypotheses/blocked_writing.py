"""Blocked writing: a thread of the worker sits in `write()` on a full pipe (its stdout, or a
stderr or log pipe nobody drains), sampled twice, so it never gets to answer."""

from __future__ import annotations

from poolctl.model import Evidence

from .. import procinfo
from ..judgement import Judgement, confirmed, hypothesis, ruled_out, untested
from ..live import Blocked
from ..observe import Observations
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
    if ours and obs.worker.stray_count:
        return ruled_out(
            "its stdout is full because poolctl stopped reading at the timeout: it kept writing "
            f"frames that answered nothing ({obs.worker.stray_count:,}; see envelope)"
        )
    if ours:
        return _still_writing(obs, ev)
    ev.append(
        Evidence(f"{b.target} is not the stdout pipe poolctl reads ({live.stdout_pipe})", origin)
    )
    verdict = (
        "The worker is blocked writing to a pipe that is not its stdout (its stderr or a log), "
        f"full because nobody drains it: {b.text}{holders}"
    )
    fix = (
        "Drain every pipe the worker writes to, stderr included, continuously (read it in a "
        "thread or an event loop, or send it to a file, as poolctl's `--stderr capture` does), "
        "or make the worker write less there."
    )
    return confirmed(verdict, fix, *ev)


def _still_writing(obs: Observations, ev: list[Evidence]) -> Judgement:
    """Blocked on its stdout, which poolctl stopped reading at the timeout: it was still writing
    when the answer was due, and nothing it wrote was a whole answer (a message that never
    ends: a line without its newline, a frame longer than it said)."""
    total = obs.worker.transcript.total
    verdict = (
        f"The worker was still writing to its stdout when the answer was due: {total:,} bytes "
        "arrived and none of them ended an answer (the pipe then filled, as poolctl stopped "
        "reading at the timeout)"
    )
    fix = (
        f"Look at what it writes ({obs.stdout_origin}): an answer that never ends (a line with "
        "no newline, a frame longer than its header said) or output that answers nothing; end "
        "each message as its framing says."
    )
    ev.append(Evidence(f"{total:,} bytes on its stdout", obs.stdout_origin))
    return confirmed(verdict, fix, *ev)
