"""Stdout block-buffered: the worker answered into its stdio buffer and never flushed. Closing
its stdin makes it exit and flush; `PYTHONUNBUFFERED=1`, a terminal or many requests at once get
answers from a fresh process."""

from __future__ import annotations

from poolctl.framing import quote
from poolctl.languages import PYTHON, command_language, running_language
from poolctl.model import Evidence
from poolctl.protocol import PROTOCOLS
from poolctl.units import fmt_limit

from ..end_of_input import reads_to_end
from ..experiments import Outcome
from ..judgement import Judgement, confirmed, hypothesis, ruled_out, untested
from ..observe import Observations
from ..outcomes import (
    BUFFER_EXPERIMENTS,
    answer_as,
    buffer_answered,
    experiment_evidence,
    not_begun,
    result,
)
from ..readings import (
    ended,
    live_origin,
    messages_written,
    not_waiting,
    request_unread,
    stdout_words,
    stream_kind,
)
from ..unended_line import held_line

ID = "buffered"
_LABELS = {
    "unbuffered": "with PYTHONUNBUFFERED=1 (`python -u`)",
    "pty": "with stdout on a terminal",
    "many": "with {n} requests at once",
}


@hypothesis(ID)
def buffered(obs: Observations) -> Judgement:
    if why := ended(obs):
        return ruled_out(why)
    kind = stream_kind(obs)
    if kind in ("text", "framing"):
        if obs.answer_behind or kind == "framing":
            return ruled_out("its answer reached the pipe (see the bytes quoted above)")
        # (not "before any answer" once one came: the request before this one was answered)
        this = " to this request" if obs.worker.messages_read else ""
        return untested(f"the stream broke on other bytes before any answer{this}")
    said = messages_written(obs)
    if said:
        return ruled_out(f"its messages reach the pipe as it writes them ({said[0]})")
    live = obs.live
    if live is not None and live.blocked_writers:
        return ruled_out("it is blocked writing (see blocked writing)")
    if request_unread(obs):
        return ruled_out("it has not read the request, so it cannot hold an answer back")
    if obs.late_answer is not None:
        return ruled_out("its late answer reached the pipe while its stdin was still open")
    if live is not None and live.stdin_wait() is None:
        return untested(not_waiting(obs))
    probe = obs.close_probe
    ran = [eid for eid in BUFFER_EXPERIMENTS if eid in obs.results and not not_begun(obs, eid)]
    helped = [eid for eid in ran if buffer_answered(obs, eid)]
    if buffer_answered(obs, "replay"):
        return ruled_out("a fresh process answered the same request on a pipe")
    if probe is not None and probe.cancelled:
        return ruled_out(
            f"when its stdin closed it answered with an error, {quote(probe.flushed, 80)}: "
            "its input closing ended a request still in progress, no answer was held back"
        )
    if (shown := reads_to_end(obs)) is not None:  # told from a buffer: many requests, its stack
        if shown.buffer_above:  # only a smaller buffer than many requests' answers is ruled out
            return Judgement(
                "untested",
                f"its answer and the answers to {shown.requests} requests at once came out only "
                f"as its stdin closed: a stdout buffer larger than {shown.buffer_above:,} bytes "
                "and a read of its whole input look the same here (see waiting-for-input)",
                tuple(shown.evidence[2:]),
            )
        return ruled_out(
            "its answer waited for the end of its input, not in a buffer (see waiting-for-input)",
            *shown.evidence[2:],
        )
    if not helped and held_line(obs):  # a newline would have sent it
        return ruled_out(
            "its answer came out as it exited with no newline after it: its stdout held it "
            "for want of a newline, which would have sent it (see framing)"
        )
    if not helped and probe is not None and probe.line_answer and obs.framing != "line":
        # the answer that came as its stdin closed is explained without a buffer
        return ruled_out(
            f"its answer came as its stdin closed in a JSON line, {quote(probe.line_answer, 60)}:"
            f" it reads lines, and the {obs.framing} request's message ended its line only at end"
            " of input, so no answer could come before (see framing)"
        )
    if not helped and obs.answer_after_close is not None:
        why = _slow_alike(obs, ran) or _LATE_ALIKE
        return Judgement("untested", why, tuple(experiment_evidence(obs, *ran)))
    if (probe is not None and probe.answered) or helped:
        if not helped and (why := _slow_alike(obs, ran)):
            return Judgement("untested", why, tuple(experiment_evidence(obs, *ran)))
        return _confirmed(obs, helped)
    if probe is not None and probe.exit is not None and not ran:
        return ruled_out(
            f"when its stdin closed it {probe.exit.describe()} and wrote "
            + (
                f"only {quote(probe.flushed, 40)}"
                if probe.flushed
                else "nothing more" + stdout_words(obs, probe.offset)
            )
            + ": no answer was held in a buffer"
        )
    if ran:
        why = "no answer under any of the buffering experiments"
        if probe is not None and probe.exit is not None:
            why = f"when its stdin closed it {probe.exit.describe()}, nothing held back; {why}"
        return ruled_out(why, *experiment_evidence(obs, *ran))
    if not obs.experiments_enabled:
        return untested(
            "--no-experiments, and closing its stdin did not end it, so nothing was flushed"
        )
    if (opened := _opening_answered(obs)) is not None:
        name, outcome = opened
        return ruled_out(
            f"in a fresh process on a pipe, its stdin open, its answer to the {name} opening "
            f"reached the pipe as it wrote it ({outcome.detail}): its stdout holds no answer back",
            *experiment_evidence(obs, f"protocol-{name}"),
        )
    return untested("no buffering experiment could run")


def _opening_answered(obs: Observations) -> tuple[str, Outcome] | None:
    """Another protocol's opening answered within its wait by a fresh copy on a pipe. Asked
    once no buffering experiment ran: a costly server's openings, asked first, named its
    protocol, and its buffering copies were not begun (`openings_first`)."""
    for name in PROTOCOLS:
        outcome = answer_as(obs, name) if name != obs.protocol else None
        if outcome is not None and outcome.answered:
            return name, outcome
    return None


# an answer that came after the close probe, with no buffering experiment run
_LATE_ALIKE = (
    "its answer came out after its stdin closed, later than poolctl waited for it then: an "
    "answer held in a buffer until it exited and one slower than the timeout look the same "
    "here (a longer --timeout tells them apart)"
)


def _slow_alike(obs: Observations, ran: list[str]) -> str:
    """Why an answer that came out as its stdin closed proves no buffer, when no buffering
    change got one from a fresh process within its wait ("" when none ran): a handler slower
    than the timeout (a loaded machine's) that finished as its stdin closed, flushing, looks
    the same."""
    outcomes = [r for r in (result(obs, e) for e in ran) if r is not None]
    silent = [r for r in outcomes if not buffer_answered(obs, r.id)]
    probe = obs.close_probe
    if not silent or probe is None:
        return ""
    came = "as its stdin closed,"
    took = probe.at - obs.request_sent_at
    if obs.answer_after_close is not None:  # read once the experiments ended: by then
        came = "after its stdin closed, by"
        took = obs.answer_after_close - obs.request_sent_at
    tried = " nor ".join(_LABELS[r.id].format(n=r.experiment.requests) for r in silent)
    tried = f"neither {tried}" if len(silent) > 1 else f"not {tried}"
    return (
        f"its answer came out {came} {took:.1f} s after the request, but {tried} "
        "did a fresh process answer within its wait: an answer held in a buffer until it "
        f"exited and one slower than the {fmt_limit(obs.timeout)} timeout that came as its "
        "stdin closed look the same here (a longer --timeout tells them apart)"
    )


def _arrived_at_once(obs: Observations) -> bytes:
    """The start of the held-back answer that reached the pipe at once (its header, written
    apart): the bytes still pending when its stdin closed, right before those that came out
    then (b"" when none did, or others did)."""
    probe, pending = obs.close_probe, obs.pending
    if probe is None or not pending or probe.offset < len(pending):
        return b""
    data = bytes(obs.worker.transcript.data)[probe.offset - len(pending) : probe.offset]
    same = obs.worker.redactor.bytes(data, same_length=True) == pending
    return pending if same else b""


def _confirmed(obs: Observations, helped: list[str]) -> Judgement:
    probe = obs.close_probe
    flushed = probe is not None and probe.answered
    ev = []
    if probe is not None and flushed:
        ev.append(
            Evidence(
                quote(probe.flushed, 60),
                f"{obs.stdout_origin} bytes {probe.offset}-{probe.offset + len(probe.flushed) - 1}",
                "when its stdin closed it exited"
                + (f" ({probe.exit.describe()})" if probe.exit else "")
                + " and the answer it had held back came out",
            )
        )
    ev += experiment_evidence(obs, *BUFFER_EXPERIMENTS)
    live = obs.live
    wait = live.stdin_wait() if live is not None else None
    if wait is not None:
        ev.append(
            Evidence(
                wait.text, live_origin(obs), "it had answered, and waited for the next request"
            )
        )
    verdict = "The worker's stdout is block-buffered: nothing reached the pipe"
    arrived = _arrived_at_once(obs) if flushed else b""
    if arrived:  # a part written apart (a header, unbuffered) came at once
        verdict = (
            f"The worker's stdout is block-buffered: only {len(arrived):,} byte(s) of its "
            f"answer reached the pipe ({quote(arrived, 40)}, written apart)"
        )
        ev.insert(
            0,
            Evidence(
                quote(arrived, 60),
                obs.pending_origin(),
                "what reached the pipe before its stdin closed: the start of a frame",
            ),
        )
    if flushed:
        rest = "the rest" if arrived else "its answer"
        verdict += f", yet {rest} came out when its stdin closed and it exited"
    proof = next((r for r in (result(obs, e) for e in helped) if r is not None), None)
    if proof is not None:
        label = _LABELS[proof.id].format(n=proof.experiment.requests)
        verdict += f"; {label} a fresh process answers"
        if not proof.answered and proof.late_ms is not None:
            verdict += f" (late: {proof.late_ms:.0f} ms after the request, past its wait)"
    fix = "Flush stdout after each frame (`sys.stdout.flush()`, `$| = 1` in Perl, "
    fix += "`fflush(stdout)` in C, `io::stdout().flush()` in Rust)"
    fix += (
        ", or run the worker with `python -u` (PYTHONUNBUFFERED=1), which is proven to work here."
        if "unbuffered" in helped
        else "; `python -u` only helps a Python worker."
    )
    spec = obs.worker.spec
    language = command_language(spec.argv, spec.cwd)
    seen = ""
    if language is None and (language := running_language(obs.running_program)) is not None:
        seen = f" (its running process is {obs.running_program})"  # a start script's exec
    if language is not None and language is not PYTHON:  # its command, or its process, says
        fix = f"In {language.name}{seen}, {language.flush}."
    pty = result(obs, "pty")
    if pty is not None and "pty" not in helped and "unbuffered" in helped:
        fix += (
            " A terminal did not help: a tty line-buffers only Python's text layer, and "
            "only at a newline, so it writes through the binary layer (`sys.stdout.buffer`) "
            "or ends its frames with no newline."
        )
    return confirmed(verdict, fix, *ev)
