"""Evidence that settles, before the timeout, why a request gets no answer: what lets the
request's wait end early (`EarlyExperiments`), so that nobody waits out a timeout for an answer
the evidence already shows cannot come.

Two things settle it: a fresh process that answers another handshake protocol's opening as that
protocol's server (an MCP server spoken dspex answers MCP's initialize with its
protocolVersion), and the request in another framing answered by another protocol's server (a
language server spoken MCP answers initialize in content-length with a language server's
capabilities and no protocolVersion). Either names the protocol the worker speaks, which the
request, in its envelope and framing, is not. So does the spoken protocol's own server answering
its opening in another framing name the framing (a language server spoken lsp in line framing
answers initialize in content-length). What only hints at it (a frame that reports an
error, a framing that answers) begins experiments early, and ends no wait by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from poolctl import json_text
from poolctl.protocol import PROTOCOLS, Protocol, get_protocol
from poolctl.worker import WorkerProcess

from .experiments import Outcome, Result
from .outcomes import (
    answered_as,
)

# LSP's MessageType.Error in window/showMessage and window/logMessage; MCP's error levels
_LSP_ERROR = 1
_MCP_ERRORS = ("error", "critical", "alert", "emergency")


class Settled(NamedTuple):
    """Why the request is waited for no longer (`reason`), and in short (`short`) for the
    experiments let go with it. The framings' are let go at once when another framing's
    answer named the protocol (`by_framing`: it confirms the framing's verdict whatever they
    get); otherwise they, and the buffering experiments, once each has had twice the time the
    answer that named it took (their results tell their verdicts: one silent so long shows
    nothing either way, one that wrote something other than an answer had its chance)."""

    reason: str
    short: str
    by_framing: bool


def settling(results: Iterable[Result], spoken: Protocol, command: str) -> Settled | None:
    """Why the request `command` of protocol `spoken` need not be waited for any more, given
    the experiments ended so far (`results`); None while nothing settles it."""
    for r in results:
        if not isinstance(r, Outcome) or not r.answered:
            continue
        took = r.detail.removeprefix("answered ")
        framing = r.experiment.spec.framing
        if r.id.startswith("protocol-"):
            name = r.id.removeprefix("protocol-")
            protocol = get_protocol(name)
            if name != spoken.name and protocol.handshake and answered_as(name, r):
                opening = f"the {name} opening ({protocol.opening().method}) in {framing}"
                return Settled(
                    f"{opening} got {protocol.server_noun}'s answer, {took}: it names the "
                    f"protocol (fresh process {r.worker_id})",
                    f"{opening} got {protocol.server_noun}'s answer (fresh process {r.worker_id})",
                    by_framing=False,
                )
        elif r.id.startswith("framing-"):
            other = _speaker_named(r, spoken, command)
            if other is not None:
                return Settled(
                    f"in {framing} framing {command} got {other.server_noun}'s answer, {took}, "
                    f"not {spoken.server_noun}'s: it names the protocol (fresh process "
                    f"{r.worker_id})",
                    f"the answer of fresh process {r.worker_id} in {framing} named the protocol",
                    by_framing=True,
                )
            if _own_answer(r, spoken, command):
                return Settled(
                    f"in {framing} framing {command} got {spoken.server_noun}'s answer, {took}: "
                    f"the protocol spoken, in another framing, names the framing (fresh process "
                    f"{r.worker_id})",
                    f"the answer of fresh process {r.worker_id} in {framing} named the framing",
                    by_framing=True,
                )
    return None


def _own_answer(r: Outcome, spoken: Protocol, command: str) -> bool:
    """Whether our opening, in another framing, got the answer of a server of the protocol
    spoken: a language server spoken lsp in line framing reads the line as a header and waits
    for the rest of a frame, and its answer in content-length names the framing (its opening's
    answer is checked as that protocol's server's, not taken for any answer)."""
    if not spoken.handshake or command != spoken.opening().method:
        return False
    return answered_as(spoken.name, r)


def _speaker_named(r: Outcome, spoken: Protocol, command: str) -> Protocol | None:
    """The protocol whose server answered our opening in another framing (its own), when its
    answer says so (`opening_problem`'s "speak lsp to it")."""
    if not spoken.handshake or command != spoken.opening().method:
        return None
    raw = r.response
    if not isinstance(raw, dict) or "error" in raw:
        return None
    speaks = re.search(r"speak (\w+) to it", spoken.opening_problem(raw.get("result")))
    if speaks is None or speaks[1] not in PROTOCOLS:
        return None
    other = PROTOCOLS[speaks[1]]
    return other if other.framing == r.experiment.spec.framing else None


def reports_error(worker: WorkerProcess) -> bool:
    """Whether the worker wrote, since the request, a frame that reports an error instead of an
    answer (LSP's window/showMessage or window/logMessage of type Error, MCP's
    notifications/message at an error level): as a notification, or set aside as answering
    nothing where the envelope has no notifications (jedi-language-server spoken dspex:
    'Error in server: 'dict' object has no attribute 'jsonrpc'')."""
    count = worker.notification_count - worker.notifications_before
    since = list(worker.recent_notifications)[-count:] if count > 0 else []
    messages: list[Any] = [m.raw for _, m in since]
    for payload in worker.stray_payloads:
        try:
            messages.append(json_text.loads(payload))
        except ValueError:
            continue
    return any(_error_report(m) for m in messages)


def _error_report(message: Any) -> bool:
    if not isinstance(message, dict) or not isinstance(message.get("params"), dict):
        return False
    params, method = message["params"], message.get("method")
    if method in ("window/showMessage", "window/logMessage"):
        return bool(params.get("type") == _LSP_ERROR)
    return method == "notifications/message" and params.get("level") in _MCP_ERRORS
