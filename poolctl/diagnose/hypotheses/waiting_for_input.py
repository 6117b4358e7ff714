"""Waiting for input: the worker read the request and is blocked reading stdin for more, and
no framing poolctl knows gets an answer: the request was not a complete message for it."""

from __future__ import annotations

from poolctl.framing import quote
from poolctl.languages import PHP, command_language
from poolctl.model import Evidence

from ..asks import failure_to_reach
from ..end_of_input import EndOfInput, reads_to_end
from ..exited_plan import late_speaker
from ..experiments import refusal
from ..judgement import Judgement, confirmed, hypothesis, ruled_out, untested
from ..observe import Observations
from ..outcomes import (
    BUFFER_EXPERIMENTS,
    answered,
    answering_protocols,
    buffer_answered,
    experiment_evidence,
    framing_worked,
    framings_all_silent,
    other_framings,
    result,
    skips_first,
)
from ..prompts import password_prompt
from ..read_ahead import read_ahead
from ..readings import (
    answered_before,
    echoed,
    ended,
    live_origin,
    request_unread,
    stack_evidence,
    stdout_words,
    still_working,
    stream_kind,
    where_words,
)
from ..talking import talking_protocol
from ..unended_line import unended_line
from .answers_on_stderr import stderr_answer
from .blocked_writing import nonblocking_cut

ID = "waiting-for-input"


@hypothesis(ID)
def waiting_for_input(obs: Observations) -> Judgement:
    if why := ended(obs):
        return ruled_out(why)
    if stream_kind(obs) in ("text", "framing"):
        return ruled_out("bytes arrived on stdout (quoted above)")
    live = obs.live
    if live is None:
        return untested("the live process could not be inspected")
    if live.blocked_writers:
        return ruled_out("it is blocked writing, not reading")
    if nonblocking_cut(obs) is not None:
        return ruled_out(
            "it cut its own answer short, its stdout non-blocking (see blocked-writing): the "
            "request was a whole message for it"
        )
    if request_unread(obs):
        return ruled_out("it has not read the request yet")
    if unended_line(obs):
        return ruled_out(
            "it answered, and waits for the next message: its line never ended (see framing)"
        )
    if stderr_answer(obs) is not None:
        return ruled_out("it answered, but on stderr (see answers-on-stderr), and waits on")
    wait = live.stdin_wait()
    if wait is None:
        return ruled_out(f"it is not waiting for input: {where_words(obs)}")
    waits = Evidence(wait.text, live_origin(obs))
    if echoed(obs) is not None:
        return ruled_out("it waits for the next message: it wrote the request back (see envelope)")
    if obs.worker.stray:
        return ruled_out(
            "it waits for the next message: it answered, though not as the answer (see envelope)"
        )
    if obs.late_answer is not None:  # as framing and buffered read it
        took = obs.late_answer - obs.request_sent_at
        return ruled_out(
            f"it answered the request after all, by {took:.1f} s after it, its stdin still open: "
            "the request was a whole message for it",
            waits,
        )
    probe = obs.close_probe
    replay = result(obs, "replay")
    # an error a fresh process answers a handshake protocol's request with, no session opened
    # (arxiv-mcp-server's tools/call: 'Invalid request parameters'), is no answer to it
    fresh = replay is not None and not refusal(replay, obs.worker.protocol.handshake)
    if replay is not None and replay.answered and fresh:  # first: a buffer would have held it too
        return ruled_out(
            f"a fresh process answered the same request ({replay.detail}): the failure did not "
            "reproduce",
            waits,
        )
    buffered = any(buffer_answered(obs, e) for e in BUFFER_EXPERIMENTS)
    if buffered:
        return ruled_out(
            "it waits for the next request: it had answered, into a buffer (see buffered)", waits
        )
    if (shown := reads_to_end(obs)) is not None:
        spec = obs.worker.spec
        if command_language(spec.argv, spec.cwd) is PHP:  # or its output buffer: unbounded
            return _reads_to_end_or_php_buffer(len(obs.request_frame), shown.evidence)
        if shown.buffer_above:
            return _reads_to_end_or_large_buffer(len(obs.request_frame), shown)
        return _reads_to_end(len(obs.request_frame), shown.evidence)
    # its answer came as its stdin closed, no buffering change releasing it: held in a buffer or
    # a handler slower than the timeout finishing then (a loaded machine's), it read a whole one
    came = probe.at if probe is not None and probe.answered else obs.answer_after_close
    if came is not None:
        took = came - obs.request_sent_at
        return ruled_out(
            f"it answered the request after all, once its stdin had closed (by {took:.1f} s "
            "after it): the request was a whole message for it",
            waits,
        )
    if obs.worker.protocol.handshake and (answered_before := _answered_before(obs)):
        return answered_before  # its handshake: the protocol a fresh process answers is moot
    # the one envelope names, which this points to (answered past its wait: a slow start)
    speaks = answering_protocols(obs) or [p for p in [late_speaker(obs)] if p]
    if speaks:
        return ruled_out(
            f"it waits for the next message: {speaks[0]} gets an answer (see envelope)",
            waits,
        )
    others = [f for f in other_framings(obs) if framing_worked(obs, f)]
    if probe is not None and probe.line_answer and obs.framing != "line":
        others = ["line"]  # it answered in a line once its stdin closed (see framing)
    if others and not answered(obs, "replay"):
        return ruled_out(
            f"it waits for the rest of a {others[0]} frame: the framing mismatch above", waits
        )
    if answered_before := _answered_before(obs):
        return answered_before
    if working := still_working(obs):  # an event loop waits on stdin while a task works
        return ruled_out(f"it is busy with the request, not waiting for more of it: {working}")
    size = len(obs.request_frame)
    if (prompt := password_prompt(obs)) is not None:
        return _at_prompt(obs, prompt.asked_at, prompt.question, size)
    if ahead := read_ahead(live):
        return untested(
            f"{ahead}: a thread reading ahead goes back to its read after each whole message "
            "it hands on, so the read does not tell a request cut short from one handed to a "
            "main thread still at work (a start-up not over, or a slow handler)"
        )
    ev = [
        Evidence(wait.text, live_origin(obs), "blocked on stdin after the request was sent"),
        Evidence(
            f"all {size} request bytes left its stdin pipe: it read the request",
            "FIONREAD on the stdin pipe",
        ),
        *stack_evidence(obs),
    ]
    if probe is not None:
        ev.append(
            Evidence(
                "when its stdin closed it "
                + (probe.exit.describe() if probe.exit else "kept running")
                + (
                    f" and wrote {quote(probe.flushed, 40)}"
                    if probe.flushed
                    else " and wrote nothing more" + stdout_words(obs, probe.offset)
                ),
                obs.stdout_origin,
            )
        )
    framings = [f"framing-{f}" for f in other_framings(obs)]
    ev += experiment_evidence(obs, "replay", *framings)
    if (skipped := _first_set_apart(obs)) is not None:
        verdict = (
            f"The worker read the {size}-byte request and waits for the next without answering "
            "it: it takes its first message as something else (a configuration, a "
            "handshake), and answers only those after it"
        )
        fix = (
            "Answer every request, the first too: a pool's first message is a request (its "
            "init ping) whose answer it waits for. Take the worker's configuration from its "
            "arguments or environment, or have the pool send the message it reads first."
        )
        return confirmed(verdict, fix, *ev, skipped)
    if (unreached := _unreached(obs)) is not None:  # a connection it needs failed instead
        ev.append(unreached)
        verdict = (
            f"The worker read the {size}-byte request and waits without answering "
            f"({wait.text.split(') ', 1)[-1]}); its stderr reports `{unreached.text}`: a "
            "connection or a name lookup it needs failed, and it answers nothing instead"
        )
        fix = (
            f"Make reachable what it connects to (`{unreached.text}`): the service it hands "
            "requests on to, or point the server at one that runs (its URL argument, setting or "
            "environment variable); no framing or envelope makes it answer while that fails "
            "(untested: no copy was started with it reachable)."
        )
        return confirmed(verdict, fix, *ev)
    verdict = (
        f"The worker read the {size}-byte request and waits for more input without answering "
        f"({wait.text.split(') ', 1)[-1]}): the request was not a complete message for it"
    )
    if framings_all_silent(obs):  # a slow start: the experiments showed nothing either way
        tried = (
            f" (in fresh processes no framing got anything within {obs.timeout:g} s, its own "
            "included, which shows nothing either way: `poolctl ping --timeout 30 --framing "
            "auto` tries each with the time a slow start needs)"
        )
    elif any(f in obs.results for f in framings):
        tried = " (no framing poolctl knows got an answer)"
    else:
        tried = " (`poolctl ping --framing auto` tries each)"
    fix = (
        f"Check what the worker expects to read: its framing{tried}, its request envelope, and "
        "that it answers this command; its stderr may say more."
    )
    if (talking := talking_protocol(obs)) is not None:  # a slow server of another protocol
        verdict += f"; {talking.reason()}"
        fix = talking.fix(obs.timeout)
        ev.append(talking.evidence(obs))
    return confirmed(verdict, fix, *ev)


def _unreached(obs: Observations) -> Evidence | None:
    """Its stderr's first line saying a connection or a name lookup failed: @stripe/mcp 0.3.3,
    a proxy to Stripe's service, logs `getaddrinfo ENOTFOUND mcp.stripe.com` for the request
    it read, offline, and answers nothing. None when it says none."""
    line = failure_to_reach(obs.stderr_after_wait or obs.stderr_text)
    if line is None:
        return None
    note = "the first stderr line saying a connection, a name lookup or a download failed"
    return Evidence(line, obs.stderr_origin, note)


def _first_set_apart(obs: Observations) -> Evidence | None:
    """A fresh process sent many requests at once answered every one but the first: it takes
    its first message for something other than a request. None when it is not so."""
    many = result(obs, "many")
    if many is None or not skips_first(many):
        return None
    n = many.experiment.requests
    return Evidence(
        f"with {n} requests sent at once, a fresh process answered {n - 1:,}: every one but "
        "the first, its first answer to id 2",
        f"{obs.rel(obs.worker.capture_dir)}/{many.worker_id}.stdout.bin",
    )


def _reads_to_end(size: int, shown: list[Evidence]) -> Judgement:
    """It waits for the end of its input, then answers: a pool never closes it."""
    verdict = (
        f"The worker answers only once its stdin ends: it read the {size}-byte request, "
        "waited for more input, and its answer came out as its stdin closed; a pool keeps its "
        "workers' stdin open, so no answer comes"
    )
    fix = (
        "Read one message at a time and answer it before reading the next: a line with "
        "`sys.stdin.readline()` or `for line in sys.stdin:` (Node: `readline.createInterface"
        "({input: process.stdin})` and its 'line' events), a length-prefixed frame as its "
        "header and then exactly the length it gives. `sys.stdin.read()`, `readlines()`, "
        "`json.load(sys.stdin)` and Node's `process.stdin.on('end')` wait for the end of all "
        "input."
    )
    return confirmed(verdict, fix, *shown)


def _reads_to_end_or_large_buffer(size: int, shown: EndOfInput) -> Judgement:
    """Many requests at once got no answer before a fresh process's stdin closed, and no stack
    shows a read of the whole input: a stdout buffer of the worker's own, larger than those
    answers, flushed only as it exits, holds them the same way (a 1 MiB `open(1, "w",
    buffering=1 << 20)`)."""
    held, n = shown.buffer_above, shown.requests
    verdict = (
        f"The worker answers only once its stdin ends: it read the {size}-byte request, "
        "waited for more input, and its answer came out as its stdin closed, as the answers "
        f"to {n} requests at once ({held:,} bytes) did in a fresh process; either it reads "
        "its whole input before it answers, or a stdout buffer of its own larger than "
        f"{held:,} bytes holds its answers until it exits: nothing seen here tells them apart "
        "(untested); a pool keeps its workers' stdin open, so no answer comes"
    )
    fix = (
        "Find which of the two it is (not told apart from outside): a read of the whole input "
        "(`sys.stdin.read()`, `readlines()`, `json.load(sys.stdin)`, Node's "
        "`process.stdin.on('end')`) waits for its end: read one message at a time (a line "
        "with `sys.stdin.readline()` or `for line in sys.stdin:`, Node's `readline` 'line' "
        f"events); a stdout buffer larger than {held:,} bytes (`open(1, 'w', buffering=...)`, "
        "`setvbuf`, a `BufferedWriter` or `BufWriter` of its own) holds every answer until "
        "it exits: flush it after each answer."
    )
    return confirmed(verdict, fix, *shown.evidence)


def _reads_to_end_or_php_buffer(size: int, shown: list[Evidence]) -> Judgement:
    """A PHP worker whose answer came out only as its stdin closed: it read all its input
    first, or its output buffer (`ob_start()` with no size, or `output_buffering` set) held
    what `echo` wrote until the script ended. Neither fills and flushes with many requests,
    and both wait in a read of stdin: nothing seen from outside tells them apart."""
    verdict = (
        f"The worker answers only once its stdin ends: it read the {size}-byte request, "
        "waited for more input, and its answer came out as its stdin closed; in PHP an output "
        "buffer (`ob_start()`) holds what `echo` writes until the script ends, as a read of "
        "all its input waits for that end, and a pool keeps its workers' stdin open, so no "
        "answer comes"
    )
    fix = (
        "Find which of the two it is (not told apart from outside): an output buffer started "
        "by `ob_start()` (or `output_buffering` in php.ini) holds every answer `echo` writes "
        "until the script ends: write each with `fwrite(STDOUT, …)`, or call `ob_flush()` "
        "after each, or end the buffer with `ob_end_flush()`; a read of the whole input "
        "(`stream_get_contents(STDIN)`, `file_get_contents('php://stdin')`) waits for its "
        "end: read one message at a time (`fgets(STDIN)` for a line)."
    )
    return confirmed(verdict, fix, *(e for e in shown if "would have filled" not in e.note))


def _at_prompt(obs: Observations, asked_at: str, question: str, size: int) -> Judgement:
    """It asks for a secret with getpass: with no terminal, the reply is read from stdin, so
    the request went to the prompt."""
    verdict = (
        f"The worker waits at a password prompt: getpass at {asked_at} asks for a secret and, "
        f"with no terminal to ask on, reads the reply from its stdin: it took the {size}-byte "
        "request as the reply and waits for the end of its line"
    )
    fix = (
        "Give the worker its secret without a prompt: from an environment variable "
        "(`--env NAME=...` here), a file or a secrets manager; a worker started without a "
        "terminal has none to ask on, so getpass reads its stdin, where the requests come."
    )
    ev = [*stack_evidence(obs)]
    # Quoted without its closing colon: `password: …` reads as a secret to the redactor, which
    # would hide the rest of the line.
    words = question.strip().rstrip(":").rstrip()
    if words:
        said = f"its stderr ends with the prompt {quote(words.encode(), 60)}"
        ev.append(
            Evidence(
                said + (" and a colon" if words != question.strip() else ""), obs.stderr_origin
            )
        )
    return confirmed(verdict, fix, *ev)


def _answered_before(obs: Observations) -> Judgement | None:
    """Its framing and envelope work: it answered earlier requests of the session framed as
    this one, which was whole too."""
    n = answered_before(obs)
    if not n:
        return None
    return ruled_out(f"it answered {n} earlier request(s) of this session framed as this one")
