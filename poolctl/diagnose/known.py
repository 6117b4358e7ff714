"""Results of fresh processes started earlier in the same run, standing for an experiment
that would ask the same again: `--framing auto`'s trials ask the worker's request in every
framing, and the openings of the protocols it may speak, before the ping; the diagnosis of
that ping asks its copies the same things. A copy started to ask what one already answered
(or did not, within its wait) shows nothing new, and costs a start: an MCP server's `import
mcp` is about a second of CPU (0.9-1.2 s at a load of 8)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from poolctl.protocol import Request
from poolctl.units import fmt_limit
from poolctl.worker import WorkerProcess

from .experiments import Experiment, Outcome, Result
from .observe import Observations
from .outcomes import (
    answered_as,
)


@dataclass(frozen=True)
class Known:
    """An earlier fresh process's result, and the request it was asked."""

    result: Outcome
    command: str
    args: dict[str, Any]


def known_results(results: Iterable[Result], command: str, args: dict[str, Any]) -> list[Known]:
    """Those of `results` that ran a process, each asked `command` with `args` unless its
    experiment asks its own (another protocol's opening)."""
    return [
        Known(
            r,
            r.experiment.command or command,
            (r.experiment.args or {}) if r.experiment.command else args,
        )
        for r in results
        if isinstance(r, Outcome)
    ]


def stand_ins(
    known: Sequence[Known], experiments: Iterable[Experiment], command: str, args: dict[str, Any]
) -> dict[str, Outcome]:
    """For each of `experiments` (asking `command` with `args` unless it asks its own), the
    earlier result of a process started as it would be (the same command line, environment,
    framing and protocol, on a pipe or a terminal, as many requests) and asked the same, as
    its result: its own fresh process need not be started."""
    # one let go before its wait was up stands in only once the protocol is named, as the
    # diagnosis' copy would have been let go then too
    named = any(
        k.result.id.startswith("protocol-")
        and answered_as(k.result.experiment.spec.protocol, k.result)
        for k in known
    )
    found: dict[str, Outcome] = {}
    for exp in experiments:
        asked = (exp.command, exp.args or {}) if exp.command else (command, args)
        for k in known:
            e = k.result.experiment
            if k.result.detail.startswith("not waited for") and not named:
                continue
            if (e.spec, e.pty, e.requests) == (exp.spec, exp.pty, exp.requests) and (
                k.command,
                k.args,
            ) == asked:
                found[exp.id] = dataclasses.replace(k.result, experiment=exp)
                break
    return found


def first_input(worker: WorkerProcess, request: Request) -> bool:
    """Whether `request` is all the worker was ever sent: then the worker is a fresh process
    asked it, as the replay's copy would be."""
    return worker.written == len(worker.framing.encode(request.to_json()))


def worker_as_replay(
    obs: Observations, planned: Sequence[Experiment], let_go: str
) -> dict[str, Outcome]:
    """The worker's own failed wait as the replay's result, when the request was its first
    input: the same command line, environment and framing, started fresh and asked the same,
    it is the replay, already run (a copy of mcp-server-time is about a second of CPU). `let_go`
    says why its wait ended before its timeout, if it did: why a copy would have been let go."""
    worker, failed = obs.worker, obs.failed
    replay = next((e for e in planned if e.id == "replay"), None)
    if replay is None or replay.spec != worker.spec or failed.reason != "timeout":
        return {}
    probe = obs.close_probe
    wrote = probe.offset if probe is not None else worker.transcript.total  # in its wait
    if not first_input(worker, failed.request) or wrote:
        return {}
    cut = failed.waited < obs.timeout
    if cut and not let_go:
        return {}
    detail = f"not waited for: {let_go}" if cut else f"no answer within {fmt_limit(obs.timeout)}"
    stood_in = f"the worker itself, pid {worker.pid}: a fresh process, this request its first input"
    return {
        replay.id: Outcome(
            replay, False, detail, worker.worker_id, asked=failed.request.command, stood_in=stood_in
        )
    }
