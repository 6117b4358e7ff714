"""Fresh copies starved of CPU, asked again a few at a time.

The experiments start their copies of the worker side by side: seven or more at once. A worker
whose start is CPU-bound (a heavy MCP server's imports: 1.9 s of CPU for mcp-server-fetch) then
shares two cores with all of them, and none gets through its start within the wait: every
experiment is silent, and shows nothing either way. Read as each copy was stopped, whether it
waited for input (its start over: its silence is evidence) and the CPU time it had used (less
than twice the worker's own start: not busy with anything else) tell a copy starved of CPU
from one that started and still said nothing. When every experiment showed nothing and some
copies were starved so, the likeliest of them (other protocols' openings, then other framings)
are asked again, two at a time, within a bounded extra time, so that one run gives the answer.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from poolctl.events import Trace
from poolctl.framing import FRAMINGS
from poolctl.model import Evidence
from poolctl.protocol import get_protocol
from poolctl.worker import WorkerProcess

from .experiments import Experiment, Outcome, Result, run_experiments
from .observe import Observations
from .outcomes import shows_nothing

AT_ONCE = 2  # copies asked again side by side
EXTRA_LIMIT = 20.0  # the most seconds asking again may add to a diagnosis
START_MARGIN = 2.0  # a copy not waiting for input with less CPU than this many times the
# worker's start was still starting (a loaded machine's CPU time varies); one with more is busy
MIN_START_CPU = 0.3  # a start that costs less CPU is not CPU-bound: alone, it is no faster
START_FACTOR = 3.0  # a copy asked again waits this many times the worker's start CPU (at least
# its timeout): other load on the machine slows it still


@dataclass(frozen=True)
class Starved:
    """The silent copies that were still starting, starved of CPU, and what the worker's own
    start took."""

    start_cpu: float  # the CPU time the worker (waiting for input) had used
    most_share: float  # the largest share of a CPU any of them got
    copies: tuple[Outcome, ...]
    ran: int  # the copies that ran (the worker's own process aside)


def starved(obs: Observations) -> Starved | None:
    """The experiments' copies starved of CPU, when every experiment showed nothing and the
    worker (waiting for input when looked at) had spent a CPU-bound start."""
    if obs.late_answer is not None or obs.answer_after_close is not None:
        return None
    if obs.live is None or obs.live.stdin_wait() is None:
        return None
    ran = [r for r in obs.results.values() if isinstance(r, Outcome) and not r.stood_in]
    if not ran or not all(shows_nothing(r) for r in ran):
        return None
    # what it had used when looked at, its request read (its stdin closed since, it may be gone)
    start = sum(p.cpu_seconds for p in obs.live.processes)
    if start < MIN_START_CPU:
        return None
    # still starting when stopped (one that had started waits for input, and its silence is
    # evidence), given too little CPU to be busy with anything but its start
    copies = [
        r for r in ran if not r.started and r.cpu_s is not None and r.cpu_s < START_MARGIN * start
    ]
    if not copies:
        return None
    most = max(r.cpu_share or 0.0 for r in copies)
    return Starved(start, most, tuple(copies), len(ran))


def likeliest(copies: Sequence[Outcome]) -> list[Experiment]:
    """The starved experiments worth asking again, the likeliest first: another protocol's
    opening (a handshake protocol's before plain JSON-RPC: its answer names framing and
    envelope both), then another framing (line and content-length first), then the rest."""

    def rank(exp: Experiment) -> tuple[int, int]:
        if exp.id.startswith("protocol-"):
            return (0, 0 if get_protocol(exp.spec.protocol).handshake else 1)
        if exp.id.startswith("framing-"):
            return (1, ["line", "content-length", *FRAMINGS].index(exp.spec.framing))
        return (2, 0)

    return sorted((r.experiment for r in copies), key=rank)


def ask_again(
    found: Starved,
    worker: WorkerProcess,
    obs: Observations,
    *,
    timeout: float,
    accepted: Callable[[Result], bool],
    on_result: Callable[[Result], None],
    not_needed: Callable[[Experiment], str | None],
    trace: Trace | None = None,
) -> Evidence:
    """Ask the starved copies' experiments again, AT_ONCE at a time, the likeliest first,
    until one is answered or EXTRA_LIMIT seconds are spent (a copy still starting when its wait is
    up is waited for until it begins, then given its wait: on a loaded machine two copies at a
    time may still start slower than the worker did); their outcomes replace the starved
    ones in `obs.results`. Returns the evidence line that says so."""
    started = time.monotonic()
    end = started + EXTRA_LIMIT
    wait = max(timeout, START_FACTOR * found.start_cpu)
    pending = likeliest(found.copies)
    asked: list[Result] = []
    how = f"asked again {AT_ONCE} at a time: the first copy was starved of CPU"

    def mark(r: Result) -> None:
        if isinstance(r, Outcome):  # in place of the starved copy's, as soon as it ends
            r = dataclasses.replace(r, again=how)
            asked.append(r)
        on_result(r)

    while pending and time.monotonic() + 0.2 < end and not worker.context.interrupted:
        wave, pending = pending[:AT_ONCE], pending[AT_ONCE:]
        results = run_experiments(
            wave,
            command=obs.failed.request.command,
            args=obs.failed.request.args or {},
            timeout=wait,
            deadline=end,
            capture_dir=worker.capture_dir,
            base_id=f"{worker.worker_id}-again",
            context=worker.context,
            on_result=mark,
            trace=trace,
            not_needed=not_needed,
            starting_until=end,  # a copy slower to start than its wait is waited for
        )
        if any(accepted(r) for r in results):
            break
    took = time.monotonic() - started
    answered = [r for r in asked if isinstance(r, Outcome) and r.answered]
    said = (
        f"{answered[0].experiment.label} answered" if answered else "none of them answered either"
    )
    text = (
        f"{len(found.copies)} of the {found.ran} silent fresh copies were still starting when "
        f"stopped, given at most {found.most_share:.0%} of a CPU ({found.ran + 1} processes side "
        f"by side on {os.cpu_count() or 1} CPUs; the worker's start took {found.start_cpu:.2f} s "
        f"of CPU): {len(asked)} of them were asked again, {AT_ONCE} at a time, each given "
        f"{wait:.1f} s once started (one still starting then was waited for), within at most "
        f"{EXTRA_LIMIT:g} s more (it took {took:.1f} s): {said}"
    )
    return Evidence(text, "CPU time of each process, from /proc/PID/stat as it was stopped")
