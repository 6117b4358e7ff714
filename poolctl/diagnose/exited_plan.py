"""The experiments for a worker that exited before it answered its protocol's opening: what a
fresh process shows of why (another protocol's opening answered, or the same command with
`--stdio`)."""

from __future__ import annotations

import math

from poolctl.model import Evidence
from poolctl.protocol import PROTOCOLS, get_protocol
from poolctl.units import fmt_limit

from .asks import asked_for, first_step
from .crash_lines import exception_line
from .experiments import (
    STDIO_EXPERIMENT,
    Experiment,
    Outcome,
    Skipped,
    framing_experiment,
    protocol_experiment,
    stdio_experiment,
)
from .log_levels import logged_error
from .npm_errors import npm_failed
from .observe import Observations
from .outcomes import (
    answered_as,
    experiment_evidence,
    result,
    silent,
)
from .port_in_use import port_in_use
from .readings import (
    USAGE_ERROR,
    USAGE_LINE,
    parser_refusal,
    stream_kind,
    transport_option,
)
from .signal_traced import signal_traced
from .terminal_only import on_a_terminal


def exited_on_opening(obs: Observations) -> tuple[Experiment, ...]:
    """The experiments for a worker that exited before it answered (`_exited_on_opening`), for
    one silent on both pipes, its command with stdout and stderr on a terminal, and for one
    killed by a signal a process sends, its command under strace (who sent it)."""
    return (*_exited_on_opening(obs), *on_a_terminal(obs), *signal_traced(obs))


def _exited_on_opening(obs: Observations) -> tuple[Experiment, ...]:
    """For a server that exited on its protocol's opening, with an error and silent on stdout
    (ruff's language server, spoken MCP), or after a message in another framing (fortls spoken
    MCP: window/showMessage 'Line endings must be \\r\\n' in Content-Length frames, exit code
    0), or with code 0 (pyrefly's, spoken MCP: 'shutting down server'): the other handshake
    protocols' openings, each in a fresh process, since one that answers names the protocol
    it speaks; the same for a worker spoken jsonrpc or dspex that exited on its first request
    saying nothing of why (`ruff server` sent a JSON-RPC line exits with code 2, pyrefly's
    with code 0). Spoken its own protocol in another framing than the protocol's, the opening
    in the protocol's framing too. For a language server that exited silent, started without
    `--stdio`: the same command with it."""
    worker, status = obs.worker, obs.exit_before
    spoken = worker.protocol
    if status is None or worker.answered:
        return ()
    if _quiet_without_stdio(obs) or _listened_without_stdio(obs):
        return (stdio_experiment(worker.spec),)
    if transport_option(obs):  # started in another channel (`-m socket`): stdin hears nothing
        return ()
    said = obs.explanation
    other_framing = said is not None and said.kind == "other-framing"
    if not (other_framing or (_refused(obs) and not worker.transcript.total)):
        return ()
    if not spoken.handshake:
        if other_framing or _said_why(obs.stderr_text):
            return ()  # its own words explain the exit
    elif obs.failed.request.command != spoken.opening().method:
        return ()
    others = tuple(
        protocol_experiment(worker.spec, p.name)
        for p in PROTOCOLS.values()
        if p.name != spoken.name and p.handshake
    )
    if spoken.handshake and worker.spec.framing != spoken.framing:
        # its own protocol in its own framing (fortls and `ruff server` spoken lsp in line
        # framing exit on the line: 'Line endings must be \r\n', 'disconnected channel')
        return (framing_experiment(worker.spec, spoken.framing), *others)
    return others


def exited_since(obs: Observations) -> bool:
    """Whether the worker, alive when the evidence was collected, exited since on its own: in
    poolctl's longer wait for a slow start, or after a frame of another framing, untouched
    (no probe closed its stdin). fortls spoken MCP writes window/showMessage in Content-Length
    frames and exits: held to 8% of a CPU, more than a second after that frame, past the
    read on behind it, and its verdict was the framing, not its exit."""
    worker = obs.worker
    if obs.exit_before is not None:
        return False
    if obs.waited_longer is not None:
        # text that broke the stream ended the wait too: a slow start that ends in an error
        # written to stdout and an exit (`taplo lsp --stdio`: clap's refusal, then code 1) is
        # read on to its end when the evidence is collected again
        return worker.stdout_eof or worker.frame_error is not None
    if obs.close_probe is not None or stream_kind(obs) != "framing":
        return False
    return worker.stdout_eof or worker.poll() is not None


def ended_note(obs: Observations) -> str:
    """How the process ended, and when, if that came after its timeout: poolctl waited on for
    a start that was slow (a loaded machine's), and saw it exit instead."""
    at = obs.exited_in_wait
    if at is None:
        return "how the process ended"
    return (
        f"how the process ended: {at:.1f} s after it started, past its "
        f"{fmt_limit(obs.timeout)} timeout, while poolctl waited on for a slow start"
    )


def framed_otherwise(obs: Observations) -> tuple[str, str, Evidence] | None:
    """The clause, the fix and the evidence for a server that exited on its own protocol's
    opening in another framing than the protocol's, when in a fresh process the opening in the
    protocol's framing got its server's answer."""
    spoken = obs.worker.protocol
    framing = spoken.framing
    r = result(obs, f"framing-{framing}")
    if r is None or not spoken.handshake or not answered_as(spoken.name, r):
        return None
    clause = (
        f"in a fresh process the same request in {framing}, the framing of {spoken.name}, gets "
        f"{spoken.server_noun}'s answer: it exits on the {obs.worker.spec.framing} framing"
    )
    fix = (
        f"Frame its messages in {framing}, as {spoken.name} does (`poolctl ping --protocol "
        f"{spoken.name}` without `--framing`; in a pool, `worker.framing: {framing}` or none): "
        f"in {obs.worker.spec.framing} framing it exits on the first message."
    )
    [said] = experiment_evidence(obs, r.id)
    return clause, fix, said


def answered_late_as(obs: Observations, name: str) -> Outcome | None:
    """Protocol `name`'s experiment, if its opening got that protocol's server's answer only
    past its wait (read as its copy was stopped, or just after): a start as slow as the
    worker's, not a refusal (`ruff server` started 6 s late, at a load of 12, answered LSP's
    initialize 7.5 s after it, as its stdin closed)."""
    r = result(obs, f"protocol-{name}")
    if not isinstance(r, Outcome) or r.answered or r.late_ms is None:
        return None
    if not isinstance(r.response, dict) or "error" in r.response:
        return None
    return None if get_protocol(name).opening_problem(r.response.get("result")) else r


def late_speaker(obs: Observations) -> str | None:
    """The other handshake protocol whose opening a fresh process answered as its server does,
    but only past its wait (read as the copy was stopped): a start as slow as the worker's own
    (mcp-server-fetch spoken lsp under doctor's load, its copies beside a dozen others), not a
    refusal, nor an answer that never came."""
    for name, protocol in PROTOCOLS.items():
        if name != obs.protocol and protocol.handshake and answered_late_as(obs, name):
            return name
    return None


# the fixes that only quote what it said: no reading of its words told what to change
GENERIC_FIXES = ("Find why it exits", "Fix the error it reports", "Fix what it reports")


def other_unanswered(obs: Observations, fix: str = "") -> tuple[str, str, list[Evidence]] | None:
    """The clause, the fix and the evidence for a server that exited on our opening while, in
    a fresh process, another handshake protocol's opening got neither an answer nor an exit
    within its wait: `ruff server` spoken MCP and started 6 s late (a loaded machine's start)
    exits with code 2 past its 5 s timeout, and its copy spoken LSP, as slow, was still
    starting when its 5 s were up. Whether it serves that protocol is untested: the generic
    "run it by hand" said nothing of the one change that may. Not said where its words told
    what to change (`fix`, not a generic one): mcp-snowflake-server 0.4.0, 7 s to start, exits
    asking for SNOWFLAKE_DATABASE, and was told to ping it spoken lsp."""
    if fix and not fix.startswith(GENERIC_FIXES):
        return None
    took = obs.exited_in_wait  # its exit came past its timeout: its start was that slow
    if obs.exit_before is None or obs.worker.answered or took is None:
        return None  # a copy given as long as it took to exit, silent, may wait for more bytes
    for name, protocol in PROTOCOLS.items():
        r = result(obs, f"protocol-{name}")
        if name == obs.protocol or not protocol.handshake or not silent(r):
            continue
        assert r is not None
        clause = (
            f"in a fresh process the same command spoken {name} neither answered its opening "
            f"({protocol.opening().method}) nor exited within its wait ({r.detail}, less than "
            f"the {took:.1f} s this one took to exit)"
        )
        longer = math.ceil(2 * took)  # room for a start as slow as its exit
        fix = (
            f"Ping it spoken {name} with a longer `--timeout` (`poolctl ping --protocol {name} "
            f"--timeout {longer}`): spoken {obs.protocol}, it exits; whether it "
            f"serves {name} is untested, as a fresh process asked {name}'s opening was still "
            "running, silent, when its wait was up (a slow start, or no server of it)."
        )
        return clause, fix, experiment_evidence(obs, r.id)
    return None


def _refused(obs: Observations) -> bool:
    """Whether it exited as a server refusing what it cannot read: with an error code, or with
    code 0 as if on purpose (pyrefly's language server spoken MCP or JSON-RPC: 'shutting down
    server') when it was spoken a handshake protocol or said something on stderr, leaving no
    process behind on its stdout (a daemon it started serves there: no copy is asked again)."""
    status = obs.exit_before
    if status is None or status.code is None:
        return False
    if status.code:
        return True
    spoken = obs.worker.protocol.handshake or bool(obs.stderr_text.strip())
    return spoken and not obs.stdout_holders


def _said_why(stderr: str) -> bool:
    """Whether its stderr says why it exited: an exception, an argument parser's refusal, its
    usage, what it lacks, a step to run first or an error it logged. A worker spoken jsonrpc or
    dspex that exits on its first request saying none of these (`ruff server` on a line it
    cannot read: 'ruff failed', 'Cause: disconnected channel') may be another protocol's
    server."""
    refused = USAGE_ERROR.search(stderr) or parser_refusal(stderr) or USAGE_LINE.search(stderr)
    asks = asked_for(stderr) or first_step(stderr)
    return bool(
        exception_line(stderr) or refused or asks or logged_error(stderr) or npm_failed(stderr)
    )


def _quiet_without_stdio(obs: Observations) -> bool:
    """A language server that exited on `initialize`, writing nothing to stdout or stderr, and
    was started with neither `--stdio` nor another channel's option: it may serve an editor's
    channel by default (svelteserver and `graphql-lsp server` take Node IPC, and exit with code
    0 when there is none), which the same command with `--stdio` would show."""
    worker = obs.worker
    if worker.protocol.name != "lsp" or worker.transcript.total or obs.stderr_text.strip():
        return False
    if obs.failed.request.command != worker.protocol.opening().method:
        return False
    return "--stdio" not in worker.spec.argv and not transport_option(obs)


def stdio_untested_fix(argv: str) -> str:
    """What to do about a worker that exits at once, silent, and that with `--stdio` stayed up
    without answering within the experiment's wait: the switch changed how it behaves; whether
    it serves, untested."""
    return (
        f"Start it with `--stdio` (`{argv} --stdio`) and ping it with a longer `--timeout`: "
        "without it, it exits, saying nothing; with it, a fresh process stayed up, though it "
        "had not answered within its wait (a slow start, or no server on its stdin: untested). A "
        "language server that takes an editor's channel by default (Node IPC) exits at once "
        "when there is none."
    )


def stdio_untried(obs: Observations, argv: str) -> tuple[str, str] | None:
    """The clause and the fix for a language server that exited silent, started without
    `--stdio`, when the same command with it was planned but not run: a loaded machine's
    start and exit had spent the diagnosis' budget (at a load of 17, an exit 5 s after its
    start, past a 3 s timeout). Whether the switch serves is untested: the fix of a worker that
    exits on purpose (look for the code path) would send its user after what the switch may
    cure."""
    r = obs.results.get(STDIO_EXPERIMENT)
    if not isinstance(r, Skipped):
        return None
    clause = f"; the same command with `--stdio` was not tried in a fresh process ({r.reason})"
    fix = (
        f"Ping it started with `--stdio` (`{argv} --stdio`): without it, it exits, saying "
        "nothing, and whether it serves on its pipes with it is untested. A language server "
        "that takes an editor's channel by default (Node IPC) exits at once when there is none; "
        "if it exits with `--stdio` too, look for a code path in its start-up that returns "
        "before reading a request."
    )
    return clause, fix


def _listened_without_stdio(obs: Observations) -> bool:
    """A handshake server started without `--stdio` that exited failing to listen on an address
    in use: a server of a socket, which `--stdio` may turn to its pipes (the MCP Apps example
    servers)."""
    spec = obs.worker.spec
    return (
        obs.worker.protocol.handshake
        and "--stdio" not in spec.argv
        and not transport_option(obs)
        and port_in_use(obs.stderr_text) is not None
    )
