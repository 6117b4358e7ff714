"""Prints to stdout: text (a banner, a log line, a stray `print`), or binary data (an image or
an archive written to stdout), where the first frame should be. A length-prefixed reader takes
its first bytes as a length; a line reader finds no JSON."""

from __future__ import annotations

import codecs

from poolctl.framing import quote
from poolctl.languages import JAVASCRIPT, PYTHON, stray_text_fix, stray_text_language
from poolctl.model import Evidence
from poolctl.worker_types import StderrMode

from .. import library_logger as logger_of_a_library
from .. import php_output, printed_by
from ..judgement import Judgement, confirmed, hypothesis, ruled_out, untested
from ..observe import Observations
from ..outcomes import (
    result,
)
from ..php_output import closing_tag_fix, closing_tags, php_warning, warning_fix
from ..prompts import input_prompt
from ..readings import (
    ended,
    first_line,
    header_words,
    merge_sources,
    stack_evidence,
    stdout_noun,
    stream_kind,
    text_evidence,
    text_in_stderr_when_apart,
)
from ..shell_banner import ECHO_FIX_START, shell_echo
from ..terminal_echo import FIX as TERMINAL_FIX
from ..terminal_echo import terminal_echo

ID = "stdout-text"
PROMPT_FIX = (
    "Let it run without asking: take the answer from a flag or an environment variable "
    "(`--yes`, `--no-input`), or skip the question when stdin is no terminal "
    "(`sys.stdin.isatty()`); a worker's stdin carries requests, and nobody is there to answer."
)
BLANK_FIX = (
    "Write nothing on stdout but messages, not even an empty line: a reader takes a newline "
    "on its own for an empty message (or, framed by length, for a header's first byte). "
)
# the fixes that name the worker's own cause, as doctor's Output hygiene gives them too
OWN_FIXES = (
    BLANK_FIX,
    php_output.WARNING_FIX_START,
    php_output.CLOSING_TAG_FIX_START,
    php_output.BOM_FIX_START,
    ECHO_FIX_START,  # a shell wrapper's echo
    logger_of_a_library.FIX_START,  # a dependency's logger, quieted from the environment
    printed_by.FIX_START,  # an installed server's own print, named by its line
)
BOM_FIX = (
    "Write UTF-8 without a byte order mark: in .NET a `new UTF8Encoding(false)` as "
    "`Console.OutputEncoding` (PowerShell: `[Console]::OutputEncoding = "
    "[Text.UTF8Encoding]::new($false)`), in Python `utf-8`, not `utf-8-sig`."
)


@hypothesis(ID)
def stdout_text(obs: Observations) -> Judgement:
    if why := ended(obs):
        return ruled_out(why)
    kind = stream_kind(obs)
    if kind != "text":
        why = (
            "no text arrived on stdout"
            if kind in ("none", "partial")
            else "the bytes on stdout are a frame of another framing, not text"
        )
        if obs.worker.stray:
            why += f" (set aside as answering nothing: {obs.worker.stray[0]})"
        return ruled_out(why)
    sources = merge_sources(obs)
    apart = text_in_stderr_when_apart(obs)
    if sources and not obs.merged:
        return untested(
            "the worker merges its own stderr into stdout, so no experiment can keep them "
            "apart; the text is a stderr line if it reads like a log or warning"
        )
    r = result(obs, "stderr-apart")
    if sources and apart is None:
        return untested(
            "stderr is merged into stdout, so its text cannot be told from stdout's without "
            "a fresh process with stderr kept apart"
            + (" (skipped: --no-experiments)" if not obs.experiments_enabled else "")
            + (f", and that one wrote it to neither ({r.sentence()})" if r is not None else "")
        )
    if sources and apart and r is not None:
        return ruled_out(f"with stderr kept apart the text went to stderr ({r.sentence()})")
    ev = [text_evidence(obs)]
    live = obs.live
    origin = obs.rel(live.stack_file) if live and live.stack_file else "/proc"
    terminal = terminal_echo(live, obs.request_frame, obs.pending, origin)
    if terminal is not None:  # the text is the request, echoed: no output of the server's
        return confirmed(terminal.verdict(), TERMINAL_FIX, *ev, *terminal.evidence())
    if not sources and obs.worker.spec.stderr is StderrMode.CAPTURE:
        ev.append(
            Evidence(
                "stderr is captured apart and no process of the worker writes stderr to the "
                f"stdout pipe: the {stdout_noun(obs)} was written to stdout",
                obs.stderr_origin,
            )
        )
    if obs.answer_behind is not None:
        behind = obs.answer_behind
        ev.append(Evidence(behind.sentence(), f"{obs.stdout_origin} {behind.span()}"))
    blank = not obs.pending.split(b"\n", 1)[0].strip()  # an empty line, or a newline alone
    shown = first_line(obs.pending)
    if blank:
        shown = "a blank line" if obs.worker.framing.is_line else "a newline"
    verdict = (
        f"The worker prints {stdout_noun(obs)} to its framed stdout: "
        f"{shown} arrived {_where(obs)}{header_words(obs)}"
    )
    bom = obs.pending.startswith(codecs.BOM_UTF8)
    if bom:
        verdict = (
            "The worker's stdout starts with a UTF-8 byte order mark (bytes EF BB BF) "
            f"{_where(obs)}: {first_line(obs.pending)}; "
            + _BOM_REFUSED.get(obs.framing, _BOM_PACKET)
        )
    if not bom and (asked_at := input_prompt(obs)) is not None:
        verdict = (
            f"The worker asks a question on its framed stdout and waits for the reply on its "
            f"stdin: {first_line(obs.pending)} arrived {_where(obs)}, and it sits in `input()` "
            f"at {asked_at}, reading the request as its reply"
        )
        return confirmed(verdict, PROMPT_FIX, *ev, *stack_evidence(obs))
    if obs.stray_json:
        verdict = (
            f"A JSON logger writes to the worker's stdout: {first_line(obs.pending, 120)} is "
            f"JSON but no JSON-RPC message, {_where(obs)}"
        )
    if bom and (files := php_output.bom_files(obs.worker.spec.argv, obs.worker.spec.cwd)):
        verdict += f"; {files[0]} begins with it"
        return confirmed(verdict, php_output.bom_fix(files), *ev)
    spec = obs.worker.spec
    running = obs.running_program
    language, _ = stray_text_language(spec.argv, spec.cwd, obs.pending, running)
    if bom:
        return confirmed(verdict, BOM_FIX, *ev)
    elif (obs.stray_json or _looks_like_a_log(obs.pending)) and language in (None, PYTHON):
        fix = (
            "Point the logging handler at stderr (`logging.StreamHandler(sys.stderr)`, "
            "`console.error` in Node, pino/winston to fd 2) or a file, never stdout: "
            "stdout carries messages only. "
        )
    elif obs.stray_json or _looks_like_a_log(obs.pending):
        fix = "Point its logger at stderr or a file. "
    elif stdout_noun(obs) == "binary data":
        fix = (
            "Find what writes these bytes (an image, an archive or a pickle written to "
            "stdout) and have it write to a file or a pipe of its own. "
        )
    else:
        fix = ""
    said = stray_text_fix(spec.argv, spec.cwd, obs.pending, running)
    fix += f"{said[0].upper()}{said[1:]}; stdout carries frames only."
    if language is PYTHON:  # its own guard against the next stray print
        fix += (
            " Better still, take `sys.stdout.buffer` for frames and point `sys.stdout` at "
            "stderr, so that no stray print can reach the stream."
        )
    if (warning := php_warning(obs.pending)) is not None:  # after the blank line PHP writes
        verdict = (
            f"The worker prints PHP's {warning.level.lower()} to its framed stdout: "
            f"{quote(warning.text, 120)} arrived {_where(obs)}{header_words(obs)}"
        )
        return confirmed(verdict, warning_fix(warning), *ev)
    if blank and (tags := closing_tags(spec.argv, spec.cwd)):
        verdict += f"; {tags[0]} prints it after its closing `?>` tag"
        return confirmed(verdict, closing_tag_fix(tags), *ev)
    if blank:
        fix = BLANK_FIX + fix
    library = logger_of_a_library.library_logger(obs.pending) if obs.stray_json else None
    if library is not None:  # a dependency's logger: its variable, not the server's code
        verdict += library.why()
        fix = library.fix()
        ev.append(library.evidence(obs.stdout_origin))
    if not (obs.stray_json or blank or obs.merged) and language in (None, PYTHON, JAVASCRIPT):
        site = printed_by.printed_by(spec.argv, spec.cwd, obs.pending)
        if site is not None:  # its installed package's own print: its line, not a setting
            verdict += site.why()
            fix = site.fix()
            ev.append(site.evidence())
    echo = shell_echo(spec.argv, spec.cwd, obs.pending) if not obs.merged else None
    if echo is not None:  # the wrapper's own line, not its server's code, is what to change
        verdict += f"; {echo.where} writes it: `{echo.line}`"
        fix = echo.fix()
        ev.append(echo.evidence())
    return confirmed(verdict, fix, *ev)


def _where(obs: Observations) -> str:
    error = obs.worker.frame_error
    # a length no frame can have says nothing of what came before it: the messages read do
    # (or those decoded with it, still unread: JSON, not binary cut into frames); it was
    # "before its first message" after any
    worker = obs.worker
    decoded = any(f.lstrip()[:1] in (b"{", b"[") for f in worker.frames)
    first = getattr(error, "first", not (worker.messages_read or decoded))
    return "before its first message" if first else "between its messages"


# Who trips on a byte order mark, by the framing it lands in.
_BOM_REFUSED = {
    "line": "JSON readers refuse it (Node's JSON.parse, Jason, Python's json.loads of text)",
    "content-length": "a header reader finds no Content-Length header: the mark is in its name",
}
_BOM_PACKET = "a length-prefix reader takes its bytes for part of the frame's length"

_LOG_LEVELS = (b"DEBUG", b"INFO", b"WARN", b"ERROR", b"CRITICAL", b"TRACE")


def _looks_like_a_log(data: bytes) -> bool:
    """A log record's first line: a level name near its start."""
    head = data.split(b"\n", 1)[0][:40].upper()
    return any(level in head for level in _LOG_LEVELS)
