"""`--framing auto`: the worker pinged in every framing, each in a fresh process, side by side.

A worker that writes first shows its framing at once (pyright's language server writes
window/logMessage in Content-Length frames before it reads anything). When that framing is a
handshake protocol's own, that protocol's opening is asked in a fresh process too; so is every
handshake protocol's when a dspex worker is silent in every framing `lead(timeout)` into the
wait (an MCP or language server). Once one gets that protocol's server's answer, the worker is
named, and the trials are waited for no longer: no framing answers a request the worker's
protocol does not have (as the diagnosis lets go of the failed request in that framing).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

from poolctl import json_text
from poolctl.diagnose.early import lead
from poolctl.diagnose.experiments import (
    Experiment,
    Outcome,
    Result,
    Skipped,
    protocol_experiment,
    run_experiments,
)
from poolctl.diagnose.known import Known, known_results
from poolctl.diagnose.outcomes import (
    answered_as,
    framing_speakers,
)
from poolctl.errors import FramingError
from poolctl.events import Trace
from poolctl.framing import DEFAULT_MAX_FRAME, FRAMINGS, get_framing
from poolctl.model import FramingTrial
from poolctl.protocol import PROTOCOLS, get_protocol, workspace
from poolctl.rundir import RunDir
from poolctl.worker_types import WorkerSpec

STOP_MARGIN = 5.0  # past the timeout, for starting and stopping the fresh processes


def framing_trials(
    spec: WorkerSpec,
    command: str | None,
    args: dict[str, Any],
    timeout: float,
    run_dir: RunDir,
    trace: Trace | None = None,
) -> tuple[tuple[FramingTrial, ...], list[Known]]:
    """Ping the worker `spec` in every framing, each in a fresh process, side by side; and what
    each fresh process it started was asked and showed (the trials and the openings asked
    beside them), which a diagnosis' copies asked the same need not show again."""
    opening = get_protocol(spec.protocol).opening(workspace(spec.cwd), spec.init_options)
    asked = command or opening.method
    given = args if command else dict(opening.params or {})
    trials = [
        Experiment(f"auto-{name}", f"in {name}", dataclasses.replace(spec, framing=name))
        for name in FRAMINGS
    ]
    deadline = time.monotonic() + timeout + STOP_MARGIN
    named = _Named(spec, asked, timeout, deadline, run_dir, trace)
    named.watch()
    try:
        results = run_experiments(
            trials,
            command=asked,
            args=given,
            timeout=timeout,
            deadline=deadline,
            capture_dir=run_dir.workers,
            base_id="w1",
            first_answer_wins=True,
            context=run_dir.context,
            trace=trace,
            on_result=named.look,
            not_needed=named.why_not,
        )
    finally:
        named.end()
    winner = next((r for r in results if isinstance(r, Outcome) and r.answered), None)

    def detail(r: Outcome | Skipped) -> str:
        if isinstance(r, Skipped):
            return f"not run ({r.reason})"
        if winner is not None and not r.answered and r.detail.startswith("not waited for"):
            return f"no answer before {winner.experiment.spec.framing} answered"
        return r.detail

    said = tuple(
        FramingTrial(r.experiment.spec.framing, isinstance(r, Outcome) and r.answered, detail(r))
        for r in results
    )
    return said, known_results([*results, *named.results], asked, given)


def _starts_with_frame(data: bytes, framing: str) -> bool:
    """Whether `data` (the start of a trial's stdout, cut short) begins with a whole message of
    JSON in `framing`: what follows it may be cut."""
    decoder = get_framing(framing).decoder(DEFAULT_MAX_FRAME)
    try:
        frames = decoder.feed(data)
        return bool(frames) and json_text.loads(frames[0]) is not None
    except (FramingError, ValueError):
        return False


class _Named:
    """The protocol whose framing a trial's worker wrote, asked its opening in a fresh process
    (once), and why the trials need not wait once its server answers."""

    def __init__(
        self,
        spec: WorkerSpec,
        command: str,
        timeout: float,
        deadline: float,
        run_dir: RunDir,
        trace: Trace | None,
    ) -> None:
        self.spec, self.command, self.timeout, self.deadline = spec, command, timeout, deadline
        self.run_dir, self.trace = run_dir, trace
        self.lock = threading.Lock()
        self.reason = ""  # why the trials wait no longer: the protocol is named
        self.over = False  # the trials have ended: the openings asked stop too
        self.answered = False  # a trial got its answer: nothing to name
        self.runner: threading.Thread | None = None
        self.timer: threading.Timer | None = None
        self.results: list[Result] = []  # of the openings asked

    def watch(self) -> None:
        """A dspex worker's envelope is no JSON-RPC server's: if no trial has answered
        `lead(timeout)` into their wait, every handshake protocol's opening is asked too (an MCP
        or language server silent to a dspex ping in every framing answers its own)."""
        if get_protocol(self.spec.protocol).envelope == "jsonrpc":
            return  # an MCP server answers a JSON-RPC ping too: its opening names nothing
        self.timer = threading.Timer(lead(self.timeout), self._silent)
        self.timer.daemon = True
        self.timer.start()

    def _silent(self) -> None:
        self._ask_in_turn(
            [p.name for p in PROTOCOLS.values() if p.handshake and p.name != self.spec.protocol]
        )

    def look(self, result: Result) -> None:
        """A trial ended: if its worker wrote another framing's frames, and that framing is a
        handshake protocol's own, ask that protocol's opening (each, once)."""
        if isinstance(result, Outcome) and result.answered:
            self.answered = True
        if not isinstance(result, Outcome) or result.answered or not result.stdout_head:
            return
        tried = result.experiment.spec.framing
        seen = [f for f in FRAMINGS if f != tried and _starts_with_frame(result.stdout_head, f)]
        speakers = [n for f in seen for n in framing_speakers(f, self.spec.protocol, self.command)]
        if speakers:
            self._ask_in_turn(speakers)

    def _ask_in_turn(self, speakers: list[str]) -> None:
        """Ask each protocol's opening in a fresh process, unless asked already or moot."""
        with self.lock:
            if self.runner is not None or self.over or self.answered:
                return
            asks = [protocol_experiment(self.spec, name) for name in speakers]
            self.runner = threading.Thread(target=self._ask, args=(asks,), name="auto-protocol")
            self.runner.start()

    def _ask(self, asks: list[Experiment]) -> None:
        run_experiments(
            asks,
            command=self.command,
            args={},
            timeout=self.timeout,
            deadline=self.deadline,
            capture_dir=self.run_dir.workers,
            base_id="w1-auto",
            context=self.run_dir.context,
            trace=self.trace,
            on_result=self._heard,
            not_needed=lambda _exp: "the trials had ended" if self.over else None,
        )

    def _heard(self, result: Result) -> None:
        with self.lock:
            self.results.append(result)
        name = result.experiment.spec.protocol
        if not isinstance(result, Outcome) or not answered_as(name, result):
            return
        protocol = get_protocol(name)
        took = result.detail.removeprefix("answered ")
        with self.lock:
            self.reason = self.reason or (
                f"the {name} opening ({protocol.opening().method}) in {protocol.framing} got "
                f"{protocol.server_noun}'s answer first, {took}: it names the protocol "
                f"(fresh process {result.worker_id})"
            )

    def why_not(self, _trial: Experiment) -> str | None:
        return self.reason or None

    def end(self) -> None:
        """The trials are over: an opening still asked stops waiting, and is waited for."""
        with self.lock:
            self.over = True
            runner = self.runner
        if self.timer is not None:
            self.timer.cancel()
        if runner is not None:
            runner.join()
