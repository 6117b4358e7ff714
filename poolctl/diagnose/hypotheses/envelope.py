"""Envelope or protocol mismatch: a complete message was read, and the worker answered with an
error, with a notification, or dropped it, while another protocol's opening gets an answer in a
fresh process, or its stderr names a validation error."""

from __future__ import annotations

import re

from poolctl.framing import quote
from poolctl.model import Evidence
from poolctl.protocol import get_protocol
from poolctl.protocol.messages import (
    ENCODED_TWICE,
    IN_A_LIST,
    NOT_JSON_ANSWER,
    NOT_UTF8,
    PYTHON_REPR,
    READABLE_FIX,
    RUBY_INSPECT,
)
from poolctl.protocol.server_version import version_shown

from ..exited_plan import late_speaker
from ..judgement import Judgement, confirmed, hypothesis, ruled_out, untested
from ..log_levels import logged_error
from ..observe import Observations
from ..outcomes import (
    answering_protocols,
    experiment_evidence,
    result,
    shows_nothing,
)
from ..readings import (
    answered_before,
    echoed,
    ended,
    messages_written,
    reported_error,
    request_unread,
    still_working,
    stream_kind,
    validation_line,
)
from ..talking import talking_protocol

ID = "envelope"
# A server's word on stderr, as it starts, of the transport it serves ("Secure MCP Filesystem
# Server running on stdio", "Starting default (STDIO) server..."): evidence of what it is, quoted.
# It ends no wait: the other protocols' openings settle that (poolctl/diagnose/settled.py).
_ANNOUNCED = re.compile(
    r"^.*\b(?:running|listening|serving|started|starting|connected)\b.*\bstdio\b.*$"
    r"|^.*\bstdio\b.*\b(?:server|transport)\b.*$",
    re.IGNORECASE | re.MULTILINE,
)


def announced(stderr: str) -> str | None:
    """The first line of `stderr` in which the worker says it serves on stdio (or None)."""
    found = _ANNOUNCED.search(stderr[:16384])
    return found.group(0).strip()[:200] if found else None


def _answered_otherwise(obs: Observations) -> Judgement:
    """It wrote whole messages in the framing, but none was the answer to the request: another
    id (`"1"` for 1, as a worker that makes every id a string sends), outside the envelope (no
    boolean `success`, a list around it), or frames of its own by the thousand. poolctl set
    them aside."""
    worker = obs.worker
    what = worker.stray[0]
    size = len(obs.request_frame)
    current = obs.protocol
    n = worker.stray_count
    frames = f"{n:,} frames, none of them its answer" if n > 1 else "a frame that is not its answer"
    verdict = f"The worker read the {size}-byte {current} request and wrote {frames}: {what}"
    misencoded = (NOT_UTF8, ENCODED_TWICE, NOT_JSON_ANSWER, RUBY_INSPECT, PYTHON_REPR)
    if n == 1 and what.startswith(misencoded):
        verdict = (
            f"The worker read the {size}-byte {current} request and answered in a frame no "
            f"client can read: {what}"
        )
    if n == 1 and what.startswith(IN_A_LIST):  # its answer, wrapped
        verdict = (
            f"The worker read the {size}-byte {current} request and answered inside a list, "
            f"where a client reads one answer object: {what}"
        )
    if what.startswith("response for id"):
        sent = obs.failed.request.id
        fix = (
            f"Answer each request with its own id, as it came: the same value and type "
            f"({sent!r} here), since a client matches answers by id."
        )
    elif what.startswith(NOT_UTF8):
        fix = READABLE_FIX
    elif what.startswith(ENCODED_TWICE):
        fix = (
            "Encode each answer once: write `json.dumps(answer)` of the object itself, not of "
            "a string `json.dumps` already made (a client decodes once, and finds a string)."
        )
    elif what.startswith(RUBY_INSPECT):
        fix = (
            'Write each answer as JSON: `puts JSON.generate(answer)` (`require "json"`), or '
            "`answer.to_json`; `puts answer`, `p answer` and `answer.to_s` write a Hash's "
            'inspect form (`{"id"=>1}`), which no JSON reader takes.'
        )
    elif what.startswith(PYTHON_REPR):
        fix = (
            "Write each answer as JSON: `print(json.dumps(answer), flush=True)`; "
            "`print(answer)` and `str(answer)` write a dict's repr (`{'id': 1, 'success': "
            "True}`), which no JSON reader takes."
        )
    elif what.startswith(NOT_JSON_ANSWER):
        fix = (
            "Build each answer with a JSON encoder (`JSON.stringify`, `json.dumps`, "
            "`jq -cn --arg` in a shell), not by pasting values into JSON text: a backslash, a "
            "quote or a newline in a value must be escaped there (a shell's `read` without "
            "`-r` eats backslashes, `echo -e` turns `\\n` into a newline that ends the line)."
        )
    elif what.startswith(IN_A_LIST):
        fix = (
            "Write the answer object itself, one per frame, not a list holding it "
            "(`json.dumps(answer)`, not `json.dumps([answer])`): a client reads each frame "
            "as one answer, an object with the request's id."
        )
    else:
        fix = (
            f"Answer in the {current} envelope ({get_protocol(current).summary}): the reader "
            "takes nothing else as an answer."
        )
    ev = [
        Evidence(w, obs.stdout_origin, "a frame that answered no request, set aside")
        for w in worker.stray[:3]
    ]
    return confirmed(verdict, fix, *ev)


@hypothesis(ID)
def envelope(obs: Observations) -> Judgement:
    if why := ended(obs):
        return ruled_out(why)
    kind = stream_kind(obs)
    if kind == "framing":  # a message, maybe, in a framing the reader does not take
        return ruled_out("what came on stdout is a frame of another framing (see framing)")
    if kind == "text":
        return ruled_out("what came on stdout is no message at all (quoted above)")
    if request_unread(obs):
        return ruled_out("it has not read the request yet")
    echo = _echoed(obs)
    if echo is not None:
        return echo
    probe = obs.close_probe
    if probe is not None and probe.line_answer and b'"error"' not in probe.line_answer:
        return ruled_out("it answered the request once its stdin closed (see framing)")
    said = messages_written(obs)
    stderr_line = validation_line(obs.stderr_text)
    others = answering_protocols(obs)
    if obs.worker.stray and not others:  # no other protocol explains what it wrote
        return _answered_otherwise(obs)
    if (reported := reported_error(obs)) is not None:
        return _reported_error(obs, *reported)
    if (before := answered_before(obs)) and obs.worker.protocol.handshake:
        return ruled_out(
            f"it answered {before} earlier request(s) of this session in the "
            f"{obs.protocol} envelope (its handshake)"
        )
    if working := still_working(obs):
        return ruled_out(f"it took the request and talks on: {working}")
    tried = [eid for eid in obs.results if eid.startswith("protocol-")]
    late = late_speaker(obs) if not others else None
    if not others and late is None and stderr_line is None:
        quiet = [eid for eid in tried if shows_nothing(result(obs, eid))]
        if tried and len(quiet) == len(tried):
            return untested(
                "in fresh processes the other protocols' openings got nothing within their "
                "time (or an answer only past it), which shows nothing either way (a slow "
                "start-up, run beside the other experiments)"
            )
        if (talking := talking_protocol(obs)) is not None:  # a slow server of another
            return untested(talking.reason())
        if tried:
            return ruled_out(
                "no other protocol's opening got an answer in a fresh process, and its stderr "
                "names no rejected message",
                *experiment_evidence(obs, *tried),
            )
        if not obs.experiments_enabled:
            return untested("--no-experiments: each protocol needs a fresh process")
        return untested("no protocol experiment ran, and its stderr names no rejected message")
    speaks = others[0] if others else late
    size = len(obs.request_frame)
    ev: list[Evidence] = []
    if said:
        what = f"it answered with {said[0]}"
        note = "it wrote this, which answers no request"
        ev += [Evidence(s, obs.stdout_origin, note) for s in said]
    elif probe is not None and probe.line_answer:  # an MCP server's refusal of LSP's opening
        refusal = quote(probe.line_answer, 120)
        what = f"it answered it only when its stdin closed, with an error: {refusal}"
        ev.append(Evidence(refusal, obs.stdout_origin, "its answer, written once its stdin closed"))
    elif stderr_line is not None:  # quoted below: its stderr says it rejected the message
        what = "it dropped it: no answer, no error"
    else:  # nothing says it dropped it: a reader waiting for the rest of a frame looks the same
        waits = obs.live is not None and obs.live.stdin_wait() is not None
        what = "it answered nothing, no error either" + (
            ", and waits on its stdin for more" if waits else ""
        )
    if stderr_line is not None:
        ev.append(Evidence(stderr_line, obs.stderr_origin, "its stderr names the rejected message"))
    if (said_so := announced(obs.stderr_text)) is not None:
        ev.append(Evidence(said_so, obs.stderr_origin, "what it said of itself as it started"))
    ev += experiment_evidence(obs, *tried)
    current = obs.protocol
    verdict = (
        f"The worker does not speak {current}: it read the {size}-byte {current} request "
        f"({obs.failed.request.command}) and {what.removeprefix('it ')}"
    )
    if speaks is not None:
        r = result(obs, f"protocol-{speaks}")
        opening = get_protocol(speaks).opening().method
        server = _server_name(r.response if r is not None else None)
        verdict += (
            f", while in a fresh process the {speaks} opening ({opening}) gets an answer{server}"
        )
        if late is not None and r is not None:  # a start as slow as the worker's, no refusal
            verdict += f", past its wait ({r.detail})"
    if stderr_line is not None:
        verdict += f"; its stderr says {quote(stderr_line.encode(), 100)}"
    fix = (
        f"Speak {speaks} to it (`poolctl ping --protocol {speaks}`; in a pool, "
        f"`worker.protocol: {speaks}`), or make the worker accept the {current} envelope."
        if speaks is not None
        else f"Send the envelope the worker expects (its stderr says what it rejected), or "
        f"make it accept the {current} envelope; `--protocol` picks another."
    )
    if late is not None:
        fix += " Ping it so with a longer `--timeout`: its answer came past the wait."
    return confirmed(verdict, fix, *ev)


def _reported_error(obs: Observations, method: str, text: str) -> Judgement:
    """It read the request and, in a notification, reported an error, but sent no error reply
    (pygls's `Error in server: Invalid Params` for params it cannot read): nothing is coming."""
    request = obs.failed.request
    said = quote(text.encode(), 120, obs.worker.redactor)
    verdict = (
        f"The worker read the {len(obs.request_frame)}-byte {obs.protocol} request "
        f"({request.command}) and reported an error in a {method} notification after it, "
        f"{said}, with no answer, not even an error reply"
    )
    ev = [Evidence(said, obs.stdout_origin, f"the error it reported ({method}), not an answer")]
    logged = logged_error(obs.stderr_text)
    if logged is not None:
        verdict += f"; its stderr logs {quote(logged.encode(), 100)}"
        ev.append(Evidence(logged, obs.stderr_origin, "its last error-level log record"))
    fix = (
        f"Send a {request.command} request the worker accepts: the error it reported says what "
        "it could not take (its params are what `--args` gives, in a pool the request's args). "
        "A server that answers a failed request with no error reply leaves its client waiting: "
        "waiting longer brings nothing."
    )
    return confirmed(verdict, fix, *ev)


def _echoed(obs: Observations) -> Judgement | None:
    """A program that copies its input to its output (`cat`, `tee`) wrote the request back,
    byte for byte: every protocol's opening then seems answered by its own echo."""
    written = echoed(obs)
    if written is None:
        return None
    current = obs.protocol
    return confirmed(
        f"The worker echoes what it reads: its stdout repeats the {len(written)}-byte {current} "
        "request byte for byte, which answers nothing. It is no worker of any protocol: is the "
        "command right?",
        "Check the worker command: it copies its input to its output (as `cat` or `tee` do) "
        "instead of answering. Run the worker itself, not a program that passes its input "
        "through.",
        Evidence(quote(written, 120), obs.stdout_origin, "the request, written back as read"),
    )


def _server_name(response: dict[str, object] | None) -> str:
    """`: server 'everything' 1.0` from an `initialize` answer (or nothing)."""
    body = response.get("result") if response else None
    info = body.get("serverInfo") if isinstance(body, dict) else None
    if not isinstance(info, dict) or not info.get("name"):
        return ""
    version = f" {shown}" if (shown := version_shown(info.get("version"))) else ""
    return f" (server {info['name']!r}{version})"
