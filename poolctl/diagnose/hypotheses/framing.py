"""Framing mismatch: the worker speaks another framing. Its reply is a frame of another
framing, or it read the request and waits for the rest of a frame while another framing gets
an answer in a fresh process."""

from __future__ import annotations

import json
import re

from poolctl import json_text
from poolctl.framing import FRAMINGS, quote
from poolctl.languages import JAVA, command_language
from poolctl.model import Evidence
from poolctl.protocol import PROTOCOLS
from poolctl.protocol.messages import carries_answer

from ..close_probe import CloseProbe
from ..judgement import Judgement, confirmed, hypothesis, ruled_out, untested
from ..observe import Observations
from ..outcomes import (
    answer_as,
    experiment_evidence,
    framing_speakers,
    framing_worked,
    framings_all_silent,
    let_go_silent,
    not_begun,
    other_framings,
    result,
    silent,
)
from ..readings import (
    answered_before,
    ended,
    header_words,
    live_origin,
    messages_written,
    not_waiting,
    request_unread,
    stdout_noun,
    stream_kind,
)
from ..talking import own_notification
from ..unended_line import held_line, unended_line

ID = "framing"


@hypothesis(ID)
def framing_mismatch(obs: Observations) -> Judgement:
    if why := ended(obs):
        return ruled_out(why)
    kind = stream_kind(obs)
    if kind == "framing":
        return _reply_in_another_framing(obs)
    if kind == "text":
        return ruled_out(f"the bytes on stdout are {stdout_noun(obs)}, not a frame in any framing")
    said = messages_written(obs)
    if kind != "framing" and said:
        return ruled_out(f"its messages arrive as valid {obs.framing} frames ({said[0]})")
    if obs.live is not None and obs.live.blocked_writers:
        return untested("the worker is blocked writing (see blocked writing)")
    if request_unread(obs):
        return untested("the worker has not read the request yet, so its framing is moot")
    if line := unended_line(obs):
        return _line_never_ended(obs, line)
    probe = obs.close_probe
    if probe is not None and probe.answered:
        return ruled_out(
            f"its held-back answer is a valid {obs.framing} frame ({quote(probe.flushed, 40)})"
        )
    if probe is not None and probe.line_answer and obs.framing != "line":
        return _answered_at_end_of_input(obs, probe.line_answer, probe.offset)
    if obs.late_answer is not None:
        return ruled_out(f"its late answer is a valid {obs.framing} frame")
    if obs.live is not None and obs.live.stdin_wait() is None:
        return untested(not_waiting(obs))
    others = [f for f in other_framings(obs) if f"framing-{f}" in obs.results]
    replay = result(obs, "replay")
    if replay is not None and replay.answered:
        return ruled_out(f"{obs.framing} works: {replay.sentence()}")
    # an answer read just past the wait (a busy machine) shows the framing works all the same
    worked = [f for f in others if framing_worked(obs, f)]
    if worked:
        return _request_in_another_framing(obs, worked[0], others)
    # those not begun, the protocol named first (`openings_first`), show nothing either
    skipped = [f for f in others if not_begun(obs, f"framing-{f}")]
    tried = [result(obs, e) for e in ["replay", *(f"framing-{f}" for f in others)]]
    if framings_all_silent(obs) or (
        skipped and all(silent(r) or let_go_silent(r) for r in tried if r is not None)
    ):
        let_go = any(let_go_silent(r) for r in tried)
        why = not_begun(obs, f"framing-{skipped[0]}") if skipped else ""
        return untested(
            "in fresh processes no framing, its own included, got anything at all within its "
            "time"
            + (" or before it was waited for no longer" if let_go else "")
            + ", which shows nothing either way: a process not yet started is silent too"
            + (f"; {', '.join(skipped)} not tried ({why})" if skipped else "")
        )
    if others:
        return ruled_out(
            "no other framing got an answer in a fresh process either",
            *experiment_evidence(obs, *(f"framing-{f}" for f in others)),
        )
    if not obs.experiments_enabled:
        return untested(
            "--no-experiments: each framing needs a fresh process (try `--framing auto`)"
        )
    return untested("no framing experiment ran")


def _reply_in_another_framing(obs: Observations) -> Judgement:
    """The bytes on stdout are a frame of another framing (or JSON without a header)."""
    e = obs.explanation
    assert e is not None
    speaks = e.other_framing or "JSON without a length header"
    ev = [Evidence(quote(obs.pending), obs.pending_origin(), e.text)]
    if e.kind in ("too-large", "too-small") and e.whole_json:
        verdict = f"The worker's answer has a wrong length header: {e.text}"
        code = {1: "B", 2: "H"}.get(len(e.header), "I")  # struct's code for the header's size
        count = (
            "`f'Content-Length: {len(body)}\\r\\n\\r\\n'`"
            if obs.framing == "content-length"
            else f"`struct.pack('>{code}', len(body))`"
        )
        fix = (
            f"Make the {obs.framing} header count the bytes written after it: the length of the "
            f"encoded body, computed from the very bytes sent ({count} with "
            "`body = json.dumps(answer).encode()`), not from another value."
        )
        if e.counts_characters:
            fix = (
                f"Make the {obs.framing} header count the body's bytes in UTF-8, not its "
                "characters: in Node `Buffer.byteLength(body)` (or the `length` of "
                "`Buffer.from(body)`, written as it is), not `body.length`; in Python "
                f"{count} with `body = json.dumps(answer).encode()`, not `len` of the text."
            )
        return confirmed(verdict, fix, *ev)
    if e.kind == "too-large":
        verdict = f"The worker's answer is {e.text}"
        fix = (
            "Keep each message under the maximum: send a large result by reference (a file "
            "path, a URL) or in parts; a pool reader that takes any length lets one answer "
            "fill its memory."
        )
        return confirmed(verdict, fix, *ev)
    if e.kind == "re-encoded":
        verdict = f"The worker's frames are encoded again on their way out: {e.text}"
        fix = (
            "Write each frame's bytes as they are, to a stdout in binary mode: in Elixir and "
            "Erlang leave standard_io in its latin1 encoding (no `:io.setopts(:standard_io, "
            "encoding: :unicode)`) and write with `IO.binwrite`, or open `{:fd, 0, 1}` as a "
            "binary port; in Python write bytes to `sys.stdout.buffer`, never text decoded "
            "from them; in Tcl `fconfigure stdout -translation binary` before the first frame, "
            "and each body's `encoding convertto utf-8` (its length counted in those bytes)."
        )
        return confirmed(verdict, fix, *ev)
    if e.kind == "decimal-header":
        verdict = f"The worker writes its length header as text: {e.text}"
        size = FRAMINGS[obs.framing].header_size
        code = {1: "B", 2: "H"}.get(size, "I")  # struct's code for the header's size
        perl = {1: "C", 2: "n"}.get(size, "N")  # and Perl's pack's
        fix = (
            f"Write each length as a {size}-byte big-endian binary number, not as digits: "
            f"Python `struct.pack('>{code}', len(body))`, Node "
            f"`writeUInt{8 * size}BE(Buffer.byteLength(body))`, Perl `pack('{perl}', "
            f'length $body)` (of bytes), C {_C_LENGTH[size]} (not `printf("%zu", length)`), '
            f"Elixir "
            f"`<<byte_size(body)::{8 * size}>>` (the header `{{packet, {size}}}` reads)."
        )
        return confirmed(verdict, fix, *ev)
    if e.kind == "bad-header":
        verdict = f"The worker writes a content-length header no reader can use: {e.text}"
        fix = (
            "Write `Content-Length: <bytes of the body>\\r\\n` (an optional `Content-Type` "
            "line), then `\\r\\n`, then exactly that many bytes of JSON, before every message."
        )
        if "counts the message's characters" in e.text:
            fix += (
                " Count the bytes of its UTF-8 encoding: Node `Buffer.byteLength(body)`, Ruby "
                "`body.bytesize`, Java `body.getBytes(StandardCharsets.UTF_8).length`, Python "
                "`len(body.encode())`; `body.length`, `String.length()` and `len(text)` count "
                "characters."
            )
        return confirmed(verdict, fix, *ev)
    if e.other_framing in FRAMINGS:
        ev += experiment_evidence(obs, f"framing-{e.other_framing}")
    if e.kind == "json-without-header":
        verdict = (
            f"The worker writes JSON without a {obs.framing} length header: "
            f"{quote(obs.pending, 40)}{header_words(obs)}"
        )
        fix = (
            f"Have the worker frame its answers in {obs.framing} ("
            + _framing_words(obs.framing).removeprefix(", ")
            + "), or read it as line framing if it ends each message with a newline."
        )
        return confirmed(verdict, fix, *ev)
    if e.other_framing == f"{obs.framing} (little-endian)":  # its own framing, bytes reversed
        return _little_endian(obs, ev)
    reply = f"{quote(obs.pending, 24)} is {e.what or e.text}"
    size = FRAMINGS[obs.framing].header_size
    if size and len(obs.pending) >= size:  # a length-prefixed reader read a length
        length = int.from_bytes(obs.pending[:size], "big")
        reply += (
            f", whose first {size} bytes a {obs.framing} reader takes as a length of {length:,}"
        )
    verdict = f"The worker answers in {speaks}, not {obs.framing}: its reply {reply}"
    fix = (
        f"Use one framing on both sides: {speaks} here (`poolctl ping --framing "
        f"{e.other_framing}`, `{{packet, {FRAMINGS[e.other_framing].header_size}}}` "
        f"in open_port), or make the worker speak {obs.framing}."
        if e.other_framing in FRAMINGS and FRAMINGS[e.other_framing].header_size
        else f"Use one framing on both sides: {speaks} here, or make the worker "
        f"speak {obs.framing}."
    )
    if e.other_framing in FRAMINGS and _reads_ours_writes_other(obs, e.other_framing):
        verdict += (
            f"; it read the {obs.framing} request (its reply answers it, by its id) and "
            f"writes in another framing than it reads"
        )
        fix = _write_as_it_reads(obs, e.other_framing)
    if e.other_framing in FRAMINGS and (earlier := answered_before(obs)):
        return _switched(obs, earlier, speaks, reply, ev)
    # a server that writes first (pyright's log messages) shows its framing at once; its
    # answer in that framing may show it is another protocol's server, as one that waits does
    if e.other_framing in FRAMINGS:
        verdict, fix = _protocol_words(obs, e.other_framing, verdict, fix, ev)
    return confirmed(verdict, fix, *ev)


def _switched(
    obs: Observations, earlier: int, speaks: str, reply: str, ev: list[Evidence]
) -> Judgement:
    """It answered `earlier` requests of this session in our framing, then this one in
    `speaks`: no framing mismatch from its start, but a switch mid-run (it was told it 'writes
    in another framing than it reads', to use one framing on both sides)."""
    verdict = (
        f"The worker switched framing mid-run: it answered {earlier} request(s) of this "
        f"session in {obs.framing}, then wrote its reply to this one in {speaks}: {reply}"
    )
    fix = (
        f"Keep the worker writing {obs.framing} for every answer: its first {earlier} "
        f"answer(s) were framed so, so a path it takes only later (a request's handler, a "
        f"library loaded after its start, a `print` or a logger put on its stdout) writes "
        f"{speaks}: find where that reply is written."
    )
    start = obs.pending_at if obs.pending_at is not None else 0
    if start:  # the answers before it, framed right, in its stdout's transcript
        ev.insert(
            0,
            Evidence(
                f"{earlier} answer(s) in {obs.framing} before it",
                f"{obs.stdout_origin} bytes 0-{start - 1}",
                "the session's earlier answers, read as frames",
            ),
        )
    return confirmed(verdict, fix, *ev)


def _reads_ours_writes_other(obs: Observations, other: str) -> bool:
    """Its reply in `other` framing answers our request, by its id, so it read our framing;
    and no fresh process answered a request sent in `other` (it reads ours, not that one)."""
    request = obs.failed.request
    answers = carries_answer(obs.pending, request.id, request.envelope)
    return answers and not framing_worked(obs, other)


def _write_as_it_reads(obs: Observations, other: str) -> str:
    """The fix for a worker that reads our framing and writes `other`: write as it reads."""
    framing = obs.framing
    size = FRAMINGS[framing].header_size
    code = {1: "B", 2: "H"}.get(size, "I")  # struct's code for the header's size
    how = (
        f"a {size}-byte big-endian length of the encoded body, then the body: Python "
        f"`struct.pack('>{code}', len(body)) + body`, Node `process.stdout.write` of a header "
        f"filled by `writeUInt{8 * size}BE(Buffer.byteLength(body))`, then of the body, not "
        "`console.log`"
        if size
        else _framing_words(framing).removeprefix(", ")
    )
    fix = f"Make the worker write its answers in {framing}, the framing it reads ({how})."
    spec = obs.worker.spec
    if size == 4 and other == "packet-2" and command_language(spec.argv, spec.cwd) is JAVA:
        fix = (
            "Make the worker write its answers in packet-4, the framing it reads: in Java "
            "`out.writeInt(body.length); out.write(body)` with `body = json.getBytes("
            "StandardCharsets.UTF_8)`, not `out.writeUTF(json)`, which writes a 2-byte length "
            "(packet-2) and modified UTF-8 (a character past U+FFFF as 6 bytes, which UTF-8 "
            "readers refuse)."
        )
    if result(obs, f"framing-{other}") is not None:  # asked: reading it so would not help
        fix += f" Speaking {other} to it does not help: a request in {other} got no answer."
    return fix


def _request_in_another_framing(obs: Observations, name: str, others: list[str]) -> Judgement:
    """It read the request and waits for the rest of a frame; `name` got an answer."""
    ev: list[Evidence] = []
    live = obs.live
    wait = live.stdin_wait() if live is not None else None
    if wait is not None:
        ev.append(Evidence(wait.text, live_origin(obs), "it waits for the rest of a frame"))
    ev += experiment_evidence(obs, "replay", *(f"framing-{f}" for f in others))
    size = len(obs.request_frame)
    verdict = (
        f"The worker speaks {name}, not {obs.framing}: it read the {size}-byte "
        f"{obs.framing} request and waits for the rest of a {name} frame, while in a fresh "
        f"process {name} framing gets an answer"
    )
    got = result(obs, f"framing-{name}")
    if got is not None and not got.answered and got.late_ms is not None:
        verdict += f" (late: {got.late_ms:.0f} ms after the request, past its wait)"
    fix = (
        f"Use one framing on both sides: {name} (`poolctl ping --framing {name}`"
        + _framing_words(name)
        + f"), or make the worker speak {obs.framing}."
    )
    verdict, fix = _protocol_words(obs, name, verdict, fix, ev)
    return confirmed(verdict, fix, *ev)


# how C writes a binary length of 1, 2 or 4 bytes, big-endian
_C_LENGTH = {
    1: "`fputc(length, stdout)`",
    2: "`fwrite` of `htons(length)`",
    4: "`fwrite` of `htonl(length)`",
}
# how each language writes a big-endian length of 2 or 4 bytes (packet-1 has no byte order)
_BIG_ENDIAN = {
    2: "Rust `(body.len() as u16).to_be_bytes()`, C `htons(length)`, PHP `pack('n', "
    "strlen($body))`, Ruby `[body.bytesize].pack('n')`, Java `DataOutputStream.writeShort`, "
    "Python `struct.pack('>H', len(body))`, Node `writeUInt16BE`",
    4: "Rust `(body.len() as u32).to_be_bytes()`, C `htonl(length)`, PHP `pack('N', "
    "strlen($body))`, Ruby `[body.bytesize].pack('N')`, Java `DataOutputStream.writeInt`, "
    "Python `struct.pack('>I', len(body))`, Node `writeUInt32BE`",
}


def _little_endian(obs: Observations, ev: list[Evidence]) -> Judgement:
    """Its own framing's frames, the length header's bytes in the reverse order: Rust's
    `to_le_bytes`, C's `fwrite(&length, 4, 1, stdout)` on a little-endian machine, PHP's
    `pack('V')` or `pack('L')`. No framing reads a little-endian length: the fix is the worker's."""
    size = FRAMINGS[obs.framing].header_size
    header = obs.pending[:size]
    verdict = (
        f"The worker writes its {size}-byte length header little-endian: its reply "
        f"{quote(obs.pending, 24)} is a {obs.framing} frame whose header {quote(header)} "
        f"counts its {int.from_bytes(header, 'little'):,} bytes in the reverse byte order, "
        f"and a {obs.framing} reader takes it as a length of "
        f"{int.from_bytes(header, 'big'):,}"
    )
    fix = (
        f"Write each length big-endian (network byte order), as `{{packet, {size}}}` reads "
        f"it: {_BIG_ENDIAN[size]}. Not the integer's own bytes (`to_le_bytes`, `fwrite` of a "
        "`uint32_t`, `pack('V')` or `pack('L')`): x86 and ARM machines are little-endian."
    )
    return confirmed(verdict, fix, *ev)


def _line_never_ended(obs: Observations, line: bytes) -> Judgement:
    """It wrote its answer whole, in JSON, and never the newline that ends a line frame."""
    answers = (
        isinstance(message := json_text.loads(line), dict)
        and message.get("id") == obs.failed.request.id
    )
    what = "its answer" if answers else "a whole JSON message"
    probe = obs.close_probe
    if held_line(obs) and probe is not None and probe.exit is not None:
        return _line_held(obs, probe, what, line)
    ev = [Evidence(quote(obs.pending, 80), obs.pending_origin(), f"{what}, no newline after it")]
    if probe is not None and probe.exit is not None:
        ev.append(
            Evidence(
                f"when its stdin closed it {probe.exit.describe()} and wrote "
                + (f"only {quote(probe.flushed, 40)}" if probe.flushed else "nothing more")
                + ": the newline never came",
                obs.stdout_origin,
            )
        )
    verdict = (
        f"The worker never ends its line: {what}, {quote(line, 40)}, came whole with no "
        "newline after it, and a line reader takes a message only at its newline"
    )
    fix = (
        "End each message with a newline: `print(json.dumps(answer), flush=True)` or "
        '`sys.stdout.write(json.dumps(answer) + "\\n")` (Node: '
        '`process.stdout.write(JSON.stringify(answer) + "\\n")`; Java: '
        "`System.out.println(json)`, not `System.out.print(json)`; Rust: `println!`)."
    )
    return confirmed(verdict, fix, *ev)


def _line_held(obs: Observations, probe: CloseProbe, what: str, line: bytes) -> Judgement:
    """Its line never ended, and nothing of it reached the pipe until it exited: its stdout
    writes at each newline (Rust's `print!` with no `\\n`: Rust's stdout is line-buffered
    even on a pipe), so a newline would have sent it too."""
    ev = [
        Evidence(
            quote(probe.flushed, 80),
            f"{obs.stdout_origin} bytes {probe.offset}-{probe.offset + len(probe.flushed) - 1}",
            f"when its stdin closed it {probe.exit.describe() if probe.exit else 'exited'} and "
            f"{what} came out, no newline after it; nothing had reached the pipe before",
        )
    ]
    verdict = (
        f"The worker never ends its line: {what}, {quote(line, 40)}, came out only when its "
        "stdin closed and it exited, with no newline after it; a line reader takes a message "
        "only at its newline, and a stdout that writes at each newline (Rust's and Tcl's, "
        "even on a pipe) holds a line that never ends until the program does"
    )
    fix = (
        "End each message with a newline, and flush it: in Rust `println!` (not `print!`) "
        "then `io::stdout().flush()`; in Tcl `puts` without `-nonewline`; in Python "
        "`print(json.dumps(answer), flush=True)`."
    )
    return confirmed(verdict, fix, *ev)


def _protocol_words(
    obs: Observations, name: str, verdict: str, fix: str, ev: list[Evidence]
) -> tuple[str, str]:
    """The verdict and fix, told the protocol when the answer in framing `name` is another
    protocol's (its quote added to `ev`): changing only the framing would fail again."""
    other = _other_protocol(obs, name) or _framing_speaker(obs, name) or _own_words(obs, name)
    if other is None:
        return verdict, fix
    protocol, clause, said = other
    ev.extend(said)
    verdict += f"; {clause}"
    fix = (
        f"Speak {protocol} to it (`poolctl ping --protocol {protocol}`; in a pool, "
        f"`worker.protocol: {protocol}`): the protocol sets the framing too ({name}). "
        f"Changing only the framing leaves it spoken {obs.protocol}."
    )
    return verdict, fix


def _other_protocol(obs: Observations, name: str) -> tuple[str, str, list[Evidence]] | None:
    """The protocol the worker speaks, told by its answer to our opening in framing `name`
    (a language server's capabilities without MCP's protocolVersion; the MCP SDK's refusal of
    LSP's initialize for want of it), when that protocol's own framing is `name`."""
    protocol = obs.worker.protocol
    if obs.failed.request.command != protocol.opening().method:
        return None
    outcome = result(obs, f"framing-{name}")
    raw = outcome.response if outcome is not None else None
    if outcome is None or not isinstance(raw, dict):
        return None
    if "error" in raw:
        why = protocol.refusal_hint(json.dumps(raw["error"]))
    else:
        why = protocol.opening_problem(raw.get("result"))
    speaks = re.search(r"speak (\w+) to it", why)
    if speaks is None or speaks[1] not in PROTOCOLS or PROTOCOLS[speaks[1]].framing != name:
        return None
    where = f"{obs.rel(obs.worker.capture_dir)}/{outcome.worker_id}.stdout.bin"
    said = Evidence(
        quote(json.dumps(raw).encode(), 100), where, f"its answer to the {name} opening"
    )
    clause = f"its answer there is not {protocol.server_noun}'s: {why.split(': speak ')[0]}"
    return speaks[1], clause, [said]


def _own_words(obs: Observations, name: str) -> tuple[str, str, list[Evidence]] | None:
    """The protocol whose own notifications the worker writes in framing `name`, when our
    opening there was refused (see talking.own_notification): its words name it."""
    outcome = result(obs, f"framing-{name}")
    raw = outcome.response if outcome is not None else None
    if outcome is None or not isinstance(raw, dict) or "error" not in raw:
        return None
    found = own_notification(obs.pending, name, obs.protocol)
    if found is None:
        return None
    protocol, method, said = found
    refusal = json.dumps(raw).encode()
    clause = (
        f"it writes `{method}`{f' {said!r}' if said else ''}, {protocol}'s own notification, "
        f"and in a fresh process in {name} framing it refused our {obs.failed.request.command} "
        f"({_error_words(refusal)}): it is {PROTOCOLS[protocol].server_noun}"
    )
    where = f"{obs.rel(obs.worker.capture_dir)}/{outcome.worker_id}.stdout.bin"
    said_ev = Evidence(quote(refusal, 100), where, f"its answer to the {name} opening")
    return protocol, clause, [said_ev]


def _framing_speaker(obs: Observations, name: str) -> tuple[str, str, list[Evidence]] | None:
    """The protocol whose own framing is `name` and whose opening got its server's answer in a
    fresh process, when our request in `name` did not (a dspex ping to pyright's language
    server): that framing alone is no fix."""
    for protocol in framing_speakers(name, obs.protocol, obs.failed.request.command):
        outcome = answer_as(obs, protocol)
        if outcome is None or outcome.response is None:
            continue
        opening = PROTOCOLS[protocol].opening().method
        noun = PROTOCOLS[protocol].server_noun
        clause = f"in a fresh process the {protocol} opening ({opening}) there gets {noun}'s answer"
        where = f"{obs.rel(obs.worker.capture_dir)}/{outcome.worker_id}.stdout.bin"
        said = Evidence(
            quote(json.dumps(outcome.response).encode(), 100),
            where,
            f"its answer to the {protocol} opening",
        )
        return protocol, clause, [*experiment_evidence(obs, f"protocol-{protocol}"), said]
    return None


def _answered_at_end_of_input(obs: Observations, line: bytes, offset: int) -> Judgement:
    """It answered in a JSON line once its stdin closed: it reads lines, and the request's
    message ended its line only at end of input."""
    size = len(obs.request_frame)
    verdict = (
        f"The worker speaks line framing (one JSON message a line), not {obs.framing}: it read "
        f"the {size}-byte {obs.framing} request and answered it only when its stdin closed, "
        "which ended the line the message was on"
    )
    fix = (
        f"Use one framing on both sides: line (`poolctl ping --framing line`, newline-delimited "
        f"JSON; in a pool, `worker.framing: line`), or make the worker speak {obs.framing}."
    )
    refused = _error_words(line)
    if refused:  # read whole, it refused the request: the framing alone does not make it answer
        verdict += f", with an error, {refused}: once read whole, the request was refused"
        fix += f" In line framing it refuses this request too ({refused})"
        others = [
            name
            for name, p in PROTOCOLS.items()
            if p.handshake and p.framing == "line" and name != obs.protocol
        ]
        if others and obs.worker.protocol.handshake:
            fix += (
                f": a server reading JSON lines may speak {others[0]} (`poolctl ping --protocol "
                f"{others[0]}` tells)"
            )
        fix += "."
    start = bytes(obs.worker.transcript.data).find(line[:64], offset)
    where = obs.stdout_origin + (f" bytes {start}-{start + len(line) - 1}" if start >= 0 else "")
    note = "its answer to the request, a JSON line written once its stdin closed"
    ev = [Evidence(quote(line, 80, obs.worker.redactor), where, note)]
    return confirmed(verdict, fix, *ev, *experiment_evidence(obs, "framing-line"))


def _error_words(line: bytes) -> str:
    """`-32602 'Invalid request parameters'` when the JSON `line` is an error reply, else ""."""
    try:
        message = json_text.loads(line)
    except ValueError:
        return ""
    error = message.get("error") if isinstance(message, dict) else None
    if not isinstance(error, dict) or "result" in message:
        return ""
    code = error.get("code")
    text = str(error.get("message", ""))[:100]
    return " ".join(w for w in (str(code) if code is not None else "", repr(text)) if w)


def _framing_words(name: str) -> str:
    """`, {packet, 4} in open_port` / `, newline-delimited JSON` / `, Content-Length headers`."""
    framing = FRAMINGS[name]
    if framing.header_size:
        return f", `{{packet, {framing.header_size}}}` in open_port"
    if framing.kind == "content-length":
        return ", a `Content-Length: N` header and an empty line before each message"
    return ", newline-delimited JSON"
