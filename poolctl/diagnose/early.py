"""Experiments begun while a request's answer is still awaited.

A silent worker's diagnosis asks fresh copies of the worker the same thing (in every framing,
unbuffered, on a terminal, many requests at once), and each copy waits as long as the original
did: begun once the original's timeout has passed, they would double the time a diagnosis
takes. So once a session's first request has waited `lead(timeout)` with nothing on stdout and
the request read (or later in the wait, as soon as a worker slow to start has read it), those
experiments begin, side by side with the rest of the wait. The
diagnosis then takes the results of the ones its plan calls for; the others stop at once
(within STOP_POLL), and so do all of them when the answer comes after all. They are traced as
they really ran.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from poolctl.events import Trace
from poolctl.framing import FRAMINGS
from poolctl.protocol import Request
from poolctl.worker import WorkerProcess
from poolctl.worker_types import Answer, NoAnswer

from . import procinfo
from .experiments import (
    Experiment,
    Result,
    allowed,
    framing_experiment,
    many_experiment,
    pty_experiment,
    run_experiments,
    unbuffered_experiment,
)

LEAD_SHARE = 0.5  # of the timeout: a worker that has not answered by then may never answer…
LEAD_MAX = 1.0  # …or after this many seconds, for long timeouts
STOP_MARGIN = 1.0  # past the timeout, for starting and stopping the fresh processes
RECHECK = 0.25  # how often a request not read yet is looked at again, until its wait ends

Exchange = Callable[[Request, float], Answer | NoAnswer]


def lead(timeout: float) -> float:
    """How long a request waits for its answer before the experiments begin."""
    return min(timeout * LEAD_SHARE, LEAD_MAX)


def silent_worker_experiments(worker: WorkerProcess) -> tuple[Experiment, ...]:
    """What the plan of a silent worker (its request read, nothing on stdout) calls for, at
    most: the request in every framing (its own too), and the buffering experiments."""
    spec = worker.spec
    framings = tuple(framing_experiment(spec, name) for name in FRAMINGS)
    return (*framings, unbuffered_experiment(spec), pty_experiment(spec), many_experiment(spec))


class EarlyExperiments:
    """Begins the experiments during the wait of a session's first request once it has waited
    `lead` of its timeout, and hands the diagnosis their results (see the module's
    docstring)."""

    def __init__(
        self,
        worker: WorkerProcess,
        trace: Trace | None = None,
        only: frozenset[str] | None = None,
    ) -> None:
        self.worker = worker
        self.trace = trace
        self.only = only  # the experiments it may begin (None: every one)
        self.request: Request | None = None  # the request they ask, once begun
        self.experiments: tuple[Experiment, ...] = ()
        self.results: dict[str, Result] = {}
        self._lock = threading.Lock()
        self._needed: set[str] | None = None  # None: every one, until the diagnosis says
        self._over = False  # no more may begin
        self._runner: threading.Thread | None = None
        self._timer: threading.Timer | None = None  # the next look at the worker, if any

    def watching(self, exchange: Exchange) -> Exchange:
        """`exchange`, with the experiments begun `lead` into the first request's wait, and
        stopped again if its answer comes. Only the first: a worker that answered it is no
        silent worker, and later requests pass straight through (no timer, no thread)."""

        def watched(request: Request, timeout: float) -> Answer | NoAnswer:
            if self._runner is not None or self._over:
                return exchange(request, timeout)
            self.look_during(request, timeout)
            try:
                outcome = exchange(request, timeout)
            except BaseException:
                self.stop(wait=False)  # an interruption: the run stops their processes
                raise
            finally:
                self.stop_looking()
            if isinstance(outcome, Answer):
                self.stop()  # it answered: no silent worker, no more watching
            return outcome

        return watched

    def look_during(self, request: Request, timeout: float) -> None:
        """Call as `request` is sent, to wait `timeout` for its answer: the experiments
        begin `lead` into the wait if the worker is silent then (see `begin`)."""
        read_before = self.worker.transcript.total
        self._look_in(lead(timeout), request, timeout, read_before, time.monotonic() + timeout)

    def stop_looking(self) -> None:
        """The wait is over: no further look at the worker (experiments begun run on)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()

    def _look_in(
        self, delay: float, request: Request, timeout: float, read_before: int, wait_ends: float
    ) -> None:
        with self._lock:
            if self._over:
                return
            self._timer = threading.Timer(
                delay, self._begin, (request, timeout, read_before, wait_ends)
            )
            self._timer.daemon = True
            self._timer.start()

    def _begin(self, request: Request, timeout: float, read_before: int, wait_ends: float) -> None:
        """Begin the experiments for `request` (waiting `timeout`, sent when the worker's
        stdout transcript held `read_before` bytes) if the worker is silent: it wrote nothing
        since, is alive and has read the request. One that has not read it yet (still starting
        up) is looked at again every RECHECK until `wait_ends`."""
        worker = self.worker
        if worker.transcript.total != read_before or worker.poll() is not None:
            return  # it wrote something, or it exited: not a silent worker
        assert worker.proc is not None and worker.proc.stdin is not None
        if procinfo.unread_bytes(worker.proc.stdin.fileno()):
            # not read yet: starting up or busy; a worker stuck there is another plan's
            if time.monotonic() + RECHECK < wait_ends:
                self._look_in(RECHECK, request, timeout, read_before, wait_ends)
            return
        with self._lock:
            if self._over:
                return
            self.request = request
            self.experiments = allowed(silent_worker_experiments(worker), self.only)
            deadline = time.monotonic() + timeout + STOP_MARGIN
            self._runner = threading.Thread(
                target=self._run, args=(request, timeout, deadline), name="early-experiments"
            )
            self._runner.start()

    def _run(self, request: Request, timeout: float, deadline: float) -> None:
        run_experiments(
            self.experiments,
            command=request.command,
            args=request.args or {},
            timeout=timeout,
            deadline=deadline,
            capture_dir=self.worker.capture_dir,
            base_id=self.worker.worker_id,
            context=self.worker.context,
            on_result=self._keep,
            trace=self.trace,
            not_needed=self._not_needed,
        )

    def _keep(self, result: Result) -> None:
        with self._lock:
            self.results[result.id] = result

    def _not_needed(self, exp: Experiment) -> str | None:
        if self._needed is not None and exp.id not in self._needed:
            return "the diagnosis did not need it"
        return None

    def take(self, request: Request, planned: Sequence[Experiment]) -> dict[str, Result]:
        """The results of the `planned` experiments begun early for `request` (each exactly
        as planned), once they end; the others stop now."""
        with self._lock:
            self._over = True
            begun = request is self.request
            same = {e.id for e in planned if begun and e in self.experiments}
            self._needed = same
        self._join()
        return {k: r for k, r in self.results.items() if k in same}

    def stop(self, wait: bool = True) -> None:
        """No experiment begins any more, and those begun stop waiting (waited for, unless
        `wait` is False)."""
        with self._lock:
            self._over = True
            self._needed = set()
        if wait:
            self._join()

    def _join(self) -> None:
        if self._runner is not None:
            self._runner.join()
