"""The hypotheses of pattern 1, each judged against the observations: confirmed, ruled out
(with the evidence that rules it out) or untested (with why).

Each hypothesis is one small function in `HYPOTHESES`, in the order the verdict prefers them.
They are written to exclude each other for a single fault: where two could claim the same
evidence (a worker blocked reading stdin because it expects another framing), the more
specific one confirms and the other says why the evidence is the first one's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from poolctl.framing import DEFAULT_MAX_FRAME, FRAMINGS, quote
from poolctl.model import Evidence, Hypothesis, HypothesisStatus

from .experiments import Outcome, Skipped
from .observe import Blocked, Observations
from .pystack import NoStack, PyStack

_EXCEPTION_LINE = re.compile(
    r"^(?:[\w.]+(?:Error|Exception|Exit|Interrupt)|[\w.]+Warning)\b.*$", re.M
)


def exception_line(stderr: str) -> str | None:
    """The last `SomeError: message` line of a Python traceback in `stderr`, if any."""
    if "Traceback (most recent call last)" not in stderr:
        return None
    found = _EXCEPTION_LINE.findall(stderr)
    return found[-1] if found else None


@dataclass(frozen=True)
class Judgement:
    """A hypothesis judged, and for a confirmed one the verdict and the fix."""

    hypothesis: Hypothesis
    verdict: str = ""
    remediation: str = ""


def _h(
    hid: str, title: str, status: HypothesisStatus, reason: str = "", *ev: Evidence
) -> Hypothesis:
    return Hypothesis(hid, title, status, tuple(ev), reason)


def _ruled_out(hid: str, title: str, reason: str, *ev: Evidence) -> Judgement:
    return Judgement(_h(hid, title, "ruled-out", reason, *ev))


def _untested(hid: str, title: str, reason: str) -> Judgement:
    return Judgement(_h(hid, title, "untested", reason))


def _confirmed(
    hid: str, title: str, verdict: str, remediation: str, *ev: Evidence, reason: str = ""
) -> Judgement:
    return Judgement(_h(hid, title, "confirmed", reason, *ev), verdict, remediation)


# --- shared readings of the observations -----------------------------------------------------


def exited(obs: Observations) -> bool:
    return obs.exit_before is not None


def stream_kind(obs: Observations) -> str:
    """`none`, `text` (text or binary junk), `framing` (a frame of another framing), `partial`."""
    e = obs.explanation
    if e is None:
        return "none"
    if e.kind in ("text", "binary"):
        return "text"
    if e.kind in ("other-framing", "line-json", "json-without-header"):
        return "framing"
    return "partial"


def silent(obs: Observations) -> bool:
    """Alive, and nothing (or only part of a frame) came back."""
    return not exited(obs) and stream_kind(obs) in ("none", "partial")


def request_unread(obs: Observations) -> bool | None:
    """True when the whole request still sits in the stdin pipe; None when unknown."""
    live = obs.live
    if live is None or live.stdin_unread is None:
        return None
    return live.stdin_unread >= len(obs.request_frame)


def result(obs: Observations, eid: str) -> Outcome | None:
    r = obs.results.get(eid)
    return r if isinstance(r, Outcome) else None


def answered(obs: Observations, eid: str) -> bool:
    r = result(obs, eid)
    return r is not None and r.answered


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


def first_line(data: bytes, limit: int = 80) -> str:
    line = data.split(b"\n", 1)[0].rstrip(b"\r")
    return quote(line, limit)


def stack_evidence(obs: Observations) -> list[Evidence]:
    """Where the worker is: its Python stack in words, else what /proc says."""
    live = obs.live
    if live is None:
        return []
    origin = obs.rel(live.stack_file) if live.stack_file else "/proc"
    where = live.where()
    out = []
    if where is not None:
        out.append(Evidence(f"its Python stack is {where.summary}", origin))
    else:
        reasons = [s.reason for s in live.stacks if isinstance(s, NoStack)]
        why = f" (no Python stack: {reasons[0]})" if reasons else ""
        out.append(Evidence(live.activity() + why, origin))
    return out


def where_words(obs: Observations) -> str:
    live = obs.live
    if live is None:
        return ""
    where = live.where()
    return where.summary if where is not None else live.activity()


# --- 1. crashed --------------------------------------------------------------------------------

CRASHED = "Crashed: the process exited"


def crashed(obs: Observations) -> Judgement:
    status = obs.exit_before
    if status is None:
        live = obs.live
        alive = live.leader.describe() if live is not None and live.leader else "still running"
        return _ruled_out(
            "crashed", CRASHED, f"the process was alive when the answer was due: {alive}"
        )
    pid = obs.worker.pid
    ev = [Evidence(f"pid {pid} {status.describe()}", f"pid {pid}", "how the process ended")]
    exc = exception_line(obs.stderr_text)
    origin = obs.stderr_origin if not obs.merged else obs.stdout_origin
    tail = [ln for ln in obs.stderr_text.splitlines() if ln.strip()][-5:]
    if tail:
        ev.append(Evidence("\n".join(tail), origin, "the end of its stderr"))
    if exc:
        ev.append(Evidence(exc, origin, "the exception that ended it"))
    if obs.pending and not obs.merged:
        ev.append(Evidence(quote(obs.pending), obs.pending_origin(), "what it wrote to stdout"))
    verdict = f"The worker exited before answering: pid {pid} {status.describe()}"
    if exc:
        verdict += f", after the exception `{exc}`"
    elif status.signal is not None:
        verdict += " (a signal from outside: the OOM killer, a supervisor or a user)"
    argv = " ".join(obs.worker.spec.argv)
    fix = (
        f"Fix the error it reports (`{exc}`); run `{argv}` by hand to see it happen."
        if exc
        else f"Find why it exits: run `{argv}` by hand and read its stderr "
        f"({obs.stderr_origin}); a worker must stay up and answer its first request."
    )
    return _confirmed("crashed", CRASHED, verdict, fix, *ev)


# --- 2. text on the framed stream: stderr merged, or the worker prints to stdout ----------------

MERGED = "Stderr merged into stdout: its text on the framed stream"
PRINTS = "Prints to stdout: text on the framed stream"


def _text_evidence(obs: Observations) -> Evidence:
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


def _header_words(obs: Observations) -> str:
    e = obs.explanation
    if e is None or e.declared_length is None:
        return ""
    return (
        f", and its first {len(e.header)} bytes {quote(e.header)} read as a "
        f"{obs.framing} length of {e.declared_length:,} bytes"
    )


def _merge_sources(obs: Observations) -> list[Evidence]:
    """Evidence that stderr reaches the stdout pipe."""
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


def _apart(obs: Observations) -> Outcome | None:
    return result(obs, "stderr-apart")


def _text_in_stderr_when_apart(obs: Observations) -> bool | None:
    """With stderr kept apart: True if the text went to stderr (and not stdout)."""
    r = _apart(obs)
    if r is None:
        return None
    line = obs.pending.split(b"\n", 1)[0].strip()
    if not line:
        return None
    text = line.decode("utf-8", "replace")
    return text in r.stderr_head and line not in r.stdout_head


def stderr_merged(obs: Observations) -> Judgement:
    if exited(obs):
        return _ruled_out("stderr-merged", MERGED, "the worker exited (see crashed)")
    kind = stream_kind(obs)
    if kind != "text":
        why = (
            "nothing but part of a frame arrived on stdout"
            if kind in ("none", "partial")
            else "the bytes on stdout are a frame of another framing, not text"
        )
        return _ruled_out("stderr-merged", MERGED, why)
    sources = _merge_sources(obs)
    apart = _text_in_stderr_when_apart(obs)
    if not sources:
        where = (
            f"stderr is captured apart ({obs.stderr_origin}) and no process of the worker has "
            "its stderr on the stdout pipe"
            if obs.worker.spec.stderr.value == "capture"
            else "stderr is discarded, not merged"
        )
        return _ruled_out("stderr-merged", MERGED, where)
    if apart is False:
        r = _apart(obs)
        assert r is not None
        return _ruled_out(
            "stderr-merged",
            MERGED,
            "with stderr kept apart the same text still came on stdout: the worker prints it",
            Evidence(r.sentence(), r.worker_id),
        )
    ev = [_text_evidence(obs), *sources]
    r = _apart(obs)
    if r is not None and apart:
        ev.append(
            Evidence(
                f"{r.sentence()}; the text went to its stderr",
                f"{obs.rel(obs.worker.capture_dir)}/{r.worker_id}.stderr.log",
            )
        )
    line = first_line(obs.pending)
    verdict = (
        f"The worker's stderr is merged into stdout: its stderr line {line} arrived on the "
        f"framed stream{_header_words(obs)}"
    )
    fix = (
        "Keep stderr apart from the framed stdout: drop `:stderr_to_stdout` from the port "
        "options (or `stderr=subprocess.STDOUT` / `2>&1`; with poolctl: `--stderr capture`) and "
        "read or log stderr separately; or have the worker log to a file."
    )
    return _confirmed("stderr-merged", MERGED, verdict, fix, *ev)


def stdout_print(obs: Observations) -> Judgement:
    if exited(obs):
        return _ruled_out("stdout-text", PRINTS, "the worker exited (see crashed)")
    kind = stream_kind(obs)
    if kind != "text":
        why = (
            "no text arrived on stdout"
            if kind in ("none", "partial")
            else "the bytes on stdout are a frame of another framing, not text"
        )
        if obs.worker.stray:
            why += f" (set aside as answering nothing: {obs.worker.stray[0]})"
        return _ruled_out("stdout-text", PRINTS, why)
    sources = _merge_sources(obs)
    apart = _text_in_stderr_when_apart(obs)
    if sources and not obs.merged:
        return _untested(
            "stdout-text",
            PRINTS,
            "the worker merges its own stderr into stdout, so no experiment can keep them "
            "apart; the text is a stderr line if it reads like a log or warning",
        )
    if sources and apart is None:
        return _untested(
            "stdout-text",
            PRINTS,
            "stderr is merged into stdout, so its text cannot be told from stdout's without "
            "a fresh process with stderr kept apart"
            + (" (skipped: --no-experiments)" if not obs.experiments_enabled else ""),
        )
    if sources and apart:
        r = _apart(obs)
        assert r is not None
        return _ruled_out(
            "stdout-text",
            PRINTS,
            f"with stderr kept apart the text went to stderr ({r.sentence()})",
        )
    ev = [_text_evidence(obs)]
    if not sources and obs.worker.spec.stderr.value == "capture":
        ev.append(
            Evidence(
                "stderr is captured apart and no process of the worker writes stderr to the "
                "stdout pipe: the text was written to stdout",
                obs.stderr_origin,
            )
        )
    if obs.answer_behind:
        ev.append(
            Evidence(
                "its answer arrived right behind the text: the text alone broke the stream",
                obs.stdout_origin,
            )
        )
    verdict = (
        f"The worker prints text to its framed stdout: {first_line(obs.pending)} arrived "
        f"before its first frame{_header_words(obs)}"
    )
    fix = (
        "Send banners and logs to stderr (`print(..., file=sys.stderr)`, logging to stderr, "
        "`console.error` in Node, `io:format(standard_error, …)` in Erlang) and keep stdout "
        "for frames only; in Python, take `sys.stdout.buffer` for frames and point "
        "`sys.stdout` at stderr so a stray print cannot reach the stream."
    )
    return _confirmed("stdout-text", PRINTS, verdict, fix, *ev)


# --- 3. framing mismatch ---------------------------------------------------------------------

FRAMING = "Framing mismatch: it speaks another framing"


def _other_framings(obs: Observations) -> list[str]:
    return [name for name in FRAMINGS if name != obs.framing]


def framing_mismatch(obs: Observations) -> Judgement:
    title = FRAMING
    if exited(obs):
        return _ruled_out("framing", title, "the worker exited (see crashed)")
    kind = stream_kind(obs)
    e = obs.explanation
    if kind == "framing" and e is not None:
        speaks = e.other_framing or "JSON without a length header"
        ev = [Evidence(quote(obs.pending), obs.pending_origin(), e.text)]
        verify = f"framing-{e.other_framing}" if e.other_framing in FRAMINGS else ""
        ev += experiment_evidence(obs, verify) if verify else []
        if e.kind == "json-without-header":
            verdict = (
                f"The worker writes JSON without a {obs.framing} length header: "
                f"{quote(obs.pending, 40)}{_header_words(obs)}"
            )
            fix = (
                f"Have the worker frame its answers in {obs.framing} (a "
                f"{FRAMINGS[obs.framing].header_size}-byte big-endian length before each "
                "JSON message), or read it as line framing if it ends each message with a newline."
            )
        else:
            verdict = (
                f"The worker answers in {speaks}, not {obs.framing}: its reply "
                f"{quote(obs.pending, 24)} is {e.text.split(':')[0]}"
            )
            size = FRAMINGS[obs.framing].header_size
            if size and len(obs.pending) >= size:
                length = int.from_bytes(obs.pending[:size], "big")
                verdict += (
                    f", whose first {size} bytes a {obs.framing} reader takes as a length "
                    f"of {length:,}"
                )
            fix = (
                f"Use one framing on both sides: {speaks} here (`poolctl ping --framing "
                f"{e.other_framing}`, `{{packet, {FRAMINGS[e.other_framing].header_size}}}` "
                f"in open_port), or make the worker speak {obs.framing}."
                if e.other_framing in FRAMINGS and FRAMINGS[e.other_framing].header_size
                else f"Use one framing on both sides: {speaks} here, or make the worker "
                f"speak {obs.framing}."
            )
        return _confirmed("framing", title, verdict, fix, *ev)
    if kind == "text":
        return _ruled_out(
            "framing", title, "the bytes on stdout are text, not a frame in any framing"
        )
    if obs.live is not None and obs.live.blocked_writers:
        return _untested("framing", title, "the worker is blocked writing (see blocked writing)")
    if request_unread(obs):
        return _untested(
            "framing", title, "the worker has not read the request yet, so its framing is moot"
        )
    probe = obs.close_probe
    if probe is not None and probe.answered:
        return _ruled_out(
            "framing",
            title,
            f"its held-back answer is a valid {obs.framing} frame ({quote(probe.flushed, 40)})",
        )
    if obs.late_answer is not None:
        return _ruled_out("framing", title, f"its late answer is a valid {obs.framing} frame")
    if obs.live is not None and obs.live.stdin_wait() is None:
        return _untested(
            "framing", title, f"it is busy with the request, not waiting: {where_words(obs)}"
        )
    others = [f for f in _other_framings(obs) if f"framing-{f}" in obs.results]
    worked = [f for f in others if answered(obs, f"framing-{f}")]
    if answered(obs, "replay"):
        r = result(obs, "replay")
        assert r is not None
        return _ruled_out(
            "framing",
            title,
            f"{obs.framing} works: {r.sentence()}",
        )
    if worked:
        name = worked[0]
        ev = []
        live = obs.live
        wait = live.stdin_wait() if live is not None else None
        if live is not None and wait is not None:
            origin = obs.rel(live.stack_file) if live.stack_file else "/proc"
            ev.append(Evidence(wait.text, origin, "it waits for the rest of a frame"))
        ev += experiment_evidence(obs, "replay", *(f"framing-{f}" for f in others))
        size = len(obs.request_frame)
        verdict = (
            f"The worker speaks {name}, not {obs.framing}: it read the {size}-byte "
            f"{obs.framing} request and waits for the rest of a {name} frame, while in a fresh "
            f"process {name} framing gets an answer"
        )
        fix = (
            f"Use one framing on both sides: {name} (`poolctl ping --framing {name}`"
            + (
                f", `{{packet, {FRAMINGS[name].header_size}}}` in open_port"
                if FRAMINGS[name].header_size
                else ", newline-delimited JSON"
            )
            + f"), or make the worker speak {obs.framing}."
        )
        return _confirmed("framing", title, verdict, fix, *ev)
    if others:
        return _ruled_out(
            "framing",
            title,
            "no other framing got an answer in a fresh process either",
            *experiment_evidence(obs, *(f"framing-{f}" for f in others)),
        )
    if not obs.experiments_enabled:
        return _untested(
            "framing",
            title,
            "--no-experiments: each framing needs a fresh process (try `--framing auto`)",
        )
    return _untested("framing", title, "no framing experiment ran")


# --- 4. stdout block-buffered ----------------------------------------------------------------

BUFFERED = "Stdout block-buffered: answers stay in its buffer"
_BUFFER_EXPERIMENTS = ("unbuffered", "pty", "many")


def buffered(obs: Observations) -> Judgement:
    title = BUFFERED
    if exited(obs):
        return _ruled_out("buffered", title, "the worker exited (see crashed)")
    kind = stream_kind(obs)
    if kind in ("text", "framing"):
        if obs.answer_behind or kind == "framing":
            return _ruled_out(
                "buffered", title, "its answer reached the pipe (see the bytes quoted above)"
            )
        return _untested("buffered", title, "the stream broke on other bytes before any answer")
    live = obs.live
    if live is not None and live.blocked_writers:
        return _ruled_out("buffered", title, "it is blocked writing (see blocked writing)")
    if request_unread(obs):
        return _ruled_out(
            "buffered", title, "it has not read the request, so it cannot hold an answer back"
        )
    if obs.late_answer is not None:
        return _ruled_out(
            "buffered", title, "its late answer reached the pipe while its stdin was still open"
        )
    if live is not None and live.stdin_wait() is None:
        return _untested(
            "buffered", title, f"it is busy with the request, not waiting: {where_words(obs)}"
        )
    probe = obs.close_probe
    ran = [eid for eid in _BUFFER_EXPERIMENTS if eid in obs.results]
    helped = [eid for eid in ran if answered(obs, eid)]
    if answered(obs, "replay"):
        return _ruled_out("buffered", title, "a fresh process answered the same request on a pipe")
    if (probe is not None and probe.answered) or helped:
        ev = []
        if probe is not None and probe.answered:
            ev.append(
                Evidence(
                    quote(probe.flushed, 60),
                    f"{obs.stdout_origin} bytes {probe.offset}-"
                    f"{probe.offset + len(probe.flushed) - 1}",
                    "when its stdin closed it exited"
                    + (f" ({probe.exit.describe()})" if probe.exit else "")
                    + " and the answer it had held back came out",
                )
            )
        ev += experiment_evidence(obs, *_BUFFER_EXPERIMENTS)
        if live is not None:
            wait = live.stdin_wait()
            if wait is not None:
                ev.append(
                    Evidence(
                        wait.text,
                        obs.rel(live.stack_file) if live.stack_file else "/proc",
                        "it had answered, and waited for the next request",
                    )
                )
        verdict = "The worker's stdout is block-buffered: nothing reached the pipe"
        if probe is not None and probe.answered:
            verdict += ", yet its answer came out when its stdin closed and it exited"
        proof = next((r for r in (result(obs, e) for e in helped) if r is not None), None)
        if proof is not None:
            label = {
                "unbuffered": "with PYTHONUNBUFFERED=1 (`python -u`)",
                "pty": "with stdout on a terminal",
                "many": f"with {proof.experiment.requests} requests at once",
            }[proof.id]
            verdict += f"; {label} a fresh process answers"
        fix = "Flush stdout after each frame (`sys.stdout.flush()`, `$| = 1` in Perl, "
        fix += "`fflush(stdout)` in C)"
        fix += (
            ", or run the worker with `python -u` (PYTHONUNBUFFERED=1), which is proven to work "
            "here."
            if "unbuffered" in helped
            else "; `python -u` only helps a Python worker."
        )
        pty = result(obs, "pty")
        if pty is not None and not pty.answered and "unbuffered" in helped:
            fix += (
                " A terminal did not help: it writes through the binary layer "
                "(`sys.stdout.buffer`), which a tty does not line-buffer."
            )
        return _confirmed("buffered", title, verdict, fix, *ev)
    if probe is not None and probe.exit is not None and not ran:
        return _ruled_out(
            "buffered",
            title,
            f"when its stdin closed it {probe.exit.describe()} and wrote "
            + (f"only {quote(probe.flushed, 40)}" if probe.flushed else "nothing")
            + ": no answer was held in a buffer",
        )
    if ran:
        why = "no answer under any of the buffering experiments"
        if probe is not None and probe.exit is not None:
            why = f"when its stdin closed it {probe.exit.describe()}, nothing held back; {why}"
        return _ruled_out("buffered", title, why, *experiment_evidence(obs, *ran))
    if not obs.experiments_enabled:
        return _untested(
            "buffered",
            title,
            "--no-experiments, and closing its stdin did not end it, so nothing was flushed",
        )
    return _untested("buffered", title, "no buffering experiment could run")


# --- 5. stuck in initialization --------------------------------------------------------------

INIT = "Stuck in initialization: alive, silent, its request unread"


def stuck_in_init(obs: Observations) -> Judgement:
    title = INIT
    if exited(obs):
        return _ruled_out("stuck-in-init", title, "the worker exited (see crashed)")
    if stream_kind(obs) in ("text", "framing"):
        return _ruled_out("stuck-in-init", title, "it wrote to stdout: it got past start-up")
    live = obs.live
    if live is None:
        return _untested("stuck-in-init", title, "the live process could not be inspected")
    if live.blocked_writers:
        return _ruled_out(
            "stuck-in-init", title, "it is stuck in a write, not in start-up (see blocked writing)"
        )
    unread = request_unread(obs)
    if unread is None:
        return _untested("stuck-in-init", title, "its stdin pipe could not be inspected")
    size = len(obs.request_frame)
    if not unread:
        return _ruled_out(
            "stuck-in-init",
            title,
            f"it read the {size}-byte request: {size - (live.stdin_unread or 0)} of "
            f"{size} bytes left its stdin pipe",
        )
    origin = obs.rel(live.stack_file) if live.stack_file else "/proc"
    ev = [
        Evidence(
            f"the whole {size}-byte request is still unread in its stdin pipe "
            f"({live.stdin_pipe}): it has not started reading",
            "FIONREAD on the stdin pipe",
        ),
        *stack_evidence(obs),
    ]
    if obs.late_answer is not None:
        ev.append(
            Evidence(
                f"start-up took {obs.late_answer:.1f} s against a {obs.timeout:g} s timeout: "
                f"poolctl kept waiting, and it answered {obs.late_answer:.2f} s after it started",
                obs.stdout_origin,
            )
        )
    elif obs.waited_longer is not None:
        ev.append(
            Evidence(
                f"still starting {obs.waited_longer:.1f} s after it started, against a "
                f"{obs.timeout:g} s timeout: poolctl kept waiting and no answer came",
                obs.stdout_origin,
            )
        )
    else:
        ev.append(
            Evidence(
                f"{live.elapsed:.1f} s into start-up against a {obs.timeout:g} s timeout",
                origin,
            )
        )
    where = live.where()
    place = f", and it is {where.summary}" if where is not None else f"; {live.activity()}"
    verdict = (
        f"The worker is stuck in initialization: {live.elapsed:.1f} s after it started "
        f"(timeout {obs.timeout:g} s) it has not read its request{place}"
    )
    measured = (
        f"above the measured {obs.late_answer:.1f} s"
        if obs.late_answer is not None
        else "above how long its start-up takes"
    )
    if where is not None and where.importing:
        fix = (
            f"Move the heavy `import {where.importing}` after the first answer (answer the init "
            f"ping, then import lazily), or raise the init timeout {measured}."
        )
    else:
        fix = (
            "Answer the init ping before the slow start-up work, or raise the init timeout "
            f"{measured}."
        )
    return _confirmed("stuck-in-init", title, verdict, fix, *ev)


# --- 6. waiting for input --------------------------------------------------------------------

WAITING = "Waiting for input: it read the request and waits for more"


def waiting_for_input(obs: Observations) -> Judgement:
    title = WAITING
    if exited(obs):
        return _ruled_out("waiting-for-input", title, "the worker exited (see crashed)")
    kind = stream_kind(obs)
    if kind in ("text", "framing"):
        return _ruled_out("waiting-for-input", title, "bytes arrived on stdout (quoted above)")
    live = obs.live
    if live is None:
        return _untested("waiting-for-input", title, "the live process could not be inspected")
    if live.blocked_writers:
        return _ruled_out("waiting-for-input", title, "it is blocked writing, not reading")
    if request_unread(obs):
        return _ruled_out("waiting-for-input", title, "it has not read the request yet")
    wait = live.stdin_wait()
    if wait is None:
        return _ruled_out(
            "waiting-for-input",
            title,
            f"it is not waiting for input: {where_words(obs)}",
        )
    origin = obs.rel(live.stack_file) if live.stack_file else "/proc"
    probe = obs.close_probe
    if (probe is not None and probe.answered) or any(answered(obs, e) for e in _BUFFER_EXPERIMENTS):
        return _ruled_out(
            "waiting-for-input",
            title,
            "it waits for the next request: it had answered, into a buffer (see buffered)",
            Evidence(wait.text, origin),
        )
    others = [f for f in _other_framings(obs) if answered(obs, f"framing-{f}")]
    if others and not answered(obs, "replay"):
        return _ruled_out(
            "waiting-for-input",
            title,
            f"it waits for the rest of a {others[0]} frame: the framing mismatch above",
            Evidence(wait.text, origin),
        )
    if answered(obs, "replay"):
        r = result(obs, "replay")
        assert r is not None
        return _ruled_out(
            "waiting-for-input",
            title,
            f"a fresh process answered the same request ({r.detail}): the failure did not "
            "reproduce",
            Evidence(wait.text, origin),
        )
    size = len(obs.request_frame)
    ev = [
        Evidence(wait.text, origin, "blocked on stdin after the request was sent"),
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
                + (f" and wrote {quote(probe.flushed, 40)}" if probe.flushed else "")
                + ("" if probe.flushed else " and wrote nothing"),
                obs.stdout_origin,
            )
        )
    ev += experiment_evidence(obs, "replay", *(f"framing-{f}" for f in _other_framings(obs)))
    verdict = (
        f"The worker read the {size}-byte request and waits for more input without answering "
        f"({wait.text.split(') ', 1)[-1]}): the request was not a complete message for it"
    )
    fix = (
        "Check what the worker expects to read: its framing"
        + (
            " (no framing poolctl knows got an answer)"
            if any(f"framing-{f}" in obs.results for f in _other_framings(obs))
            else " (`poolctl ping --framing auto` tries each)"
        )
        + ", its request envelope, and that it answers this command; its stderr may say more."
    )
    return _confirmed("waiting-for-input", title, verdict, fix, *ev)


# --- 7. blocked writing ----------------------------------------------------------------------

BLOCKED = "Blocked writing: a pipe it writes is full, nobody drains it"


def _pipe_holders(b: Blocked) -> str:
    from . import procinfo

    others = [
        (pid, fd, comm)
        for pid, fd, comm in procinfo.holders(b.target, exclude=(b.process.pid,))
        if b.target.startswith("pipe:")
    ]
    if not others:
        return ""
    pid, fd, comm = others[0]
    return f"; pid {pid} ({comm}) holds that pipe (fd {fd}) and does not read it"


def blocked_writing(obs: Observations) -> Judgement:
    title = BLOCKED
    if exited(obs):
        return _ruled_out("blocked-writing", title, "the worker exited (see crashed)")
    live = obs.live
    if live is None:
        return _untested("blocked-writing", title, "the live process could not be inspected")
    if not live.blocked_writers:
        leader = live.leader
        what = leader.describe() if leader is not None else "no process left"
        return _ruled_out(
            "blocked-writing", title, f"no process of the worker is blocked in a write: {what}"
        )
    b = live.blocked_writers[0]
    holders = _pipe_holders(b)
    origin = obs.rel(live.stack_file) if live.stack_file else "/proc"
    ev = [Evidence(b.text + holders, origin, "sampled twice, blocked both times")]
    ours = b.target == live.stdout_pipe
    stream = "its stdout" if ours else "a pipe that is not its stdout (its stderr or a log)"
    if not ours:
        ev.append(
            Evidence(
                f"{b.target} is not the stdout pipe poolctl reads ({live.stdout_pipe})",
                origin,
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
    return _confirmed("blocked-writing", title, verdict, fix, *ev)


Judge = Callable[[Observations], Judgement]

HYPOTHESES: tuple[tuple[str, Judge], ...] = (
    ("crashed", crashed),
    ("stderr-merged", stderr_merged),
    ("stdout-text", stdout_print),
    ("framing", framing_mismatch),
    ("blocked-writing", blocked_writing),
    ("buffered", buffered),
    ("stuck-in-init", stuck_in_init),
    ("waiting-for-input", waiting_for_input),
)

__all__ = ["HYPOTHESES", "Judgement", "PyStack", "Skipped", "exception_line"]
