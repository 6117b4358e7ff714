"""Stuck in initialization: alive, silent, its request still unread in the stdin pipe (often a
slow import). poolctl keeps waiting to measure how long the start-up really takes."""

from __future__ import annotations

from poolctl.model import Evidence
from poolctl.protocol.init_asked import init_option_fix
from poolctl.units import fmt_limit

from ..asks import failure_to_reach
from ..cpu_wait import cpu_wait
from ..file_lock import worker_waits_on_lock
from ..judgement import Judgement, confirmed, hypothesis, ruled_out, untested
from ..npx_fetch import npx_fetching
from ..observe import Observations
from ..read_ahead import read_ahead
from ..readings import (
    answered_before,
    ended,
    live_origin,
    most_seen,
    request_unread,
    stack_evidence,
    stopped_fix,
    stream_kind,
    transport_option,
)
from ..stdin_holders import fd0_words, stdin_holder

ID = "stuck-in-init"


@hypothesis(ID)
def stuck_in_init(obs: Observations) -> Judgement:
    if why := ended(obs):
        return ruled_out(why)
    if stream_kind(obs) in ("text", "framing"):
        return ruled_out("it wrote to stdout: it got past start-up")
    if (before := answered_before(obs)) > 0:
        return ruled_out(
            f"it answered {before} request(s) before, as this same process: its start-up was over"
        )
    live = obs.live
    if live is None:
        return untested("the live process could not be inspected")
    if live.blocked_writers:
        return ruled_out("it is stuck in a write, not in start-up (see blocked writing)")
    unread = request_unread(obs)
    if unread is None:
        return untested("its stdin pipe could not be inspected")
    if unread and live.listening:
        return ruled_out("it listens on a socket: its start-up is over (see serves socket)")
    if unread and transport_option(obs) and live.idle_elsewhere():
        return ruled_out(
            f"it was told to talk over another channel ({transport_option(obs)}) and idles in "
            "an event loop that does not watch its stdin (see serves socket)"
        )
    holder = stdin_holder(live)
    still = obs.unread_after_wait is None or obs.unread_after_wait > 0
    if holder is not None and holder.kind == "unknown" and obs.late_answer is None and still:
        looked = obs.waited_longer if obs.waited_longer is not None else live.elapsed
        return untested(
            f"{fd0_words(live)}, and the stdin pipe is held by {holder.words}: it had not read "
            f"the request {looked:.1f} s after the worker started ({holder.process.describe()}). "
            "A server still starting and a child that will never read it look the same in /proc"
        )
    size = len(obs.request_frame)
    if not unread and (ahead := read_ahead(live)):
        return untested(
            f"the {size}-byte request left its stdin pipe, but {ahead}: the pipe shows the "
            "request taken by that thread, not whether the start-up is over"
        )
    if not unread and obs.read_after_timeout is not None:
        return _read_past_timeout(obs, obs.read_after_timeout)
    if unread and obs.read_in_wait is not None and obs.late_answer is not None:
        # unread at the look, read and answered while poolctl waited on: a start that
        # outlasted its timeout, then the request (not a start that took until the answer)
        return _read_past_timeout(obs, obs.read_in_wait, in_wait=True)
    if not unread and obs.read_in_wait is not None:
        return ruled_out(
            f"it read the {size}-byte request {obs.read_in_wait:.1f} s after it started, past "
            f"its {fmt_limit(obs.timeout)} timeout, while poolctl waited on, and answered "
            "nothing: a slow start explains the wait, not the silence (judged once it had read)"
        )
    if not unread:
        return ruled_out(
            f"it read the {size}-byte request: {size - (live.stdin_unread or 0)} of "
            f"{size} bytes left its stdin pipe"
        )
    unwritten = obs.worker.unwritten
    whole = (
        f"all {size - unwritten:,} bytes of the {size:,}-byte request that reached its stdin "
        f"pipe are still there ({live.stdin_pipe}; {unwritten:,} more could not be written)"
        if unwritten
        else f"the whole {size}-byte request is still unread in its stdin pipe ({live.stdin_pipe})"
    )
    ev = [
        Evidence(f"{whole}: it has not started reading", "FIONREAD on the stdin pipe"),
        *stack_evidence(obs),
    ]
    if obs.late_answer is not None:
        ev.append(
            Evidence(
                f"start-up took {obs.late_answer:.1f} s against a {fmt_limit(obs.timeout)} "
                "timeout: "
                f"poolctl kept waiting, and it answered {obs.late_answer:.2f} s after it started"
                + (f", with an error: {obs.late_refusal}" if obs.late_refusal else ""),
                obs.stdout_origin,
            )
        )
    elif obs.waited_longer is not None and obs.unread_after_wait == 0:
        ev.append(
            Evidence(
                f"it read the request while poolctl kept waiting, yet by "
                f"{obs.waited_longer:.1f} s after it started no answer came: its start-up "
                "was over, the request left unanswered",
                "FIONREAD on the stdin pipe",
            )
        )
    elif obs.waited_longer is not None:
        ev.append(
            Evidence(
                f"still starting {obs.waited_longer:.1f} s after it started, against a "
                f"{fmt_limit(obs.timeout)} timeout: poolctl kept waiting, no answer came, and the "
                "request was still unread in its stdin pipe",
                obs.stdout_origin,
            )
        )
    else:
        ev.append(
            Evidence(
                f"{live.elapsed:.1f} s into start-up against a {fmt_limit(obs.timeout)} timeout",
                live_origin(obs),
            )
        )
    most = most_seen(obs)
    where = most[0] if most is not None else None
    if most is None:
        place = f"; {live.activity()}"
    elif most[2] == 1:
        place = f", and it is {most[0].summary}"
    else:  # where the dumps found it most: where its start-up goes
        place = f", and {most[1]} of {most[2]} stack dumps found it {most[0].summary}"
    reader = "it has not"
    if holder is not None:  # a wrapper: the process it handed its stdin to reads, or not
        reader = f"pid {holder.process.pid}, the process it handed its stdin to, has not"
        ev.insert(
            1,
            Evidence(
                f"{fd0_words(live)}; its stdin pipe is held by {holder.words}",
                live_origin(obs),
                "who holds its stdin pipe",
            ),
        )
    # the last time it was seen with its request unread: after poolctl's longer wait, if any
    # (the first look's time, quoted alone, read as a judgement made that early)
    unread_at = live.elapsed
    if obs.late_answer is None and obs.waited_longer is not None and obs.unread_after_wait != 0:
        unread_at = obs.waited_longer
    verdict = (
        f"The worker is stuck in initialization: {unread_at:.1f} s after it started "
        f"(timeout {fmt_limit(obs.timeout)}) {reader} read its request{place}"
    )
    measured = (
        f"above the measured {obs.late_answer:.1f} s"
        if obs.late_answer is not None
        else "above how long its start-up takes"
    )
    stopped = live.stopped()
    if stopped is not None:
        fix = f"Let it run: {stopped_fix(stopped)}."
    elif where is not None and where.importing:
        fix = (
            f"Move the heavy `import {where.importing}` after the first answer (answer the init "
            f"ping, then import lazily), or raise the init timeout {measured}."
        )
    else:
        fix = (
            "Answer the init ping before the slow start-up work, or raise the init timeout "
            f"{measured}."
        )
    verdict, fix = _refused_once_waited(obs, verdict, fix, measured)
    fetch = npx_fetching(obs) if stopped is None else None
    if fetch is not None:  # npx getting its package: the server not started yet
        verdict += f"; {fetch.said()}"
        ev.append(fetch.evidence())
        fix = fetch.fix(measured)
    starved = cpu_wait(live, obs.timeout, obs.at_answer) if not (stopped or fetch) else None
    if starved is not None:  # a start slow for want of a CPU: the machine's, not the worker's
        verdict += f"; {starved.said(answered=obs.late_answer is not None)}"
        ev.append(starved.evidence())
        fix += f" Or {starved.step()}."
    lock = worker_waits_on_lock(obs) if stopped is None else None
    if lock is not None:  # a file lock another process holds: no start-up work to wait out
        verdict += f"; {lock.said()}"
        ev.append(lock.evidence())
        fix = lock.fix()
    stderr = obs.stderr_after_wait or obs.stderr_text  # the later, had it started logging
    line = failure_to_reach(stderr) if obs.late_answer is None else None
    if line is not None and stopped is None:  # it waits on a service it cannot reach
        verdict += f"; its stderr reports, as it starts, `{line}`"
        note = "the first stderr line saying a connection, a name lookup or a download failed"
        ev.append(Evidence(line, obs.stderr_origin, note))
        fix = (
            f"Make reachable what it connects to or downloads as it starts (`{line}`): start "
            "that service, or point the server at one that runs (its URL argument, setting or "
            "environment variable); until it gets through it does not read its requests, and a "
            "longer init timeout only waits longer."
        )
    return confirmed(verdict, fix, *ev)


def _refused_once_waited(
    obs: Observations, verdict: str, fix: str, measured: str
) -> tuple[str, str]:
    """The verdict and fix, with the refusal the late answer was, if it was one: a longer wait
    ends there too, and what it asks for is the fix."""
    if obs.late_refusal is None:
        return verdict, fix
    asked = init_option_fix(obs.late_refusal, obs.worker.spec.init_options)
    return (
        f"{verdict}; waited for, it refused the request: {obs.late_refusal}",
        f"Raise the init timeout {measured}, and mend what it then refuses the request for "
        f"({obs.late_refusal}): " + (f"{asked}." if asked else "a longer wait alone ends there."),
    )


def _read_past_timeout(obs: Observations, read_by: float, in_wait: bool = False) -> Judgement:
    """The request lay whole in its stdin pipe at the timeout and was read before the first
    look (or, `in_wait`, after it, while poolctl waited on): the start outlasted the timeout,
    and is the cause when the answer came within the timeout of the read; silence is judged
    as a worker that read its request."""
    size, limit = len(obs.request_frame), fmt_limit(obs.timeout)
    when = "while poolctl waited on" if in_wait else "before poolctl looked"
    if obs.late_answer is None:
        return ruled_out(
            f"it read the {size}-byte request by {read_by:.1f} s after it started, past its "
            f"{limit} timeout, {when}, and answered nothing: a slow start "
            "explains the wait, not the silence"
        )
    starved = cpu_wait(obs.live, obs.timeout, obs.at_answer)  # slow for want of a CPU
    if (took := obs.late_answer - read_by) > obs.timeout:
        return ruled_out(
            f"it read the {size}-byte request by {read_by:.2f} s after it started, past its "
            f"{limit} timeout, {when}, but answered {took:.2f} s after that, itself past the "
            "timeout: the request is slow, not only the start"
            + (f"; {starved.said(answered=True)}" if starved is not None else "")
        )
    unread_until = (
        Evidence(
            f"the whole {size}-byte request was still in its stdin pipe "
            f"{obs.live.elapsed:.2f} s after it started, past its {limit} timeout: it had not "
            "started reading",
            "FIONREAD on the stdin pipe at the first look",
        )
        if in_wait and obs.live is not None
        else Evidence(
            f"the whole {size}-byte request was still in its stdin pipe as its {limit} timeout "
            "ended the wait: it had not started reading",
            "FIONREAD on the stdin pipe at the timeout",
        )
    )
    ev = [
        unread_until,
        Evidence(
            f"its stdin pipe was empty by {read_by:.2f} s after it started, "
            + ("while poolctl waited on" if in_wait else "before poolctl's first look"),
            f"FIONREAD on the stdin pipe, watched over the {'wait' if in_wait else 'look'}",
        ),
        Evidence(  # in the words of a start whose read poolctl did not see: the same start
            f"start-up took {obs.late_answer:.1f} s against a {limit} timeout: poolctl kept "
            f"waiting, and it answered {obs.late_answer:.2f} s after it started, "
            f"{obs.late_answer - obs.request_sent_at:.2f} s after the request was sent",
            obs.stdout_origin,
        ),
        *stack_evidence(obs),
    ]
    verdict = (
        f"The worker is stuck in initialization: it had not yet read the request {limit} after "
        f"it was sent (its timeout): its start is slow; it read it by {read_by:.2f} s after it "
        f"started, and answered {obs.late_answer:.2f} s after it started"
    )
    fix = (
        f"Give the first request a longer timeout than the rest (raise the init timeout above "
        f"the measured {obs.late_answer:.1f} s of start and answer), or warm the worker up "
        "before its requests are timed (a first request sent and waited for); or answer before "
        "the slow start-up work."
    )
    measured = f"above the measured {obs.late_answer:.1f} s"
    verdict, fix = _refused_once_waited(obs, verdict, fix, measured)
    if starved is not None:
        verdict += f"; {starved.said(answered=True)}"
        ev.append(starved.evidence())
        fix += f" Or {starved.step()}."
    return confirmed(verdict, fix, *ev)
