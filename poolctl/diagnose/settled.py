"""Evidence that settles, before the timeout, why a request gets no answer: what lets the
request's wait end early (`EarlyExperiments`), so that nobody waits out a timeout for an answer
the evidence already shows cannot come.

Two things settle it: a fresh process that answers another handshake protocol's opening as that
protocol's server (an MCP server spoken dspex answers MCP's initialize with its
protocolVersion), and the request in another framing answered by another protocol's server (a
language server spoken MCP answers initialize in content-length with a language server's
capabilities and no protocolVersion). Either names the protocol the worker speaks, which the
request, in its envelope and framing, is not. What only hints at it (a plain answer in another
framing) ends no wait.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from poolctl.protocol import PROTOCOLS, Protocol, get_protocol

from .experiments import Outcome, Result
from .readings import answered_as


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
    return None


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
