"""Readings of the observations that several hypotheses (and the engine's plan) share: what the
bytes on stdout are, whether the request was read, what the experiments saw, where the worker
is, and the evidence sentences built from them (what the experiments saw: `outcomes`)."""

from __future__ import annotations

import json
import re

from poolctl.framing import DEFAULT_MAX_FRAME, quote
from poolctl.model import Evidence
from poolctl.protocol.messages import Incoming
from poolctl.units import fmt_seconds

from .observe import Observations
from .outcomes import result
from .procinfo import ProcState
from .pystack import NoStack, Whereabouts, commonest, whereabouts
from .shell_banner import shell_merge
from .stdin_holders import Holder, stdin_holder
from .transport_help import StdioValue, channel_value, find_stdio_value

# A command line refused by its argument parser: argparse's `prog: error: unrecognized
# arguments: --x` or `… the following arguments are required: x`, commander's `error: required
# option '--stdio' not specified`, click's `Error: No such option: --x`. The line must speak of
# arguments or options: `error: cannot connect to the database` is no usage error. The program's
# name may hold spaces: `python -m esbonio: error: unrecognized arguments: --stdio`.
USAGE_ERROR = re.compile(
    r"^(?:[\w./-]+(?: [\w./-]+)*: )?error: [^\n]*\b(?:arguments?|options?|flags?|usage|unrecognized"
    r"|no such option|missing option)\b[^\n]*$",
    re.M | re.I,
)

# bpaf's refusal of an argument (biome 2.6.9's `Error: \`--config-path\` is not expected in this
# context`), which reads as an exception
BPAF_REFUSAL = re.compile(r"^Error: `[^`\n]+` is not expected in this context$", re.M)

# Click's refusal of a command line (exit code 2): its usage, `Try 'PROG --help' for help.`,
# then `Error: …` (mcp-server-motherduck: `Error: In-memory databases require the --read-write
# flag.`), which reads as an exception without the line before it
CLICK_USAGE = re.compile(
    r"^Try '[^'\n]*--help' for help\.[ \t]*\n(?:[ \t]*\n)?(Error: [^\n]+)$", re.M
)


# xflags' refusal of an argument, a line of its own with no `error:` before it (rust-analyzer
# 1.96 given `--stdio`, which it does not take: it serves on stdio with no switch)
XFLAGS_REFUSAL = re.compile(r"^unexpected (?:flag|argument): `[^`\n]+`$", re.M)


def parser_refusal(text: str) -> re.Match[str] | None:
    """An argument parser's refusal written as `Error: …`, which reads as an exception: click's
    (its `Error:` line the match's last group) or bpaf's (the whole match); or xflags' line."""
    return CLICK_USAGE.search(text) or BPAF_REFUSAL.search(text) or XFLAGS_REFUSAL.search(text)


# The usage line of a parser that printed its help on an incomplete command line and exited
# with no `error:` line (clap's `Usage: ruff [OPTIONS] <COMMAND>` when the subcommand is missing),
# perhaps behind a logger's bracketed tag (mcp-remote: `[12345] Usage: mcp-remote <https://…>`).
USAGE_LINE = re.compile(r"^(?:\[[^\]\n]{1,40}\][ \t]*)?(?P<line>usage: [^\n]+)$", re.M | re.I)
# what to do about a worker found stopped: it runs again only when continued
STOPPED_FIX = (
    "find what stops it (a SIGSTOP or SIGTSTP sent to it, a job-control shell, an attached "
    "debugger); a stopped process runs again on SIGCONT (`kill -CONT`)"
)
FROZEN_FIX = (
    "find what froze its cgroup (`docker pause`, a freezer.state written FROZEN, cgroup v2's "
    "cgroup.freeze); a frozen process runs again once thawed (`docker unpause`, THAWED written "
    "to freezer.state, 0 to cgroup.freeze)"
)


def stopped_fix(p: ProcState) -> str:
    """How to let a stopped or frozen process run again."""
    return FROZEN_FIX if p.frozen else STOPPED_FIX


_LOG_TAG = re.compile(r"^\[[^\]\n]*\][ \t]*")
_STDOUT_USAGE = re.compile(rb"^\s*usage: ", re.I)


def logged_fix(logged: str, argv: str, stdout: bytes) -> str:
    """What to do about a worker that logged an error and exited; with its usage printed on its
    stdout (mcp-proxy 0.13.0 with no server to proxy logs what it needs, then prints its help
    there), its arguments are what it lacks."""
    said = _LOG_TAG.sub("", logged)  # its words, without the tag's time and logger
    if _STDOUT_USAGE.match(stdout):
        return (
            f"Give it what it asks for (`{said}`): the usage it printed to its stdout (quoted) "
            f"lists its arguments, and `{argv} --help` describes them."
        )
    return f"Fix the error it logs (`{said}`); run `{argv}` by hand to see it happen."


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
        "decimal-header",
        "re-encoded",
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
    `--socket=N`, `-m socket`), "" for none."""
    argv = obs.worker.spec.argv
    for arg in argv[1:]:
        if arg.split("=", 1)[0] in _TRANSPORTS:
            return arg
    channel = channel_value(argv)
    return channel.given if channel is not None else ""


def stdio_fix(option: str, stdio: StdioValue | None = None) -> str:
    """The fix for a server started with `option`, an editor's channel (`--node-ipc`): with
    the value of its option that gives stdio, when its own words name it (`-m stream`)."""
    if stdio is not None:
        name = option.split()[0]
        return (
            f"Start it in stdio mode: give `{name} {stdio.value}` in place of `{option}` "
            f"({stdio.where} names it: `{stdio.said}`); a pool's worker speaks on the pipes it "
            "was started with."
        )
    return (
        f"Start it in stdio mode: drop `{option}` and give the option that selects stdio "
        "(`--stdio` for most language servers); a pool's worker speaks on the pipes it was "
        "started with."
    )


def channel_fix(obs: Observations, option: str) -> tuple[str, list[Evidence]]:
    """`stdio_fix` for `option`, with the evidence naming its stdio value, when the option
    picks its channel by value (`-m socket`) and its error or `--help` names the one for
    stdio."""
    channel = channel_value(obs.worker.spec.argv)
    if channel is None or channel.given != option:
        return stdio_fix(option), []
    stdio = find_stdio_value(
        channel, obs.stderr_text, obs.worker.spec, obs.experiments_enabled, obs.helps
    )
    if stdio is None:
        return stdio_fix(option), []
    origin = obs.stderr_origin if stdio.where == "its error" else stdio.where
    said = f"`{channel.option} {stdio.value}` gives stdio: {stdio.said}"
    return stdio_fix(option, stdio), [Evidence(said, origin, "what it names for stdin and stdout")]


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
    if not ev:  # the process it merged for may have exited, its shell running on
        spec = obs.worker.spec
        if (line := shell_merge(spec.argv, spec.cwd)) is not None:
            ev.append(line.evidence())
    return ev


def broke_on_merged_text(obs: Observations) -> bool:
    """The stream broke on text its own `2>&1` sent there, and it then exited with code 0: its
    exit is not why no answer came. pytest-language-server 0.24.0 under `sh -c '… 2>&1'` logs
    `WARN … No virtual environment found` between its answers to initialize and shutdown, and
    exits once asked to shut down: its answer to shutdown came, after the line that broke the
    stream (it was told 'exited on shutdown without answering it')."""
    status = obs.exit_before
    return (
        status is not None
        and status.code == 0
        and obs.failed.reason == "bad-frame"
        and stream_kind(obs) == "text"
        and bool(merge_sources(obs))
    )


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


def not_waiting(obs: Observations) -> str:
    """Why a worker that is not waiting on its stdin did not answer, in words: it is stopped
    (state T or t in /proc: SIGSTOP, SIGTSTP, a debugger), which no wait ends, else it is busy
    with the request."""
    stopped = obs.live.stopped() if obs.live is not None else None
    if stopped is not None:
        return (
            f"it is stopped (state {stopped.state} in /proc), not busy with the request: "
            f"{where_words(obs)}"
        )
    return f"it is busy with the request, not waiting: {where_words(obs)}"


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
