"""Blocked writing: a thread of the worker sits in `write()` on a full pipe (its stdout, or a
stderr or log pipe nobody drains), sampled twice, so it never gets to answer; or, its stdout
non-blocking, a write on the full pipe failed instead of waiting, and its answer was cut."""

from __future__ import annotations

import os
import select

from poolctl.model import Evidence

from .. import procinfo
from ..judgement import Judgement, confirmed, hypothesis, ruled_out, untested
from ..live import Blocked
from ..observe import Observations
from ..readings import ended, live_origin, stream_kind
from ..unended_line import unended_line

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
    if (cut := nonblocking_cut(obs)) is not None:
        return _cut_short(obs, cut)
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


def nonblocking_cut(obs: Observations) -> procinfo.ProcState | None:
    """The worker's process whose stdout, the pipe poolctl reads, is open O_NONBLOCK, when what
    arrived ends in a frame cut short and it writes no more: a write past the pipe's free room
    failed (EAGAIN) instead of waiting for poolctl to read, and the rest of its answer was not
    written (Python's buffered writer even returns the count it wrote, with no error)."""
    live = obs.live
    if live is None or live.blocked_writers or stream_kind(obs) != "partial":
        return None
    # a pipe takes a write of up to PIPE_BUF bytes whole or not at all, and poolctl keeps it
    # drained: less than that arrived is no cut (Node's stdout is non-blocking, and whole)
    if len(obs.pending) < select.PIPE_BUF or unended_line(obs):
        return None
    leader = live.leader
    if leader is None or leader.fds.get(1) != live.stdout_pipe:
        return None
    flags = leader.stdout_flags
    return leader if flags is not None and flags & os.O_NONBLOCK else None


def _cut_short(obs: Observations, leader: procinfo.ProcState) -> Judgement:
    assert obs.explanation is not None  # a frame cut short (nonblocking_cut)
    flags = leader.stdout_flags or 0
    origin = live_origin(obs)
    ev = [
        Evidence(
            f"pid {leader.pid} ({leader.comm}) has its stdout (fd 1, {leader.fds[1]}) open "
            f"O_NONBLOCK (flags {flags:o})",
            f"/proc/{leader.pid}/fdinfo/1",
        ),
        Evidence(obs.explanation.text, obs.stdout_origin, "what arrived on its stdout"),
        Evidence(leader.describe(), origin, "not writing the rest"),
    ]
    verdict = (
        f"The worker's stdout is non-blocking (O_NONBLOCK), and its answer was cut short: "
        f"{obs.explanation.text}, and it writes no more ({leader.describe()}): a write larger "
        "than the pipe's free room wrote what fit and failed for the rest (EAGAIN) instead of "
        "waiting for poolctl to read"
    )
    fix = (
        "Keep the worker's stdout blocking: do not set O_NONBLOCK on fd 1 (or clear it: "
        "`fcntl(1, F_SETFL, flags & ~O_NONBLOCK)`), or write in a loop until every byte is "
        "written, waiting (poll) on EAGAIN; a pipe takes at most its free room (64 KiB by "
        "default on Linux) at a time."
    )
    return confirmed(verdict, fix, *ev)
