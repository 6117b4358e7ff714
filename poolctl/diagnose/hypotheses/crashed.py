"""Crashed: the worker exited before it answered, closed its stdout and runs on, or exec()ed
another program after it answered (no answer can come in any of these). A worker still running
is judged by `poolctl.diagnose.still_running`."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal

from poolctl.framing import quote
from poolctl.model import Evidence
from poolctl.protocol import PROTOCOLS
from poolctl.worker_types import StderrMode

from ..asked_words import asked_words
from ..asks import asked_for, first_step
from ..container_engine import engine_down
from ..crash_lines import exception_line, line_end
from ..crash_readings import crash_reading
from ..endpoint_down import endpoint_down
from ..exit_zero import request_taken
from ..exited_plan import (
    answered_late_as,
    ended_note,
    framed_otherwise,
    other_unanswered,
    stdio_untested_fix,
    stdio_untried,
)
from ..experiments import STDIO_EXPERIMENT, Outcome
from ..judgement import Judgement, confirmed, hypothesis, ruled_out
from ..kernel_log import fault_record
from ..keyboard_interrupt import signalled_interrupt
from ..library_entry import library_entry
from ..limit_reached import limit_reached
from ..log_levels import logged_error
from ..lost_channel import LOST_WORDS, lost_channel
from ..missing_path import missing_path
from ..node_enoent import node_enoent
from ..npm_errors import npm_failed
from ..observe import Observations
from ..outcomes import (
    answer_as,
    experiment_evidence,
    result,
    silent,
)
from ..port_in_use import port_in_use
from ..port_killer import sender_of_sigkill
from ..readings import (
    USAGE_ERROR,
    USAGE_LINE,
    broke_on_merged_text,
    channel_fix,
    logged_fix,
    parser_refusal,
    transport_option,
)
from ..refused_args import refusal_fix
from ..server_switch import server_switch
from ..shell_reported import EXEC_IT, UNNAMED_SIGKILL, UNNAMED_SIGKILL_FIX, shell_reported
from ..signal_traced import sender_traced
from ..signal_words import FAULTS, signal_words
from ..started_as import STARTED, started_as
from ..stdout_said import stdout_refusal
from ..still_running import still_running
from ..terminal_only import said_on_terminal, silent_fix, silent_log
from ..timeout_wrapper import ran_out
from ..unreached_exit import unreached_exit
from ..zod_issues import zod_issues

ID = "crashed"
# what to do about a worker that exited between a frame's header and its end
MID_FRAME_FIX = (
    "Write each answer whole before the worker can exit: its header and body in one write, "
    "then a flush (`sys.stdout.buffer.write(header + body)`, `sys.stdout.buffer.flush()`), the "
    "header counting the encoded body's bytes; an exit between the two (`os._exit`, a crash, "
    "the end of the script) cuts it short."
)


# what to do about a server whose command sends its stderr to stdout (`sh -c 'x 2>&1'`)
MERGED_FIX = (
    "Then keep its stderr apart: its command sends it to stdout (`2>&1`), where every line it "
    "logs breaks the protocol's stream."
)
# what to do about a language server that exits at once, silent, with `--stdio` too
NO_STDIO_SWITCH_FIX = (
    "Find in its `--help` the option that makes it serve on its stdin and stdout: `--stdio` "
    "did not (a fresh process given it did not answer: quoted). A language server that "
    "exits at once, saying nothing and reading nothing, may take an editor's channel by "
    "default (`graphql-lsp server` takes Node IPC unless given `-m stream`)."
)


def _channel_named(obs: Observations) -> tuple[str, str, list[Evidence]] | None:
    """A server started in another channel by an option's value (`graphql-lsp server -m
    socket`, which exits saying `--port is required`) whose error or `--help` names the value
    for stdio: the option, the fix, its evidence (None otherwise: the fix stays general)."""
    option = transport_option(obs)
    if " " not in option:  # no value-style option: `--node-ipc` is judged below, by its silence
        return None
    fix, named = channel_fix(obs, option)
    return (option, fix, named) if named else None


@hypothesis(ID)
def crashed(obs: Observations) -> Judgement:
    status = obs.exit_before
    if status is None:
        return still_running(obs)
    if broke_on_merged_text(obs):  # its exit came after the stream broke: not why
        return ruled_out(
            f"it {status.describe()} after its stream broke on text its own `2>&1` sent there "
            "(see stderr-merged)"
        )
    pid = obs.worker.pid
    ev = [Evidence(f"pid {pid} {status.describe()}", f"pid {pid}", ended_note(obs))]
    exc = exception_line(obs.stderr_text)
    usage = parser_refusal(obs.stderr_text)
    if usage is None and exc is None:
        usage = USAGE_ERROR.search(obs.stderr_text)
    if usage is not None:
        exc = usage.group(usage.lastindex or 0).strip()  # click's `Error: …` line
    interrupted = signalled_interrupt(exc, status.signal, obs.stderr_text, status.code)
    if interrupted is not None:  # Python's word for the SIGINT: said with the signal, no error
        exc = None
    origin = obs.stderr_origin if not obs.merged else obs.stdout_origin
    fault = _fault_stack(obs.stderr_text)
    tail = [ln for ln in obs.stderr_text.splitlines() if ln.strip()][-5:]
    if fault:
        ev.append(Evidence(fault, origin, "the stack of the crash, most recent call first"))
    elif tail and "\n".join(tail).strip() != (exc or ""):  # not the exception line alone
        quoted = "\n".join(map(line_end, tail))  # a flood's line: its end
        ev.append(Evidence(quoted, origin, "the end of its stderr"))
    if exc:
        said = "its argument parser's error" if usage else "the exception that ended it"
        ev.append(Evidence(exc, origin, said))
    printed = USAGE_LINE.search(obs.stderr_text) if exc is None and status.code else None
    if printed is not None:
        ev.append(Evidence(printed.group("line").strip(), origin, "the usage it printed"))
    # with code 0 too, before any answer: mcp-server-git given a folder that is no repository
    # logs `ERROR:mcp_server_git.server:/tmp is not a valid Git repository` and returns
    quits = status.code or (status.code == 0 and not obs.worker.answered)
    logged = logged_error(obs.stderr_text) if exc is None and not printed and quits else None
    if logged:
        if ev[-1].text == logged:  # the end of its stderr is that line alone: said once
            ev.pop()
        ev.append(Evidence(logged, origin, "the error it logged before it exited"))
    if obs.pending and not obs.merged:
        ev.append(Evidence(quote(obs.pending), obs.pending_origin(), "what it wrote to stdout"))
    npm = npm_failed(obs.stderr_text) if exc is None and status.code else None
    served = obs.worker.answered
    refused = None  # what it said of its command line on stdout, when that says why
    part = obs.explanation
    cut_short = part.text if part is not None and part.kind == "truncated" else None
    timed_out = ran_out(list(obs.worker.spec.argv), status.code)  # `timeout 60 server`'s end
    verdict = f"The worker exited before answering: pid {pid} {status.describe()}"
    argv = shlex.join(obs.worker.spec.argv)  # pasted into a shell as it is
    fix = (
        f"Find why it exits: run `{argv}` by hand and read its stderr "
        f"({obs.stderr_origin}); a worker must stay up and answer its first request."
    )
    unread = fix  # no reading of its words has told why yet
    lost = ""  # its words that the channel it was started to talk over is not there
    if served:
        verdict = (
            f"The worker exited after answering {served} request(s), before the next: pid {pid} "
            f"{status.describe()}"
        )
        fix = fix.replace("answer its first request", "answer every request")
        if status.code == 0:  # it ended on purpose: it serves one request, not a loop of them
            fix = loop_remediation(served)
    if served and obs.worker.closing:  # on the closing's request (LSP's shutdown), unanswered
        closing = obs.failed.request.command
        verdict = (
            f"The worker exited on `{closing}`, its session's closing, without answering it: "
            f"pid {pid} {status.describe()}"
        )
        fix = closing_fix(closing)
    if usage is not None and exc:
        verdict += f", refusing its command line: `{exc}`"
        fix = refusal_fix(exc, obs.stderr_text, obs.worker.spec.argv)
    elif (channel := _channel_named(obs)) is not None:  # `-m socket`, its stdio value named
        option, fix, named = channel
        verdict += (
            f", started with `{option}`, to talk over another channel than its stdin and "
            "stdout, which a pool does not open"
        )
        ev.append(Evidence(f"`{option}` in its command", "the worker's command"))
        ev.extend(named)
    elif exc:
        verdict += f", after the exception `{exc}`"
        fix = f"Fix the error it reports (`{exc}`); run `{argv}` by hand to see it happen."
        found = crash_reading(exc, obs.stderr_text, obs.worker.spec)
        if found is not None:
            verdict += f"; {found.why()}"
            fix = found.fix()
            ev.append(found.evidence())
        elif (limit := limit_reached(obs.worker.end, None, exc, served)) is not None:
            verdict, fix = f"{verdict}: {limit.why}", limit.fix  # `ulimit -n`, `ulimit -v`
            ev.append(limit.evidence)
    elif printed is not None:  # its help on stderr, for a command line it cannot run
        line = printed.group("line").strip()
        verdict += f", after printing its usage to stderr: `{line}`"
        fix = f"Give it the arguments its usage asks for (`{line}`); its `--help` lists them."
    elif status.code and (engine := engine_down(obs.stderr_text)) is not None:  # docker run -i
        verdict += f", {engine.why()}"
        fix = engine.fix()
        ev.append(engine.evidence(origin))
    elif npm is not None:  # npx could not get the server's package: the server never ran
        verdict += f", after {npm.why()}"
        fix = npm.fix(argv)
        ev.append(npm.evidence(origin))
    elif status.code and (issues := zod_issues(obs.stderr_text)) is not None:
        verdict += issues.why()  # its settings' check, logged as zod's JSON array
        fix = issues.fix()
        ev.append(issues.evidence(origin))
    elif status.code and (enoent := node_enoent(obs.stderr_text, obs.worker.spec.cwd)):
        verdict += enoent.why()  # a file call's ENOENT, logged as it gave up
        fix = enoent.fix()
        ev.append(enoent.evidence(origin))
    elif logged:  # it exits on purpose, and its log says why
        verdict += f", after logging `{logged}`"
        fix = logged_fix(logged, argv, b"" if obs.merged else obs.pending)
    elif cut_short is not None:  # it exited between a frame's header and its end
        verdict += f", in the middle of a frame: {cut_short}"
        fix = MID_FRAME_FIX
    elif obs.pending and not obs.merged and not tail:  # it said why on stdout, not stderr
        fix = fix.replace(f"read its stderr ({obs.stderr_origin})", "read its stdout (quoted)")
        if (refused := stdout_refusal(obs.pending)) is not None:
            verdict, fix = verdict + refused.clause, refused.fix
        elif logged := logged_error(obs.pending.decode("utf-8", "replace")):  # `sh -c 'x 2>&1'`
            verdict += f", after logging `{logged}` on its stdout"
            fix = logged_fix(logged, argv, b"")
            if "2>&1" in argv:  # once it starts, its log lines would break the stream there
                fix += f" {MERGED_FIX}"
    elif (
        not obs.pending
        and (silent_log(obs) is not None or (lost := lost_channel(tail)))
        and (option := transport_option(obs))
    ):
        # an editor's switch with no editor behind it (dockerfile-language-server-nodejs with
        # `--node-ipc` and no IPC channel exits at once with code 0, saying nothing; pyright with
        # a `--socket=N` nothing listens on logs that its log messages failed, and exits)
        said = f"saying only `{lost}`, {LOST_WORDS}" if lost else "saying nothing"
        verdict += (
            f", {said}: it was started with `{option}`, to talk over another channel than its "
            "stdin and stdout, which a pool does not open"
        )
        fix, named = channel_fix(obs, option)
        ev.append(Evidence(f"`{option}` in its command", "the worker's command"))
        ev.extend(named)
        if not lost:
            ev.append(Evidence("0 bytes", obs.stderr_origin, "its stderr log: nothing came there"))
        ev.append(Evidence("0 bytes", obs.stdout_origin, "its stdout: nothing came there"))
    elif not served and not tail and not obs.pending and (stdio := _stdio_answered(obs)):
        # a language server that, without `--stdio`, never read its pipes (svelteserver)
        took = request_taken(obs)
        discarded = obs.worker.spec.stderr is StderrMode.DISCARD  # what it said there: unknown
        said = (
            "writing nothing to its stdout (its stderr was discarded: what it said there is "
            "not known)"
            if discarded
            else "saying nothing: its stderr log is empty and its stdout too"
        )
        verdict += (
            f", {said}; {took[0]}; it was started without `--stdio`, and in a fresh process the "
            f"same command with `--stdio` answered {stdio.asked}"
        )
        fix = (
            f"Start it with `--stdio` (`{argv} --stdio`), as the fresh process was: without it, "
            "this language server does not serve on its stdin and stdout, and exits (language "
            "servers that take an editor's channel by default, such as Node IPC, do so when "
            "there is none)."
        )
        if not stdio.answered:  # past its wait: a slow start (a loaded machine's), no refusal
            verdict += f", past its wait ({stdio.detail})"
            fix += " Ping it so with a longer `--timeout`: its answer came past the wait."
        if not discarded:
            ev.append(Evidence("0 bytes", obs.stderr_origin, "its stderr log: nothing came there"))
        ev.append(Evidence("0 bytes", obs.stdout_origin, "its stdout: nothing came there"))
        if took[2] is not None:
            ev.append(took[2])
        ev.extend(experiment_evidence(obs, STDIO_EXPERIMENT))
    elif status.code == 0 and not served and not tail and not obs.pending and silent_log(obs):
        # it ended as on purpose, saying nothing: an empty log holds no reason to read
        took = request_taken(obs)
        verdict += f", saying nothing: its stderr log is empty and its stdout too; {took[0]}"
        fix = took[1]
        ev.append(Evidence("0 bytes", obs.stderr_origin, "its stderr log: nothing came there"))
        if took[2] is not None:
            ev.append(took[2])
        tried = result(obs, STDIO_EXPERIMENT)
        if tried is not None:  # `--stdio` was tried, and did not serve
            ev.extend(experiment_evidence(obs, STDIO_EXPERIMENT))
            fix = NO_STDIO_SWITCH_FIX
        if tried is not None and silent(tried):
            # nor did it exit: a start slower than its wait, or no server on its pipes (untested)
            verdict += (
                "; in a fresh process the same command with `--stdio` did not exit, but was "
                f"still running, silent, when its wait was up ({tried.detail})"
            )
            fix = stdio_untested_fix(argv)
        if tried is None and (untried := stdio_untried(obs, argv)) is not None:
            verdict, fix = verdict + untried[0], untried[1]
        if (library := library_entry(obs.worker.spec.argv, obs.worker.spec.cwd)) is not None:
            verdict, fix = verdict + library.why(), library.fix()  # no server: a library's main
            ev.append(library.evidence())
    elif status.code and not (tail or obs.pending or timed_out) and silent_log(obs) is not None:
        verdict += ", leaving no word of why: its stderr log is empty and its stdout too"
        fix = silent_fix(argv)
        if (on_tty := said_on_terminal(obs)) is not None:  # it writes its error on a tty alone
            verdict, fix = verdict + on_tty[0], on_tty[1]
            ev.append(on_tty[2])
        ev.append(Evidence("0 bytes", obs.stderr_origin, "its stderr log: nothing came there"))
        if (down := endpoint_down(obs.worker.spec.environment())) is not None:
            verdict, fix = verdict + down.why(), down.fix()  # a database it may connect to
            ev.append(down.evidence())
    in_use = port_in_use(obs.stderr_text) if status.code and not served else None
    if in_use is not None:  # a server of a socket, whose port a copy or another program holds
        stdio = _stdio_answered(obs)
        verdict += in_use.why(quoted=in_use.line in verdict)
        fix = in_use.fix(argv, stdio is not None)
        ev.append(in_use.evidence(origin))
        if stdio is not None:
            ev.extend(experiment_evidence(obs, STDIO_EXPERIMENT))
    asked = asked_for(obs.stderr_text) if status.code and not served and not usage else None
    on_stdout = None  # said on stdout: its command merged its stderr there (`sh -c 'x 2>&1'`)
    if asked is None and status.code and not served and not tail and obs.pending:
        on_stdout = asked = asked_for(obs.pending.decode("utf-8", "replace"))
    if asked is not None:  # a credential or an argument it exits without (server-slack)
        verdict, fix = asked_words(
            obs, asked, verdict, ev, obs.stdout_origin if on_stdout else origin
        )
    if on_stdout is not None:
        verdict += " (said on its stdout)"
        if "2>&1" in argv:  # once it starts, its log lines would break the stream there
            fix += f" {MERGED_FIX}"
    step = first_step(obs.stderr_text) if status.code and not served and not asked else None
    if step is not None and usage is None:  # a set-up step it asks for (server-gdrive's auth)
        verdict += (
            f", saying `{step.line}`: it asks for `{step.command(obs.worker.spec.argv)}` first"
        )
        fix = step.fix(obs.worker.spec.argv)
    started = started_as(obs.stderr_text) if usage is None else None
    if started is not None:  # a call that fails only as a pool starts it (setsid, /dev/tty)
        said = "" if exc or logged else f", after `{started.said}`"
        verdict += f"{said}: {started.why}"
        fix = started.fix
        ev.append(STARTED)
    switch = None  # pylyzer without `--server`, zuban without `server`: no language server
    told = fix == unread or printed or (logged and fix.startswith("Give it what it asks"))
    usage_out = refused is not None and refused.usage  # biome's, exiting with code 0
    lsp = obs.protocol == "lsp"  # spoken another, its usage on stdout alone is read (no --help)
    if (lsp or usage_out) and not served and (status.code or usage_out) and (told or usage_out):
        usages = [(obs.stderr_text, "its usage on stderr", origin)] if printed and lsp else []
        if usage_out:
            said_out = obs.pending.decode("utf-8", "replace")
            usages.append((said_out, "its usage on stdout", obs.stdout_origin))
        may_run = obs.experiments_enabled and lsp
        switch = server_switch(obs.worker.spec, usages, may_run, obs.helps)
    if switch is not None:
        verdict += switch.clause()
        fix = switch.fix(obs.worker.spec, lsp)
        ev.append(switch.evidence())
    said_once = _only_line(obs.stderr_text) if status.code and fix == unread else None
    if said_once is not None and not obs.pending:  # ccls: `Failed to parse --init as JSON: …`
        verdict += f", saying `{said_once}`, the only line on its stderr"
        fix = f"Fix what it reports (`{said_once}`); run `{argv}` by hand to see it happen."
    reach = unreached_exit(obs.stderr_text) if status.code and fix == unread else None
    if reach is not None and not served:  # a download or a connection it needs at start, failed
        verdict, fix, ev = verdict + reach.why(), reach.fix(), [*ev, reach.evidence(origin)]
    # a path on its command line that its error names as not there (mcp-server-git's
    # `--repository`), where the fix was still to fix that error (`Fix the error it logs …`)
    said = (logged or exc or said_once or "") if status.code and fix.startswith("Fix ") else ""
    if said and (absent := missing_path(said, obs.worker.spec, obs.stderr_text)) is not None:
        verdict += absent.why()
        fix = absent.fix() + (f" {MERGED_FIX}" if fix.endswith(MERGED_FIX) else "")
        ev.append(absent.evidence())
    # Said only of a server started without `--stdio`: one given it and refusing it (an MCP
    # server's argparse: `unrecognized arguments: --stdio`) needs the switch dropped, not added.
    # A language server that printed its usage lacks its switch or subcommand (`ruff server`).
    said_stdio = "--stdio" in (exc or "") + obs.pending.decode("utf-8", "replace")
    lsp_usage = (printed is not None or (refused and refused.usage)) and obs.protocol == "lsp"
    if (said_stdio or lsp_usage) and "--stdio" not in obs.worker.spec.argv and not switch:
        serves = "a language server serves on its pipes only when started with `--stdio` (or a "
        serves += "subcommand such as `start`), as an editor starts it."
        if exc and "--stdio" in exc and usage is None:  # vscode-languageserver's own words:
            # 'Connection input stream is not set. Use ... '--node-ipc', '--stdio' or ...'
            fix = f"Start it with `--stdio`, as its error asks: {serves}"
        else:
            fix += f" {serves[0].upper()}{serves[1:]}"
    left = ""  # what a worker killed by a signal left on its stdout pipe: said after the signal
    if obs.stdout_holders and not exc and usage is None:
        holders = _left_behind(obs, ev)
        if status.signal is not None:  # a child it started outlived it: it went nowhere
            left = f"; it left {holders} running, holding its stdout open (no end of file came)"
        else:
            verdict += f", leaving {holders} holding its stdout open: it went into the background"
            fix = FOREGROUND
    # a shell that waited for the program a signal ended: its exit code and line tell which
    shell = shell_reported(status.code, obs.stderr_text) if not exc else None
    ended_by, victim = (shell.signal, shell.pid) if shell else (status.signal, pid)
    verdict += shell.said() if shell else ""
    through_shell = shell is None and interrupted is not None and interrupted.through_shell
    if through_shell and interrupted is not None:  # 130 and a traceback: no line of the shell's
        ended_by, victim = signal.SIGINT, None
        verdict += interrupted.shell_said()
    said = "\n".join(tail) if ended_by is not None else ""  # V8's `Fatal process OOM`
    limit = limit_reached(obs.worker.end, ended_by, said) if not exc else None
    if limit is not None:  # the kernel at its CPU-time limit (`ulimit -t`)
        verdict += f" ({limit.why})"
        fix = limit.fix
        ev.append(limit.evidence)
    elif shell and ended_by == signal.SIGKILL and victim is None:  # no pid to look up
        verdict += f" ({UNNAMED_SIGKILL})"
        fix = UNNAMED_SIGKILL_FIX
    elif ended_by == signal.SIGKILL and victim is not None and not exc:
        path = obs.worker.stderr_path  # a copy of its command, or what the kernel log tells
        sender = sender_of_sigkill(
            victim, obs.worker.started_mono, path, obs.rel(path), obs.worker.memcg
        )
        traced = sender_traced(obs, ended_by) if victim == pid else None
        verdict += f" ({traced.why if traced else sender.why})"  # a copy under strace showed it
        fix = traced.fix if traced else sender.fix
        ev += [sender.evidence, *([sender.cgroup] if sender.cgroup else [])]
        ev += [traced.evidence] if traced else []
    elif ended_by is not None and not exc:
        why, how = signal_words(ended_by, argv, bool(fault))
        if interrupted is not None:  # who sent it, where its traceback or its shell tells
            why, how = interrupted.sender()
        elif victim == pid and (traced := sender_traced(obs, ended_by)) is not None:
            why, how = traced.why, traced.fix  # a copy under strace showed its sender
            ev.append(traced.evidence)
        verdict += f" ({why})"
        if interrupted is not None:
            verdict += f"; {interrupted.said()}"
        fix = how or fix
        faulted = victim if ended_by in FAULTS else None
        record = fault_record(faulted, obs.worker.started_mono) if faulted else None
        if record is not None:  # the kernel logged where it faulted: the library is named
            where = re.search(r" in (\S+?)\[", record[0])
            verdict += f"; the kernel log says it faulted in {where.group(1)}" if where else ""
            ev.append(Evidence(record[0], record[1], "the kernel's record of the fault"))
    verdict += left
    fix += f" {EXEC_IT}" if shell or through_shell else ""
    if timed_out is not None:  # the duration ran out, whatever it said: its end
        verdict, fix, ev = verdict + timed_out.why(), timed_out.fix(), [*ev, timed_out.evidence()]
    speaks = _speaks_another(obs, ev)
    if speaks is not None:
        verdict += f"; {speaks[0]}"
        fix = speaks[1]
    elif (framed := framed_otherwise(obs)) is not None:  # fortls spoken lsp in line framing
        verdict += f"; {framed[0]}"
        fix = framed[1]
        ev.append(framed[2])
    elif (unsure := other_unanswered(obs, fix)) is not None:  # a copy slow to start: untested
        verdict += f"; {unsure[0]}"
        fix = unsure[1]
        ev.extend(unsure[2])
    return confirmed(verdict, fix, *ev)


def _speaks_another(obs: Observations, ev: list[Evidence]) -> tuple[str, str] | None:
    """The words for a server that exited on our opening while another protocol's opening got
    its server's answer in a fresh process (its quote added to `ev`)."""
    for name, protocol in PROTOCOLS.items():
        outcome = answer_as(obs, name) if name != obs.protocol else None
        late = outcome is None and name != obs.protocol
        outcome = outcome or (answered_late_as(obs, name) if late else None)
        if outcome is None or outcome.response is None:
            continue
        opening = protocol.opening().method
        ev.extend(experiment_evidence(obs, f"protocol-{name}"))
        where = f"{obs.rel(obs.worker.capture_dir)}/{outcome.worker_id}.stdout.bin"
        said = quote(json.dumps(outcome.response).encode(), 100)
        ev.append(Evidence(said, where, f"its answer to the {name} opening"))
        clause = (
            f"in a fresh process the same command spoken {name} gets {protocol.server_noun}'s "
            f"answer to its opening ({opening})"
        )
        fix = (
            f"Speak {name} to it (`poolctl ping --protocol {name}`; in a pool, "
            f"`worker.protocol: {name}`): spoken {obs.protocol}, it exits."
        )
        if late:  # a start as slow as the worker's: the wait, not the protocol, fell short
            clause += f", past its wait ({outcome.detail})"
            fix += " Ping it so with a longer `--timeout`: its answer came past the wait."
        return clause, fix
    return None


def _stdio_answered(obs: Observations) -> Outcome | None:
    """The experiment that added `--stdio` to the command, when its opening got an answer that
    is no error, in its wait or past it (None otherwise, or not run)."""
    outcome = result(obs, STDIO_EXPERIMENT)
    if outcome is None or not outcome.response:
        return None
    if not outcome.answered and outcome.late_ms is None:
        return None
    return None if "error" in outcome.response else outcome


def _left_behind(obs: Observations, ev: list[Evidence]) -> str:
    """The processes it started that hold its stdout open after it ended, named (their
    evidence added to `ev`): a daemon it went into the background as (its fork and setsid, a
    `&`), or a child that outlived it (a multiprocessing child of a worker killed)."""
    named = []
    for pid, fd, comm in obs.stdout_holders[:3]:
        try:
            sid = os.getsid(pid)
        except OSError:
            sid = None
        away = f", in another session: sid {sid}" if sid not in (None, obs.worker.pid) else ""
        named.append(f"pid {pid} ({comm}{away})")
        ev.append(
            Evidence(
                f"pid {pid} ({comm}) holds fd {fd} on the worker's stdout pipe{away}",
                f"/proc/{pid}/fd",
                "a process it left running, still holding its stdout",
            )
        )
    return ", ".join(named)


FOREGROUND = (
    "Run the server in the foreground: the process the pool starts must be the one that "
    "answers (its `--foreground` or `--no-daemon` option, no `&` or `nohup`, `exec` the "
    "server from a wrapper script); a daemon keeps the pipe open, but nobody reads its "
    "requests."
)


def closing_fix(closing: str) -> str:
    """What to do about a server that exits on its session's closing request unanswered
    (efm-langserver 0.0.44 closes its connection on LSP's `shutdown`)."""
    return (
        f"Its requests are served: it answered them, and a pool that retires it with "
        f"`{closing}` loses nothing. But LSP asks a server to answer `{closing}` and exit only on "
        f"`exit`: a client that waits for that answer gets none. Look for a release of the "
        f"server that answers `{closing}` (untested here), or tell its authors."
    )


def _only_line(stderr: str) -> str | None:
    """The one line a worker wrote to its stderr, if it wrote one and no more: what it exits
    on, though no pattern knows its words."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    return lines[0][:300] if len(lines) == 1 else None


def loop_remediation(served: int) -> str:
    """What to change in a worker that exits with code 0 once it has answered `served`
    requests: it was written for one call, not as a pool's worker."""
    return (
        f"It answers {served} request(s) and exits: a pool worker loops, reading requests "
        "until its stdin closes (`for line in sys.stdin:`, or a read of the next frame in a "
        "`while True:`), and exits only then."
    )


def _fault_stack(stderr: str) -> str:
    """What Python's faulthandler printed of a crash (or ""): its first line, and the first
    lines of the crashing thread's stack (the other threads' come before it)."""
    at = stderr.rfind("Fatal Python error")
    if at < 0:
        return ""
    text = stderr[at:]
    current = text.find("Current thread ")
    stack = text[current:].splitlines()[:5] if current >= 0 else text.splitlines()[1:6]
    return "\n".join([text.splitlines()[0], *(line for line in stack if line.strip())])
