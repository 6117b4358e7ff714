"""Readings of the experiments' outcomes that several hypotheses (and the engine's plan) share:
whether a fresh process answered, in time or past its wait, in which framing or protocol, or
showed nothing either way; and the evidence sentences for them."""

from __future__ import annotations

from collections.abc import Sequence

from poolctl.framing import FRAMINGS
from poolctl.model import Evidence
from poolctl.protocol import PROTOCOLS, Protocol, get_protocol

from .experiments import NOT_BEGUN, Outcome, Result, Skipped
from .observe import Observations

BUFFER_EXPERIMENTS = ("unbuffered", "pty", "many")


def other_framings(obs: Observations) -> list[str]:
    return [name for name in FRAMINGS if name != obs.framing]


def result(obs: Observations, eid: str) -> Outcome | None:
    r = obs.results.get(eid)
    return r if isinstance(r, Outcome) else None


def not_begun(obs: Observations, eid: str) -> str:
    """Why experiment `eid` was not begun, the evidence having settled the verdict before it
    (the openings asked first: `openings_first`), or "": it shows nothing either way."""
    r = obs.results.get(eid)
    return r.reason if isinstance(r, Skipped) and r.reason.startswith(NOT_BEGUN) else ""


def silent(outcome: Outcome | None) -> bool:
    """An experiment's process wrote nothing and was still running when its time was up."""
    return (
        outcome is not None
        and not outcome.answered
        and not outcome.stdout_head
        and outcome.detail.startswith("no answer within")
    )


def let_go_silent(outcome: Outcome | None) -> bool:
    """An experiment's process wrote nothing before it was waited for no longer (the evidence
    had settled the verdict): like one `silent` within its time, it shows nothing."""
    return (
        outcome is not None
        and not outcome.answered
        and not outcome.stdout_head
        and outcome.detail.startswith("not waited for")
    )


def shows_nothing(outcome: Outcome | None) -> bool:
    """An experiment's fresh process got no answer in its wait and so shows nothing either way:
    it wrote nothing (within its time, or before it was let go), or its answer came only past
    its wait (a start as slow as the worker's own, beside the other experiments)."""
    late = outcome is not None and not outcome.answered and outcome.late_ms is not None
    return silent(outcome) or let_go_silent(outcome) or late


def framings_all_silent(obs: Observations) -> bool:
    """Every fresh process the framing experiments started, the one spoken the worker's own
    framing (the replay) included, wrote nothing within its time: a start slower than that,
    beside the other experiments, shows nothing either way."""
    others = [f"framing-{f}" for f in other_framings(obs) if f"framing-{f}" in obs.results]
    outcomes = [result(obs, e) for e in ["replay", *others]]
    return (
        bool(others)
        and outcomes[0] is not None
        and all(silent(r) or let_go_silent(r) for r in outcomes)
    )


def answered(obs: Observations, eid: str) -> bool:
    r = result(obs, eid)
    return r is not None and r.answered


def framing_worked(obs: Observations, name: str) -> bool:
    """A fresh process answered in `name` framing, within its wait or just past it (a busy
    machine): either way that framing works."""
    r = result(obs, f"framing-{name}")
    return r is not None and (r.answered or r.late_ms is not None)


def answering_protocols(obs: Observations) -> list[str]:
    """The other protocols whose opening a fresh process answered, the one the verdict names
    first: a handshake answered without error says most (an MCP server also answers a bare
    JSON-RPC ping)."""
    found = [
        eid.removeprefix("protocol-")
        for eid in obs.results
        if eid.startswith("protocol-") and answered(obs, eid)
    ]

    def rank(name: str) -> tuple[bool, bool]:
        r = result(obs, f"protocol-{name}")
        clean = isinstance(r, Outcome) and answered_as(name, r)
        return (not clean, not get_protocol(name).handshake)

    return sorted(found, key=rank)


def protocol_settled(results: Sequence[Result], eid: str) -> str | None:
    """Why protocol experiment `eid` need not be waited for any more, if it need not: another
    handshake protocol's opening got an answer without error (among `results`, those ended so
    far), which `answering_protocols` names first whatever `eid` still shows. One that could
    tie with it (a handshake protocol, which would rank by its place) is waited for unless it
    comes after it among the protocols."""
    if eid.startswith("framing-"):
        return _framing_settled(results, eid.removeprefix("framing-"))
    if not eid.startswith("protocol-"):
        return None
    names = list(PROTOCOLS)
    mine = get_protocol(eid.removeprefix("protocol-"))
    for r in results:
        name = r.id.removeprefix("protocol-")
        if r.id == eid or not r.id.startswith("protocol-") or not isinstance(r, Outcome):
            continue
        if not answered_as(name, r) or not get_protocol(name).handshake:
            continue
        ahead = mine.handshake and names.index(mine.name) < names.index(name)
        if ahead and not _answered_as_another(mine, name, r):
            continue
        opening = get_protocol(name).opening().method
        took = r.detail.removeprefix("answered ")
        return f"the {name} opening ({opening}) got an answer first, {took}: it names the protocol"
    return None


def framing_speakers(framing: str, spoken: str, command: str) -> list[str]:
    """The other handshake protocols whose own framing is `framing`, and whose opening is not
    `command` (the request of protocol `spoken` that failed): a worker that writes `framing`
    (pyright's log messages, before it reads) may be that protocol's server, which a request
    of `spoken` in `framing` would not show."""
    return [
        p.name
        for p in PROTOCOLS.values()
        if p.name != spoken and p.framing == framing and p.handshake
        if p.opening().method != command
    ]


def _framing_settled(results: Sequence[Result], framing: str) -> str | None:
    """Why the failed request in `framing` need not be waited for: a handshake protocol whose
    own framing it is got its opening answered there as that protocol's server, which names
    what the worker speaks whatever the request gets."""
    for r in results:
        name = r.id.removeprefix("protocol-")
        if not r.id.startswith("protocol-") or not isinstance(r, Outcome):
            continue
        protocol = get_protocol(name)
        if protocol.framing == framing and protocol.handshake and answered_as(name, r):
            took = r.detail.removeprefix("answered ")
            return (
                f"the {name} opening ({protocol.opening().method}) in {framing} got an answer "
                f"first, {took}: it names the protocol"
            )
    return None


def _answered_as_another(mine: Protocol, name: str, r: Outcome) -> bool:
    """Whether `name`'s answer to the opening `mine` sends too (initialize) says the server is
    `name`'s, not `mine`'s (a language server's capabilities, no MCP protocolVersion): asked
    the same in `mine`'s framing, it cannot answer as `mine`'s server."""
    if mine.opening().method != get_protocol(name).opening().method or r.response is None:
        return False
    return f"speak {name} to it" in mine.opening_problem(r.response.get("result"))


def answered_as(name: str, r: Outcome) -> bool:
    """Whether protocol `name`'s opening got an answer without error that is that protocol's
    server's: a language server answers MCP's initialize too, in its own framing, with no
    protocolVersion (jedi-language-server), which names no MCP server."""
    if not r.answered or r.response is None or "error" in r.response:
        return False
    return not get_protocol(name).opening_problem(r.response.get("result"))


def answer_as(obs: Observations, name: str) -> Outcome | None:
    """Protocol `name`'s experiment, if its opening got that protocol's server's answer."""
    r = result(obs, f"protocol-{name}")
    return r if isinstance(r, Outcome) and answered_as(name, r) else None


def buffer_answered(obs: Observations, eid: str) -> bool:
    """Whether buffering experiment `eid` got the answer: in a protocol with a handshake its
    fresh process is sent the request alone, so an error reply is the request refused out of
    session (the MCP SDK's -32602), not the answer a buffer held back. One read just past its
    wait (a loaded machine's start) counts, as a framing's does (`framing_worked`), when it
    came with its stdin open sooner after the request than the worker's own stdin stayed open
    with no answer: it answered where the worker did not."""
    r = result(obs, eid)
    if r is None or not (r.answered or _late_while_open(obs, r)) or skips_first(r):
        return False
    refused = r.response is not None and "error" in r.response
    return not (refused and obs.worker.protocol.handshake)


def skips_first(r: Outcome) -> bool:
    """Sent many requests at once (ids 1 to N), the fresh process answered every one but the
    first, beginning with id 2: it took its first message for something other than a request
    (a configuration). Not a buffer: one holds back the last answers, not the first."""
    n = r.experiment.requests
    first_id = r.response.get("id") if isinstance(r.response, dict) else None
    return n > 1 and r.answered and r.answers == n - 1 and first_id == 2


def _late_while_open(obs: Observations, r: Outcome) -> bool:
    """`r`'s answer came past its wait, its stdin still open, sooner after the request than
    the worker's stdin stayed open after it (until the close probe): not a handler as slow as
    the worker's, nor an answer out only at end of input."""
    probe = obs.close_probe
    if r.late_ms is None or r.late_at_eof or probe is None:
        return False
    open_for = probe.at - probe.seconds - obs.request_sent_at
    return r.late_ms / 1000 <= open_for


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
