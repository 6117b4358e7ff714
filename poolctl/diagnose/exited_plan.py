"""The experiments for a worker that exited before it answered its protocol's opening: what a
fresh process shows of why (another protocol's opening answered, or the same command with
`--stdio`)."""

from __future__ import annotations

from poolctl.protocol import PROTOCOLS

from .asks import asked_for, first_step
from .crash_lines import exception_line
from .experiments import Experiment, protocol_experiment, stdio_experiment
from .observe import Observations
from .readings import CLICK_USAGE, USAGE_ERROR, USAGE_LINE, logged_error, transport_option


def exited_on_opening(obs: Observations) -> tuple[Experiment, ...]:
    """For a server that exited on its protocol's opening, with an error and silent on stdout
    (ruff's language server, spoken MCP), or after a message in another framing (fortls spoken
    MCP: window/showMessage 'Line endings must be \\r\\n' in Content-Length frames, exit code
    0): the other handshake protocols' openings, each in a fresh process, since one that
    answers names the protocol it speaks; the same for a worker spoken jsonrpc or dspex that
    exited on its first request, with an error code, saying nothing of why (`ruff server`
    sent a JSON-RPC line). For a language server that exited silent, started without
    `--stdio`: the same command with it."""
    worker, status = obs.worker, obs.exit_before
    spoken = worker.protocol
    if status is None or worker.answered:
        return ()
    if _quiet_without_stdio(obs):
        return (stdio_experiment(worker.spec),)
    said = obs.explanation
    other_framing = said is not None and said.kind == "other-framing"
    if not (other_framing or (status.code and not worker.transcript.total)):
        return ()
    if not spoken.handshake:
        if other_framing or _said_why(obs.stderr_text):
            return ()  # its own words explain the exit
    elif obs.failed.request.command != spoken.opening().method:
        return ()
    return tuple(
        protocol_experiment(worker.spec, p.name)
        for p in PROTOCOLS.values()
        if p.name != spoken.name and p.handshake
    )


def _said_why(stderr: str) -> bool:
    """Whether its stderr says why it exited: an exception, an argument parser's refusal, its
    usage, what it lacks, a step to run first or an error it logged. A worker spoken jsonrpc or
    dspex that exits on its first request saying none of these (`ruff server` on a line it
    cannot read: 'ruff failed', 'Cause: disconnected channel') may be another protocol's
    server."""
    refused = USAGE_ERROR.search(stderr) or CLICK_USAGE.search(stderr) or USAGE_LINE.search(stderr)
    asks = asked_for(stderr) or first_step(stderr)
    return bool(exception_line(stderr) or refused or asks or logged_error(stderr))


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
