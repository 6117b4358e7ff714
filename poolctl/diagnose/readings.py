"""Readings of the observations that several hypotheses (and the engine's plan) share: what the
bytes on stdout are, whether the request was read, what the experiments saw, where the worker
is, and the evidence sentences built from them."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from poolctl.framing import DEFAULT_MAX_FRAME, FRAMINGS, quote
from poolctl.model import Evidence
from poolctl.protocol import PROTOCOLS, Protocol, get_protocol
from poolctl.protocol.messages import Incoming
from poolctl.units import fmt_seconds

from .experiments import Outcome, Result
from .observe import Observations
from .pystack import NoStack, Whereabouts, commonest, whereabouts
from .stdin_holders import Holder, stdin_holder

BUFFER_EXPERIMENTS = ("unbuffered", "pty", "many")

# A command line refused by its argument parser: argparse's `prog: error: unrecognized
# arguments: --x` or `… the following arguments are required: x`, commander's `error: required
# option '--stdio' not specified`, click's `Error: No such option: --x`. The line must speak of
# arguments or options: `error: cannot connect to the database` is no usage error.
USAGE_ERROR = re.compile(
    r"^(?:[\w.-]+: )?error: [^\n]*\b(?:arguments?|options?|flags?|usage|unrecognized"
    r"|no such option|missing option)\b[^\n]*$",
    re.M | re.I,
)

# Click's refusal of a command line (exit code 2): its usage, `Try 'PROG --help' for help.`,
# then `Error: …` (mcp-server-motherduck: `Error: In-memory databases require the --read-write
# flag.`), which reads as an exception without the line before it
CLICK_USAGE = re.compile(
    r"^Try '[^'\n]*--help' for help\.[ \t]*\n(?:[ \t]*\n)?(Error: [^\n]+)$", re.M
)

# The usage line of a parser that printed its help on an incomplete command line and exited
# with no `error:` line (clap's `Usage: ruff [OPTIONS] <COMMAND>` when the subcommand is missing).
USAGE_LINE = re.compile(r"^usage: [^\n]+$", re.M | re.I)
# what to do about a worker found stopped: it runs again only when continued
STOPPED_FIX = (
    "find what stops it (a SIGSTOP or SIGTSTP sent to it, a job-control shell, an attached "
    "debugger); a stopped process runs again on SIGCONT (`kill -CONT`)"
)


# A log record at error level: Python logging's default `ERROR:name:message`, or a level word
# after a timestamp or in brackets (`2026-01-01 12:00:00 ERROR …`, `[FATAL] …`, `level=error`).
# Upper case only (or `level=`): "error" inside a message is no level.
_LOGGED_ERROR = re.compile(
    r"^(?:(?:CRITICAL|ERROR|FATAL):[\w.]*:.*"
    r"|(?:\S+[ \t]+){0,3}?\[?(?:CRITICAL|ERROR|FATAL)\]?[ \t:|-]+\S.*"
    r"|.*\blevel=(?:error|fatal|critical)\b.*)$",
    re.M,
)


def logged_error(stderr: str) -> str | None:
    """The last error-level log record on stderr: what a worker that exits on purpose, not on
    an exception, says before it goes (`ERROR:mcp_server_git.server:/x does not exist`)."""
    found = [m.group(0).strip() for m in _LOGGED_ERROR.finditer(stderr)]
    return found[-1][:300] if found else None


# A stderr line that names a rejected message: what a server logs when the envelope is wrong.
VALIDATION_LINE = re.compile(
    r"(?i)^.*\b(?:validation errors? for|invalid (?:json-?rpc|request|message)|"
    r"parse error|failed to (?:parse|validate)|unknown (?:message|method)|"
    r"field required|missing (?:required )?(?:field|property)[^\n]*\b(?:jsonrpc|method)|"
    r"jsonrpc[^\n]*(?:required|missing|invalid)|content-length)\b.*$",
    re.M,
)


def validation_line(stderr: str) -> str | None:
    """The first stderr line that names a rejected or unparsable message, if any."""
    match = VALIDATION_LINE.search(stderr)
    return match.group(0).strip()[:300] if match else None


# --- the process and its stdout -----------------------------------------------------------------


def when_looked(obs: Observations) -> str:
    """When the live worker was looked at, in words: when its answer was due, or, for a request
    let go before its timeout (the evidence had settled why no answer comes), when poolctl
    stopped waiting."""
    return "when poolctl stopped waiting for it" if obs.failed.let_go else "when the answer was due"


def exited(obs: Observations) -> bool:
    return obs.exit_before is not None


def ended(obs: Observations) -> str:
    """Why no answer could come whatever the worker does (see crashed), or "": it exited, or
    its stdout is closed or sent elsewhere while it runs."""
    if exited(obs):
        return "the worker exited (see crashed)"
    if obs.stdout_closed:
        return "its stdout is not the pipe poolctl reads any more (see crashed)"
    if obs.live is not None and obs.live.stdin_closed():
        return (
            "no process of it holds its stdin pipe any more: no request can reach it (see crashed)"
        )
    if obs.live is not None and obs.live.answers_astray() is not None:
        return "the process reading its requests holds no end of its stdout pipe (see crashed)"
    if detached_reader(obs) is not None:
        return (
            "it closed its stdin, held now only by a daemon it detached, which left the "
            "request unread (see crashed)"
        )
    return ""


def detached_reader(obs: Observations) -> Holder | None:
    """The daemon the worker detached, when it alone holds the stdin pipe in the worker's place
    and the request lay unread at every look (when the answer was due, and when poolctl gave
    up waiting, had it waited)."""
    live = obs.live
    holder = stdin_holder(live) if live is not None else None
    if live is None or holder is None or holder.kind != "detached" or not request_unread(obs):
        return None
    if obs.unread_after_wait is not None and obs.unread_after_wait < (live.stdin_unread or 0):
        return None  # it took bytes while poolctl waited: it reads after all
    return holder


def stream_kind(obs: Observations) -> str:
    """`none`, `text` (text, binary junk, or JSON that is no message where one should be),
    `framing` (a frame of another framing, or a bad header), `partial`."""
    e = obs.explanation
    if e is None:
        return "none"
    if e.kind in ("text", "binary", "json-not-message"):
        return "text"
    if e.kind in (
        "other-framing",
        "line-json",
        "json-without-header",
        "bad-header",
        "too-large",
        "too-small",
    ):
        return "framing"
    return "partial"


def stdout_noun(obs: Observations) -> str:
    """What stray bytes on stdout are, in a word or two: `text` or `binary data`."""
    e = obs.explanation
    return "binary data" if e is not None and e.kind == "binary" else "text"


def messages_written(obs: Observations) -> list[str]:
    """Well-formed messages the worker wrote that answered nothing (in our envelope): frames
    set aside, notifications, requests of its own. Quoted short."""
    worker = obs.worker
    said = [quote(p, 120) for p in worker.stray_payloads[:3] if p]
    said += [f"a {m.method} notification" for m in worker.notifications[:3]]
    said += [f"a {m.method} request" for m in worker.server_requests[:3]]
    return said


def echoed(obs: Observations) -> bytes | None:
    """The request, when the worker wrote it back byte for byte (`cat`, `tee`: no answer)."""
    frame = obs.request_frame
    written = bytes(obs.worker.transcript.data[: len(frame)])
    return written if frame and written == frame else None


def stdout_words(obs: Observations, since: int = 0) -> str:
    """What stdout carried before byte `since`, for a sentence that says it wrote nothing more:
    never "nothing" while the transcript holds bytes."""
    before = bytes(obs.worker.transcript.data[:since])
    if not before:
        return ""
    shown = quote(before, 60, obs.worker.redactor)
    return f" (its stdout already carried {len(before):,} bytes: {shown})"


# options that make a server talk over something other than its stdin and stdout
_TRANSPORTS = ("--node-ipc", "--socket", "--pipe", "--port", "--tcp", "--listen")


def transport_option(obs: Observations) -> str:
    """The worker's option that selects another channel than stdio (`--node-ipc`, a
    `--socket=N`), "" for none."""
    for arg in obs.worker.spec.argv[1:]:
        if arg.split("=", 1)[0] in _TRANSPORTS:
            return arg
    return ""


def stdio_fix(option: str) -> str:
    """The fix for a server started with `option`, an editor's channel (`--node-ipc`)."""
    return (
        f"Start it in stdio mode: drop `{option}` and give the option that selects stdio "
        "(`--stdio` for most language servers); a pool's worker speaks on the pipes it was "
        "started with."
    )


def answered_before(obs: Observations) -> int:
    """The requests this same process answered before the one that failed: the session's count
    less the failed request's own answer, come late (read while poolctl looked on: a handler
    slower than the timeout, or one a loaded machine slowed)."""
    worker = obs.worker
    return worker.answered - (obs.failed.request.id in worker.answered_ids)


def request_unread(obs: Observations) -> bool | None:
    """True when all of the request that reached the stdin pipe still sits there (a request
    larger than the pipe's buffer never reaches it whole from a worker that does not read);
    None when unknown."""
    live = obs.live
    if live is None or live.stdin_unread is None:
        return None
    return live.stdin_unread >= len(obs.request_frame) - obs.worker.unwritten


def other_framings(obs: Observations) -> list[str]:
    return [name for name in FRAMINGS if name != obs.framing]


def first_line(data: bytes, limit: int = 80) -> str:
    line = data.split(b"\n", 1)[0].rstrip(b"\r")
    return quote(line, limit)


def header_words(obs: Observations) -> str:
    """`, and its first 4 bytes 'Warn' read as a packet-4 length of …` (or nothing)."""
    e = obs.explanation
    if e is None or e.declared_length is None:
        return ""
    return (
        f", and its first {len(e.header)} bytes {quote(e.header)} read as a "
        f"{obs.framing} length of {e.declared_length:,} bytes"
    )


def text_evidence(obs: Observations) -> Evidence:
    """The text on the framed stream, and what a reader makes of it."""
    e = obs.explanation
    assert e is not None
    note = e.text
    if e.declared_length is not None and e.header:
        note = (
            f"its first {len(e.header)} bytes {quote(e.header)} read as a {obs.framing} "
            f"length of {e.declared_length:,}"
        )
        if e.declared_length > DEFAULT_MAX_FRAME:
            note += f", over the {DEFAULT_MAX_FRAME:,}-byte maximum: no such frame can be meant"
        else:
            note += ", so a reader waits for that many bytes forever"
    return Evidence(quote(obs.pending, 48), obs.pending_origin(), note)


def merge_sources(obs: Observations) -> list[Evidence]:
    """Evidence that stderr reaches the stdout pipe: our setting, or the worker's own `2>&1`."""
    ev = []
    if obs.merged:
        ev.append(
            Evidence(
                "stderr mode merge: the worker's stderr is its stdout pipe, as an Erlang port "
                "opened with :stderr_to_stdout",
                "the worker's settings (ping --stderr merge, or a scenario's stderr: merge)",
            )
        )
    elif obs.live is not None:
        for p in obs.live.stderr_on_stdout():
            ev.append(
                Evidence(
                    f"pid {p.pid} ({p.comm}) has fd 2 = {p.fds.get(2)}, the same pipe as stdout: "
                    "the worker merges its own stderr (a `2>&1` in its command or script)",
                    f"/proc/{p.pid}/fd",
                )
            )
    return ev


def text_in_stderr_when_apart(obs: Observations) -> bool | None:
    """With stderr kept apart (a fresh process): True if the text went to stderr, False if it
    still came on stdout, None when that process wrote it to neither (or did not run)."""
    r = result(obs, "stderr-apart")
    if r is None:
        return None
    line = obs.pending.split(b"\n", 1)[0].strip()
    if not line:
        return None
    if line in r.stdout_head:
        return False
    return True if line.decode("utf-8", "replace") in r.stderr_head else None


# --- experiments -------------------------------------------------------------------------------


def result(obs: Observations, eid: str) -> Outcome | None:
    r = obs.results.get(eid)
    return r if isinstance(r, Outcome) else None


def silent(outcome: Outcome | None) -> bool:
    """An experiment's process wrote nothing and was still running when its time was up."""
    return (
        outcome is not None
        and not outcome.answered
        and not outcome.stdout_head
        and outcome.detail.startswith("no answer within")
    )


def let_go_silent(outcome: Outcome | None) -> bool:
    """An experiment's process wrote nothing before it was waited for no longer (the evidence
    had settled the verdict): like one `silent` within its time, it shows nothing."""
    return (
        outcome is not None
        and not outcome.answered
        and not outcome.stdout_head
        and outcome.detail.startswith("not waited for")
    )


def shows_nothing(outcome: Outcome | None) -> bool:
    """An experiment's fresh process got no answer in its wait and so shows nothing either way:
    it wrote nothing (within its time, or before it was let go), or its answer came only past
    its wait (a start as slow as the worker's own, beside the other experiments)."""
    late = outcome is not None and not outcome.answered and outcome.late_ms is not None
    return silent(outcome) or let_go_silent(outcome) or late


def framings_all_silent(obs: Observations) -> bool:
    """Every fresh process the framing experiments started, the one spoken the worker's own
    framing (the replay) included, wrote nothing within its time: a start slower than that,
    beside the other experiments, shows nothing either way."""
    others = [f"framing-{f}" for f in other_framings(obs) if f"framing-{f}" in obs.results]
    outcomes = [result(obs, e) for e in ["replay", *others]]
    return (
        bool(others)
        and outcomes[0] is not None
        and all(silent(r) or let_go_silent(r) for r in outcomes)
    )


def answered(obs: Observations, eid: str) -> bool:
    r = result(obs, eid)
    return r is not None and r.answered


def framing_worked(obs: Observations, name: str) -> bool:
    """A fresh process answered in `name` framing, within its wait or just past it (a busy
    machine): either way that framing works."""
    r = result(obs, f"framing-{name}")
    return r is not None and (r.answered or r.late_ms is not None)


def answering_protocols(obs: Observations) -> list[str]:
    """The other protocols whose opening a fresh process answered, the one the verdict names
    first: a handshake answered without error says most (an MCP server also answers a bare
    JSON-RPC ping)."""
    found = [
        eid.removeprefix("protocol-")
        for eid in obs.results
        if eid.startswith("protocol-") and answered(obs, eid)
    ]

    def rank(name: str) -> tuple[bool, bool]:
        r = result(obs, f"protocol-{name}")
        clean = isinstance(r, Outcome) and answered_as(name, r)
        return (not clean, not get_protocol(name).handshake)

    return sorted(found, key=rank)


def protocol_settled(results: Sequence[Result], eid: str) -> str | None:
    """Why protocol experiment `eid` need not be waited for any more, if it need not: another
    handshake protocol's opening got an answer without error (among `results`, those ended so
    far), which `answering_protocols` names first whatever `eid` still shows. One that could
    tie with it (a handshake protocol, which would rank by its place) is waited for unless it
    comes after it among the protocols."""
    if eid.startswith("framing-"):
        return _framing_settled(results, eid.removeprefix("framing-"))
    if not eid.startswith("protocol-"):
        return None
    names = list(PROTOCOLS)
    mine = get_protocol(eid.removeprefix("protocol-"))
    for r in results:
        name = r.id.removeprefix("protocol-")
        if r.id == eid or not r.id.startswith("protocol-") or not isinstance(r, Outcome):
            continue
        if not answered_as(name, r) or not get_protocol(name).handshake:
            continue
        ahead = mine.handshake and names.index(mine.name) < names.index(name)
        if ahead and not _answered_as_another(mine, name, r):
            continue
        opening = get_protocol(name).opening().method
        took = r.detail.removeprefix("answered ")
        return f"the {name} opening ({opening}) got an answer first, {took}: it names the protocol"
    return None


def framing_speakers(framing: str, spoken: str, command: str) -> list[str]:
    """The other handshake protocols whose own framing is `framing`, and whose opening is not
    `command` (the request of protocol `spoken` that failed): a worker that writes `framing`
    (pyright's log messages, before it reads) may be that protocol's server, which a request
    of `spoken` in `framing` would not show."""
    return [
        p.name
        for p in PROTOCOLS.values()
        if p.name != spoken and p.framing == framing and p.handshake
        if p.opening().method != command
    ]


def _framing_settled(results: Sequence[Result], framing: str) -> str | None:
    """Why the failed request in `framing` need not be waited for: a handshake protocol whose
    own framing it is got its opening answered there as that protocol's server, which names
    what the worker speaks whatever the request gets."""
    for r in results:
        name = r.id.removeprefix("protocol-")
        if not r.id.startswith("protocol-") or not isinstance(r, Outcome):
            continue
        protocol = get_protocol(name)
        if protocol.framing == framing and protocol.handshake and answered_as(name, r):
            took = r.detail.removeprefix("answered ")
            return (
                f"the {name} opening ({protocol.opening().method}) in {framing} got an answer "
                f"first, {took}: it names the protocol"
            )
    return None


def _answered_as_another(mine: Protocol, name: str, r: Outcome) -> bool:
    """Whether `name`'s answer to the opening `mine` sends too (initialize) says the server is
    `name`'s, not `mine`'s (a language server's capabilities, no MCP protocolVersion): asked
    the same in `mine`'s framing, it cannot answer as `mine`'s server."""
    if mine.opening().method != get_protocol(name).opening().method or r.response is None:
        return False
    return f"speak {name} to it" in mine.opening_problem(r.response.get("result"))


def answered_as(name: str, r: Outcome) -> bool:
    """Whether protocol `name`'s opening got an answer without error that is that protocol's
    server's: a language server answers MCP's initialize too, in its own framing, with no
    protocolVersion (jedi-language-server), which names no MCP server."""
    if not r.answered or r.response is None or "error" in r.response:
        return False
    return not get_protocol(name).opening_problem(r.response.get("result"))


def answer_as(obs: Observations, name: str) -> Outcome | None:
    """Protocol `name`'s experiment, if its opening got that protocol's server's answer."""
    r = result(obs, f"protocol-{name}")
    return r if isinstance(r, Outcome) and answered_as(name, r) else None


def buffer_answered(obs: Observations, eid: str) -> bool:
    """Whether buffering experiment `eid` got the answer: in a protocol with a handshake its
    fresh process is sent the request alone, so an error reply is the request refused out of
    session (the MCP SDK's -32602), not the answer a buffer held back. One read just past its
    wait (a loaded machine's start) counts, as a framing's does (`framing_worked`), when it
    came with its stdin open sooner after the request than the worker's own stdin stayed open
    with no answer: it answered where the worker did not."""
    r = result(obs, eid)
    if r is None or not (r.answered or _late_while_open(obs, r)):
        return False
    refused = r.response is not None and "error" in r.response
    return not (refused and obs.worker.protocol.handshake)


def _late_while_open(obs: Observations, r: Outcome) -> bool:
    """`r`'s answer came past its wait, its stdin still open, sooner after the request than
    the worker's stdin stayed open after it (until the close probe): not a handler as slow as
    the worker's, nor an answer out only at end of input."""
    probe = obs.close_probe
    if r.late_ms is None or r.late_at_eof or probe is None:
        return False
    open_for = probe.at - probe.seconds - obs.request_sent_at
    return r.late_ms / 1000 <= open_for


def experiment_evidence(obs: Observations, *ids: str) -> list[Evidence]:
    out = []
    for eid in ids:
        r = obs.results.get(eid)
        if r is None:
            continue
        origin = (
            f"{obs.rel(obs.worker.capture_dir)}/{r.worker_id}.stdout.bin"
            if isinstance(r, Outcome)
            else "experiment"
        )
        out.append(Evidence(r.sentence(), origin))
    return out


# --- where the live worker is ------------------------------------------------------------------


def live_origin(obs: Observations) -> str:
    """Where the live readings are kept: the stack file, else /proc."""
    live = obs.live
    return obs.rel(live.stack_file) if live is not None and live.stack_file else "/proc"


def stack_evidence(obs: Observations) -> list[Evidence]:
    """Where the worker is: its Python stack in words, else what /proc says; then where the
    stack samples taken while poolctl kept waiting found it most."""
    live = obs.live
    if live is None:
        return []
    where = live.where()
    if where is None:
        reasons = [s.reason for s in live.stacks if isinstance(s, NoStack)]
        why = f" (no Python stack: {reasons[0]})" if reasons else ""
        return [Evidence(live.activity() + why, live_origin(obs))]
    first = Evidence(f"its Python stack is {where.summary}", live_origin(obs))
    most = most_seen(obs)
    if not obs.samples or most is None:
        return [first]
    place, seen, taken = most
    counted = Evidence(
        f"{seen} of {taken} stack dumps from {live.elapsed:.1f} s to "
        f"{obs.samples[-1].elapsed:.1f} s after it started found it {place.summary}",
        live_origin(obs),
    )
    if (place.importing or place.location) == (where.importing or where.location):
        return [counted]
    due = Evidence(f"{when_looked(obs)}, its Python stack was {where.summary}", first.origin)
    return [due, counted]


def most_seen(obs: Observations) -> tuple[Whereabouts, int, int] | None:
    """Where the worker's stack dumps (the first and the samples) found it most, how many did,
    and how many there were."""
    live = obs.live
    if live is None:
        return None
    first = live.where()
    places = [first] if first is not None else []
    for sample in obs.samples:
        main = sample.stack.main
        place = whereabouts(main, live.cwd) if main is not None else None
        if place is not None:
            places.append(place)
    found = commonest(places)
    return (found[0], found[1], len(places)) if found is not None else None


def where_words(obs: Observations) -> str:
    live = obs.live
    if live is None:
        return ""
    where = live.where()
    return where.summary if where is not None else live.activity()


def still_working(obs: Observations) -> str:
    """The notifications the server sent after the request (progress, log messages): it is
    working on it, in words (`it sent 3 notifications since the request
    (notifications/progress ×2, notifications/message), the last 4.1 s after it`); empty when
    none came."""
    worker = obs.worker
    count = worker.notification_count - worker.notifications_before
    if count <= 0:
        return ""
    since = _notifications_since(obs)
    methods: dict[str, int] = {}
    for _, message in since:
        methods[message.method] = methods.get(message.method, 0) + 1
    kinds = ", ".join(f"{m} ×{n}" if n > 1 else m for m, n in methods.items())
    kinds += ", …" if count > len(since) else ""
    last = since[-1][0] - obs.request_sent_at
    noun = "notification" if count == 1 else "notifications"
    return (
        f"it sent {count} {noun} since the request ({kinds}), the last "
        f"{fmt_seconds(max(0.0, last))} after it"
    )


def _notifications_since(obs: Observations) -> list[tuple[float, Incoming]]:
    """The notifications the server sent after the request (the latest few of them)."""
    worker = obs.worker
    count = worker.notification_count - worker.notifications_before
    return list(worker.recent_notifications)[-count:] if count > 0 else []


# LSP's MessageType.Error in window/showMessage and window/logMessage; MCP's error levels
_LSP_ERROR = 1
_MCP_ERRORS = ("error", "critical", "alert", "emergency")


def reported_error(obs: Observations) -> tuple[str, str] | None:
    """The first error the server reported in a notification after the request (LSP's
    window/showMessage or window/logMessage of type Error, MCP's notifications/message at an
    error level): its method and text. A server that failed on a request says so there when
    it sends no error reply."""
    for _, message in _notifications_since(obs):
        params = message.params if isinstance(message.params, dict) else {}
        if message.method in ("window/showMessage", "window/logMessage"):
            if params.get("type") == _LSP_ERROR and isinstance(params.get("message"), str):
                return message.method, params["message"]
        elif message.method == "notifications/message" and params.get("level") in _MCP_ERRORS:
            data = params.get("data")
            return message.method, data if isinstance(data, str) else json.dumps(data)
    return None
