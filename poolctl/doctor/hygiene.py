"""Check 4, output hygiene: anything the worker writes to stdout before its first frame (a
banner, a stray `print`: in a length-prefixed framing its first bytes read as an absurd frame
length, in line framing it is a line that is not JSON), and what it writes to stderr at start
(harmless while stderr is kept apart, fatal to the framing when it is merged into stdout, as
Erlang's `:stderr_to_stdout` does).

When the worker does not answer, the verdicts are the no-answer engine's (`stdout-text`,
`stderr-merged`), so doctor and `ping` never disagree; doctor adds what it reads of stderr.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

from poolctl.answered import DUPLICATE
from poolctl.diagnose import terminal_echo
from poolctl.diagnose.hypotheses import crashed, stderr_merged, stdout_text
from poolctl.diagnose.php_output import closing_tag_fix, closing_tags
from poolctl.diagnose.port_killer import kills_port
from poolctl.doctor.hoisted import hoisted
from poolctl.framing import get_framing, quote
from poolctl.framing_explain import explain, frames_then_cut
from poolctl.languages import stray_text_fix
from poolctl.model import Evidence
from poolctl.protocol.messages import BLANK_LINE, ONE_NEWLINE_FIX
from poolctl.worker_end import outlived_its_stdin
from poolctl.worker_types import STILL_RUNNING, StderrMode

from .probe import Probe
from .start_path import absent_at_start
from .target import CheckList, first_lines

SECTION = "Output hygiene"
# A stderr line that reports an error, not a warning or a banner; a logger's bracketed level
# too (pylyzer 0.0.82's `[ERR] ERG_PATH not found`, its Erg library missing, was called harmless)
ERROR_LINE = re.compile(
    r"(?i)(\b(error|fatal|exception|panic(ked)?|failed|traceback)\b|\*\* \(|cannot find module|"
    r"\[(err|crit|critical)\])"
)
# A stderr line by which a server says it cannot work as started (the MCP filesystem server
# without a directory: its usage, and "At least one directory must be provided … for the server
# to operate"): it answers the handshake, and refuses every tool call. Not its "No valid root
# directories provided by client": that answers poolctl's empty roots/list, and it keeps the
# directories it was given.
UNUSABLE_LINE = re.compile(
    r"(?i)(\bmust be (provided|set|specified|given|configured)\b|\bnot configured\b|"
    r"\bmissing required\b|^\s*usage:)"
)
# what `framing_explain.explain` calls bytes that are no frame at all
NOISE_KINDS = ("text", "binary")
# the fix for an empty line before the first message (an empty `print()` at start)
BLANK_FIRST_FIX = (
    "Write nothing to stdout before the first message, not even an empty line (an empty "
    "`print()` spacing a banner, a banner's extra `\\n`): to a line reader a blank line is an "
    "empty message, and JSON.parse(''), Jason and json.loads('') fail on it."
)
DUPLICATE_START = DUPLICATE.split("{", 1)[0]  # how a second answer set aside begins


def check_hygiene(
    probe: Probe, apart: Probe, configured: StderrMode, logs: Path | None = None
) -> CheckList:
    """Judge `probe` (the worker as configured); `apart` is the same worker with stderr captured
    apart (`probe` itself unless stderr is merged), which shows what each stream carries.
    `configured` is the real stderr mode; `logs` the folder of every start's stderr log."""
    out = CheckList(SECTION)
    if probe.start_error:
        out.add("stdout", "fail", f"the worker did not start: {probe.start_error}")
        return out
    if probe.answered or probe.replied:  # a refusal is a message too: its stdout is framed
        _stdout_between_answers(probe, out)
        if ran_on := outlived_its_stdin(probe.stopped_by):
            out.add(
                "exit",
                "warn",
                ran_on,
                "exit when a read of stdin returns end of input, not only at a shutdown "
                "message: closing its pipes is how a pool stops a worker",
                [Evidence(f"{probe.worker_id} stopped by {probe.stopped_by}", "events.jsonl")],
            )
    else:
        _stdout_judged(probe, apart, out)
    _stderr(probe, apart, configured, out, logs)
    return out


def _stdout_between_answers(probe: Probe, out: CheckList) -> None:
    """It answered: lines that were no message between its answers (a strict reader fails)."""
    origin = f"workers/{probe.worker_id}.stdout.bin"
    noise = [s for s in probe.stray if "not JSON" in s or "not UTF-8" in s]
    # no log: an extra newline after each line
    blank = probe.spec.framing == "line" and all(s.startswith(BLANK_LINE) for s in noise)
    # a blank line first (an empty `print()` at start) is set aside as those after answers are
    first = probe.stdout.lstrip(b" \t\r")[:1] == b"\n"
    where = "that are not frames, the first before its first message" if first else None
    if noise:
        fix = (BLANK_FIRST_FIX if first else ONE_NEWLINE_FIX) if blank else _remedy(probe)
        if blank and first and (tags := closing_tags(probe.spec.argv, probe.spec.cwd)):
            fix = closing_tag_fix(tags)  # a PHP file's newline after its `?>`, printed first
        out.add(
            "stdout",
            "fail",
            f"{len(noise)} line(s) on stdout {where or 'between its answers that are not frames'}"
            f": {noise[0]}",
            fix,
            [Evidence(s, origin) for s in noise[:5]],
        )
    else:
        out.add("stdout", "ok", "nothing on stdout before its first frame")
    twice = [s for s in probe.stray if s.startswith(DUPLICATE_START)]
    if twice:
        out.add(
            "answers",
            "fail",
            f"{len(twice)} second answer(s) to requests it had answered: {twice[0]}",
            "answer each request once: a pool that takes the next message as the next "
            "caller's reply (an Erlang port's next {:data, _}) hands the copy to the wrong caller",
            [Evidence(s, origin) for s in twice[:5]],
        )


def _stdout_judged(probe: Probe, apart: Probe, out: CheckList) -> None:
    """No answer: the engine's judgement of `stdout-text` is the verdict; the bytes it wrote
    with stderr apart are what the check says."""
    judged = probe.judged(stdout_text.ID)
    if judged is None:
        out.add("stdout", "warn", "not judged: the worker did not answer and was not diagnosed")
        return
    line = apart.stdout.split(b"\n", 1)[0]
    first = quote(line, 60)
    if not line.strip():  # an empty line: what follows it says more (PHP's warning)
        after = apart.stdout.lstrip().split(b"\n", 1)[0]
        first = f"a blank line, then {quote(after, 60)}," if after[:1] != b"{" else "a blank line"
    fix = probe.diagnosis.remediation if probe.diagnosis is not None else ""
    if judged.status == "confirmed" and fix == terminal_echo.FIX:  # no output of its own
        said = (
            f"{first} came on stdout before any frame: the request itself, echoed back by the "
            "pseudo-terminal the worker runs behind (see Framing), not output of its own"
        )
        out.add("stdout", "fail", said, fix, judged.evidence)
        return
    if judged.status == "confirmed":
        said = f"it writes {first} to stdout before any frame"
        if probe.answer_behind:  # strict and tolerant clients part ways here
            said += (
                ": a strict client (one that fails on the first line that is no message) "
                "fails; a tolerant one (that skips it) reads the answer right behind it"
            )
        else:
            said += ": every client fails on it"
        if apart.stdout.startswith(codecs.BOM_UTF8):  # no banner: its encoding writes the mark
            said = "it writes a UTF-8 byte order mark (EF BB BF) before its first frame: " + (
                "every client fails on it"
            )
            fix = probe.diagnosis.remediation if probe.diagnosis is not None else ""
            if not fix.startswith(stdout_text.OWN_FIXES):  # a PHP file's mark, or its encoding's
                fix = stdout_text.BOM_FIX
            out.add("stdout", "fail", said, fix, judged.evidence)
            return
        # a question it asks (input()) is not cured by moving it to stderr: it waits for a reply
        asked = (
            probe.diagnosis is not None and probe.diagnosis.remediation == stdout_text.PROMPT_FIX
        )
        fix = probe.diagnosis.remediation if probe.diagnosis is not None else ""
        if not asked and not fix.startswith(stdout_text.OWN_FIXES):  # a PHP worker's own
            fix = _remedy(apart, probe)
        out.add("stdout", "fail", said, fix, judged.evidence)
        return
    if judged.status == "untested":
        out.add("stdout", "warn", f"what came on stdout is not judged: {judged.reason}")
        return
    framing = get_framing(apart.spec.framing)
    explained = explain(apart.stdout, framing)
    cut = frames_then_cut(apart.stdout, framing)
    if cut is not None:  # its answers, then one it did not finish: no text among them
        whole, rest = cut
        # or one whole in another framing (a JSON line after packet-4 frames: a switch)
        other = explain(apart.stdout[-rest:], framing).other_framing
        what = f"a reply in {other}" if other else "a frame cut short"
        out.add(
            "stdout",
            "ok",
            f"nothing on stdout before its first frame ({whole} whole frame(s), then {rest:,} "
            f"byte(s) of {what}: see Framing)",
        )
    elif not apart.stdout:
        out.add("stdout", "ok", "nothing on stdout before its first frame (nor any frame)")
    elif explained.kind == "frames":
        out.add("stdout", "ok", "nothing on stdout before its first frame")
    elif probe.stray:  # whole frames, none of them its answer (no JSON, another id)
        out.add(
            "stdout",
            "ok",
            f"no stray text on stdout: what came is a frame answering no request "
            f"({probe.stray[0]}: see Framing)",
        )
    elif explained.kind in NOISE_KINDS:  # text, though the engine found another cause first
        out.add(
            "stdout",
            "warn",
            f"it writes {first} to stdout, though that is not why it is silent: {judged.reason}",
            _remedy(apart, probe),
            [Evidence(quote(apart.stdout, 60), f"workers/{apart.worker_id}.stdout.bin")],
        )
    else:
        out.add(
            "stdout",
            "ok",
            f"no stray text on stdout (what came is {explained.text}: see Framing)",
            evidence=[Evidence(quote(apart.stdout, 60), f"workers/{apart.worker_id}.stdout.bin")],
        )


def _stderr(
    probe: Probe, apart: Probe, configured: StderrMode, out: CheckList, logs: Path | None
) -> None:
    all_lines = apart.stderr.splitlines()  # numbered as in the stderr log
    lines = [ln for ln in all_lines if ln.strip()]
    origin = f"workers/{apart.worker_id}.stderr.log"
    if not lines:
        said, evidence = _at_eof(apart)
        if (killer := _kills_port(probe, apart, logs)) is not None:  # another start's log says
            _kills_the_other(f"nothing on stderr at start{said}", killer, evidence, out)
            return
        out.add("stderr", "ok", f"nothing on stderr at start{said}", evidence=evidence)
        return
    shown = [_cut(lines[0])] + ([_cut(lines[-1])] if len(lines) > 1 else [])
    said = f"{len(lines)} line(s) on stderr at start ({' … '.join(map(repr, shown))})"
    evidence = [Evidence(first_lines(apart.stderr, 8), origin)]
    merged = configured is StderrMode.MERGE
    judged = probe.judged(stderr_merged.ID)
    landing = f"{said}, and stderr is merged into stdout: they land on the framed stream"
    keep_apart = (
        "keep stderr apart (scenario `stderr: capture`; in Erlang, drop :stderr_to_stdout), "
        "or silence what it prints"
    )
    if judged is not None and judged.status == "confirmed":
        out.add("stderr", "fail", landing, keep_apart, [*judged.evidence, *evidence])
    elif merged and judged is not None:  # the engine found another reason for the silence
        out.add(
            "stderr",
            "warn",
            f"{landing}; not why it is silent: {judged.reason}",
            keep_apart,
            evidence,
        )
    elif merged:
        out.add("stderr", "fail", landing, keep_apart, evidence)
    elif (killer := _kills_port(probe, apart, logs)) is not None:  # browsermcp: `lsof | kill`
        _kills_the_other(said, killer, evidence, out)
    elif probe.is_confirmed(crashed.ID):
        runs_on = probe.no_answer is not None and probe.no_answer.detail == STILL_RUNNING
        # it did not exit: its stdout went elsewhere (its own stderr, `os.dup2(2, 1)`), and
        # what it wrote there came after its start
        tell = "it runs on without its stdout" if runs_on else "they tell why it exited"
        said = said.replace(" at start", "") if runs_on else said
        out.add(
            "stderr",
            "ok",
            f"{said}: kept apart from stdout ({configured}); {tell} (see Framing)",
            evidence=evidence,
        )
    elif unusable := [(n, ln) for n, ln in enumerate(all_lines, 1) if UNUSABLE_LINE.search(ln)]:
        quoted = [Evidence(ln.strip(), f"{origin}:{n}") for n, ln in unusable[:4]]
        last = unusable[-1][1].strip()
        out.add(
            "stderr",
            "warn",
            f"{len(unusable)} line(s) on stderr at start say it cannot work as started "
            f"({_cut(last, 120)!r}): it answered, but may refuse what it is asked",
            "read what it says it needs (an argument, a setting, a directory) and give it",
            [*quoted, *evidence],
        )
    elif (errors := [ln for ln in lines if ERROR_LINE.search(ln)]) and (moved := hoisted(errors)):
        out.add(
            "stderr",
            "warn",
            f"{len(errors)} error line(s) on stderr at start ({_cut(errors[0])!r}){moved.why()}",
            moved.fix(),
            [*moved.evidence(origin), *evidence],
        )
    elif errors and (absent := absent_at_start(apart.stderr, errors, apart.spec)):
        out.add(
            "stderr",
            "warn",
            f"{len(errors)} error line(s) on stderr at start{absent.why()}",
            absent.absent.fix(),
            [*absent.evidence(origin), *evidence],
        )
    elif errors:
        out.add(
            "stderr",
            "warn",
            f"{len(errors)} error line(s) on stderr at start ({_cut(errors[0])!r}): kept apart "
            f"from stdout ({configured}), but an error is not harmless",
            "read what it says: the worker reports a problem as it starts",
            evidence,
        )
    else:
        out.add(
            "stderr",
            "ok",
            f"{said}: harmless while stderr is kept apart ({configured})",
            evidence=evidence,
        )


def _kills_the_other(
    said: str, killer: tuple[int, str, str], evidence: list[Evidence], out: CheckList
) -> None:
    """The warning that two processes of the command cannot run at once: each that starts
    kills the one holding its port."""
    port, command, origin = killer
    out.add(
        "stderr",
        "warn",
        f"{said}: it kills whatever holds port {port} as it starts (`{command}`): two "
        "processes of this command cannot run at once, each that starts kills the other",
        f"run one worker of it (pool size 1), with nothing else on port {port}; give each "
        "worker a port of its own where the server has an option for it",
        [Evidence(command, origin, f"how it frees port {port} as it starts"), *evidence],
    )


def _kills_port(probe: Probe, apart: Probe, logs: Path | None) -> tuple[int, str, str] | None:
    """The port a start of its command frees by killing what holds it, the command, and the
    log that shows it: in any start's stderr (the probes', Start-up's), since a start that
    found another holding the port killed it and said nothing."""
    for each in (apart, probe):
        if (found := kills_port(each.stderr)) is not None:
            return (*found, f"workers/{each.worker_id}.stderr.log")
    for path in sorted(logs.glob("*.stderr.log")) if logs is not None else ():
        if (found := kills_port(path.read_text("utf-8", "replace"))) is not None:
            return (*found, f"workers/{path.name}")
    return None


def _at_eof(apart: Probe) -> tuple[str, list[Evidence]]:
    """What it wrote to stderr only once its stdin closed, said apart from its start: how it
    ended when its input did (`ty server`'s 'ty failed', 'Cause: disconnected channel', as an
    editor that went away), no problem of its start."""
    lines = [ln for ln in apart.stderr_at_eof.splitlines() if ln.strip()]
    if not lines:
        return "", []
    said = f"; {len(lines)} line(s) once its stdin closed ({_cut(lines[0])!r}): how it ended "
    said += "when its input did, not how it started"
    origin = f"workers/{apart.worker_id}.stderr.log"
    note = "what it wrote to stderr once its stdin closed"
    return said, [Evidence(first_lines(apart.stderr_at_eof, 8), origin, note)]


def _remedy(probe: Probe, judged: Probe | None = None) -> str:
    """How to keep its stray text off stdout, in its language (its command's, else its running
    process's, as it answered or as the diagnosis of `judged` saw it, else the text's own
    shape's), or the general rule where none tells it."""
    stray = next((ln for ln in probe.stdout.splitlines() if ln.strip() and not _json(ln)), b"")
    seen = judged.diagnosis if judged is not None else None
    running = str(seen.facts.get("running_program") or "") if seen is not None else ""
    return stray_text_fix(probe.spec.argv, probe.spec.cwd, stray, running or probe.answered_as)


def _json(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _cut(line: str, limit: int = 70) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"
