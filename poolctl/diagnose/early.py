"""Experiments begun while a request's answer is still awaited.

A silent worker's diagnosis asks fresh copies of the worker the same thing (in every framing,
unbuffered, on a terminal, many requests at once), and each copy waits as long as the original
did: begun once the original's timeout has passed, they would double the time a diagnosis
takes. So once a session's first request has waited `lead(timeout)` with nothing on stdout, the
request read and the worker's CPU no longer rising (or later in the wait, as soon as a worker
slow to start has read it and is done starting: `start_busy`), those experiments begin, side by
side with the rest of the wait. The diagnosis then takes the results of the ones its plan calls
for; the others stop at once (within STOP_POLL), and so do all of them when the answer comes
after all. They are traced as they really ran.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from poolctl.children import RUN_ENV
from poolctl.events import Trace
from poolctl.framing import FRAMINGS
from poolctl.protocol import PROTOCOLS, Request, get_protocol
from poolctl.worker import WorkerProcess
from poolctl.worker_types import Answer, NoAnswer

from . import procinfo
from .experiments import (
    NOT_BEGUN,
    Experiment,
    Outcome,
    Result,
    Skipped,
    allowed,
    framing_experiment,
    many_experiment,
    protocol_experiments,
    pty_experiment,
    refusal,
    run_experiments,
    unbuffered_experiment,
)
from .file_lock import lock_wait
from .known import Known, first_input, stand_ins
from .openings_first import openings_first
from .outcomes import (
    protocol_settled,
)
from .settled import reports_error, settling
from .start_busy import StartWatch
from .unknown_method import unknown_method

LEAD_SHARE = 0.5  # of the timeout: a worker that has not answered by then may never answer…
LEAD_MAX = 1.0  # …or after this many seconds, for long timeouts
STOP_MARGIN = 1.0  # past the timeout, for starting and stopping the fresh processes
# the least a framing or buffering experiment is waited for once an answer named the worker's
# protocol (else twice what that answer took)
LET_GO_AFTER = 1.0
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
    docstring). Each other protocol's opening is asked too, `lead` later if no experiment has
    answered by then (at once when `named`: `--framing auto` named another protocol, and
    before the framings' experiments for a costly JSON-RPC server: `openings_first`), or at
    once in the worker's framing when its frames report an error instead of an answer. Once
    their results settle why no answer comes (`settled.settling`), the request is waited for
    no longer, nor are the experiments whose results the verdict no longer needs."""

    def __init__(
        self,
        worker: WorkerProcess,
        trace: Trace | None = None,
        only: frozenset[str] | None = None,
        named: bool = False,
        known: Sequence[Known] = (),
    ) -> None:
        self.worker = worker
        self.trace = trace
        self.only = only  # the experiments it may begin (None: every one)
        self.named = named
        self.known = known  # earlier fresh processes' results: no copy asks the same again
        self.request: Request | None = None  # the request they ask, once begun
        self.experiments: tuple[Experiment, ...] = ()
        self.protocols: tuple[Experiment, ...] = ()  # the other protocols' openings, if asked
        self.results: dict[str, Result] = {}
        self.ended = ""  # why the request is waited for no longer, once the results say
        self.settled = ""  # why the framings' experiments are not either, if they are not
        self._let_go_why = ""  # why they are not after `_let_go_at`, if so
        self._let_go_at = 0.0
        self._begun_at = 0.0  # when the framings' experiments began
        self._asked_at = 0.0  # when the protocols' openings were asked
        self._lock = threading.Lock()
        self._needed: set[str] | None = None  # None: every one, until the diagnosis says
        self._over = False  # no more may begin
        self._waiting = False  # the request's wait is on: it may be ended
        self._runner: threading.Thread | None = None
        self._asker: threading.Thread | None = None  # runs the protocols' openings
        self._timer: threading.Timer | None = None  # the next look at the worker, if any
        self._ask_timer: threading.Timer | None = None  # when the openings are asked
        self._start: StartWatch | None = None  # the worker's CPU, looked at as it is looked at
        self._busy = False  # still starting at the last look (and silent): none begun for it
        self._begun: tuple[Experiment, ...] = ()  # the framings' experiments started
        # when each copy's request left its stdin pipe, and its CPU looked at since
        self._taken: dict[str, tuple[float, StartWatch]] = {}
        self._wait_over = False  # the request's wait ended: no more openings asked from here
        self._settled_short = ""  # what settled it, in short, once something did

    def watching(self, exchange: Exchange) -> Exchange:
        """`exchange`, with the experiments begun `lead` into the first request's wait, and
        stopped again if its answer comes. Only the first: a worker that answered it is no
        silent worker, and later requests pass straight through (no timer, no thread)."""

        def watched(request: Request, timeout: float) -> Answer | NoAnswer:
            if self._runner is not None or self._asker is not None or self._over:
                return exchange(request, timeout)
            self.look_during(request, timeout)
            try:
                with self._lock:
                    self._waiting = True
                outcome = exchange(request, timeout)
            except BaseException:
                self.stop(wait=False)  # an interruption: the run stops their processes
                raise
            finally:
                with self._lock:
                    self._waiting = False
                    self.worker.wait_end.renew()  # one said as it ended ends no later wait
                self.stop_looking()
            if isinstance(outcome, Answer):
                self.stop()  # it answered: no silent worker, no more watching
            return outcome

        return watched

    def look_during(self, request: Request, timeout: float) -> None:
        """Call as `request` is sent, to wait `timeout` for its answer: the experiments
        begin `lead` into the wait if the worker is silent then (see `begin`)."""
        read_before = self.worker.transcript.total
        if self.worker.poll() is None:
            self._start = StartWatch(self.worker.pid)
        self._look_in(lead(timeout), request, timeout, read_before, time.monotonic() + timeout)

    def stop_looking(self) -> None:
        """The wait is over: no further look at the worker (experiments begun run on), and the
        openings not asked yet are left to the diagnosis' plan."""
        with self._lock:
            self._wait_over = True
            for timer in (self._timer, self._ask_timer):
                if timer is not None:
                    timer.cancel()

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
        up) is looked at again every RECHECK until `wait_ends`. One whose frames since report
        an error is asked each other protocol's opening in its framing, as the plan asks."""
        worker = self.worker
        if worker.poll() is not None:
            return  # it exited: not a silent worker
        if self._lock_held_outside():
            return  # its copies would wait for that lock too
        if worker.transcript.total != read_before:
            if reports_error(worker) and not (worker.protocol.handshake and worker.answered):
                self._ask(request, timeout, keep_framing=True)
            return  # it wrote something: not a silent worker
        assert worker.proc is not None and worker.proc.stdin is not None
        unread = procinfo.unread_bytes(worker.proc.stdin.fileno())
        self._busy = not unread and self._start is not None and self._start.busy()
        if unread or self._busy:
            # not read yet, or its CPU still rising (a VM that took its stdin as it boots):
            # starting up or busy; a worker stuck there is another plan's
            if time.monotonic() + RECHECK < wait_ends:
                self._look_in(RECHECK, request, timeout, read_before, wait_ends)
            return
        costly = "" if self.named else openings_first(worker)
        if costly:  # the framings' copies wait for them (`_run_after_openings`)
            self._ask(request, timeout)
        with self._lock:
            if self._over:
                return
            self.request = request
            self.experiments = allowed(silent_worker_experiments(worker), self.only)
            found = self._stand_ins(self.experiments, request)
            started = self._unknown(self.experiments, found)
            if first_input(worker, request):  # the worker is the replay: its wait shows it
                started = [e for e in started if e.id != "replay"]
            self._begun_at = time.monotonic()
            self._begun = tuple(started)
            deadline = time.monotonic() + timeout + STOP_MARGIN
            self._runner = threading.Thread(
                target=self._run_after_openings if costly else self._run,
                args=(started, request, timeout, deadline),
                name="early-experiments",
            )
            self._runner.start()
        for result in found.values():
            self._keep(result)
        if self.named:
            self._ask(request, timeout)
        elif not costly:
            self._ask_in(lead(timeout), request, timeout)

    def _lock_held_outside(self) -> bool:
        """Begin no experiment for a worker blocked taking a file lock a process outside the run
        holds (/proc/locks): a fresh copy of it would wait there too. Its request is still
        waited for to its timeout: that process may let go meanwhile, and it then answers."""
        marker = f"{RUN_ENV}={self.worker.context.children.token}"
        lock = lock_wait(self.worker.family(), marker)
        if lock is None or lock.ours:
            return False  # a copy of the run's own holds it: the diagnosis says so
        with self._lock:
            self._over = True
        return True

    def _ask_in(self, delay: float, request: Request, timeout: float) -> None:
        with self._lock:
            if self._over or self._wait_over:
                return
            self._ask_timer = threading.Timer(delay, self._ask_if_silent, (request, timeout))
            self._ask_timer.daemon = True
            self._ask_timer.start()

    def _still_starting(self, timeout: float) -> bool:
        """Whether a copy begun for the framings, not ended, has not yet held its request for
        `lead(timeout)`, or is still busy (`start_busy`): its silence says nothing yet (a copy
        of pylsp, still importing beside the others, answered in content-length 1.5 s after
        the openings were asked, and their three copies were let go unused)."""
        now = time.monotonic()
        with self._lock:
            running = [e for e in self._begun if not e.pty and e.id not in self.results]
            taken = [self._taken.get(e.id) for e in running]  # (a pty's copy is not looked at)
        return any(t is None or now - t[0] < lead(timeout) or t[1].busy() for t in taken)

    def _on_taken(self, exp: Experiment, pid: int) -> None:
        watch = StartWatch(pid)
        with self._lock:
            self._taken[exp.id] = (time.monotonic(), watch)

    def _ask_if_silent(self, request: Request, timeout: float) -> None:
        """The openings, when no experiment has got an answer by now, each copy having held its
        request as long as the worker had at its first look (a worker that answers in another
        framing or unbuffered needs none of them; until then, looked at again every RECHECK
        during the request's wait, then left to the diagnosis' plan). A refusal is no answer (an
        MCP server in line framing refuses LSP's initialize; clangd answers a JSON-RPC ping in
        content-length 'server not initialized'), which another protocol's opening may
        explain."""
        spoken = self.worker.protocol
        handshake = spoken.handshake and request.command == spoken.opening().method
        with self._lock:
            answered = any(
                isinstance(r, Outcome)
                and r.answered
                and not refusal(r, handshake)
                and not unknown_method(r)  # a method unknown: another protocol's, maybe
                for r in self.results.values()
            )
        if answered:
            return
        if self._still_starting(timeout):
            self._ask_in(RECHECK, request, timeout)
            return
        self._ask(request, timeout)

    def _ask(self, request: Request, timeout: float, keep_framing: bool = False) -> None:
        """Ask each other protocol's opening, each in a fresh process (once)."""
        with self._lock:
            if self._over or self._asker is not None:
                return
            self.request = request
            asks = protocol_experiments(self.worker.spec, keep_framing)
            self.protocols = allowed(asks, self.only)
            if not self.protocols:
                return
            found = self._stand_ins(self.protocols, request)
            self._asked_at = time.monotonic()
            deadline = self._asked_at + timeout + STOP_MARGIN
            self._asker = threading.Thread(
                target=self._ask_in_turn,
                args=(self._unknown(self.protocols, found), request, timeout, deadline),
                name="early-protocols",
            )
            self._asker.start()
        for result in found.values():
            self._keep(result)

    def _ask_in_turn(
        self, asks: Sequence[Experiment], request: Request, timeout: float, deadline: float
    ) -> None:
        """The handshake protocols' openings first; the others' (a JSON-RPC ping, dspex's) once
        those copies are past their start, unless one got its protocol's server's answer
        meanwhile: that names the protocol whatever the others get (`protocol_settled`), and
        their copies were let go unused (an MCP server's copy answered the ping too: another
        start of its SDK, 0.5 s of CPU)."""
        first = [e for e in asks if get_protocol(e.spec.protocol).handshake]
        later = [e for e in asks if e not in first]
        if not first or not later:
            self._run(asks, request, timeout, deadline)
            return
        openings = threading.Thread(
            target=self._run, args=(first, request, timeout, deadline), name="early-openings"
        )
        openings.start()
        while openings.is_alive() and self._still_opening(first, later, timeout):
            time.sleep(RECHECK / 5)
        with self._lock:
            ended = list(self.results.values())
            needed = self._needed
        for exp in later:
            why = protocol_settled(ended, exp.id)
            if why:
                self._keep(Skipped(exp, f"not asked: {why}"))
        asked = [e for e in later if e.id not in self.results]
        if needed is not None:
            asked = [e for e in asked if e.id in needed]
        self._run(asked, request, timeout, deadline)
        openings.join()

    def _run_after_openings(
        self, experiments: Sequence[Experiment], request: Request, timeout: float, deadline: float
    ) -> None:
        """The framings' and buffering experiments of a worker asked the openings first
        (`openings_first`). The request in each handshake protocol's own framing begins at once,
        beside them: the one an opening names is the framing's evidence (a language server spoken
        jsonrpc refuses it in content-length), let go with the others' once one is answered. The
        rest begin once the handshake protocols' copies are past their start with none answered
        as its protocol's server, each given the time it would have had; they are not begun once
        one was (that answer names the protocol whatever they would get)."""
        waited_from = time.monotonic()
        own = {f"framing-{p.framing}" for p in PROTOCOLS.values() if p.handshake}
        beside = [e for e in experiments if e.id in own]
        rest = [e for e in experiments if e.id not in own]
        framings = threading.Thread(
            target=self._run, args=(beside, request, timeout, deadline), name="early-framings"
        )
        framings.start()
        first = [e for e in self.protocols if get_protocol(e.spec.protocol).handshake]
        while self._openings_pending(first, timeout) and time.monotonic() < deadline:
            time.sleep(RECHECK / 5)
        with self._lock:
            settled, needed = self._settled_short, self._needed
            if not settled:
                self._begun = (*beside, *rest)
        if settled:
            for exp in rest:
                self._keep(Skipped(exp, f"{NOT_BEGUN}{settled}, the openings asked first"))
        else:
            if needed is not None:
                rest = [e for e in rest if e.id in needed]
            self._run(rest, request, timeout, deadline + time.monotonic() - waited_from)
        framings.join()

    def _openings_pending(self, first: Sequence[Experiment], timeout: float) -> bool:
        """Whether the framings' copies still wait for the handshake openings asked before them:
        none named the protocol yet, the diagnosis still wants them, and an opening not ended
        has not held its request for `lead(timeout)` or is still busy with its start."""
        with self._lock:
            if self._settled_short or self._needed == set():
                return False
            running = [e for e in first if e.id not in self.results]
            taken = [self._taken.get(e.id) for e in running]
        now = time.monotonic()
        return any(t is None or now - t[0] < lead(timeout) or t[1].busy() for t in taken)

    def _still_opening(
        self, first: Sequence[Experiment], later: Sequence[Experiment], timeout: float
    ) -> bool:
        """Whether the `later` openings still wait for the `first`: none of those named the
        protocol yet, and one not ended has not held its request for `lead(timeout)` or is
        still busy with its start."""
        with self._lock:
            ended = list(self.results.values())
            if self._needed is not None and not any(e.id in self._needed for e in later):
                return False
            running = [e for e in first if e.id not in self.results]
            taken = [self._taken.get(e.id) for e in running]
        if any(protocol_settled(ended, e.id) for e in later):
            return False
        now = time.monotonic()
        return any(t is None or now - t[0] < lead(timeout) or t[1].busy() for t in taken)

    def _stand_ins(self, planned: Sequence[Experiment], request: Request) -> dict[str, Outcome]:
        """The earlier results that stand for those of `planned` asking `request` (see
        `known.stand_ins`)."""
        return stand_ins(self.known, planned, request.command, request.args or {})

    @staticmethod
    def _unknown(planned: Sequence[Experiment], found: dict[str, Outcome]) -> list[Experiment]:
        return [e for e in planned if e.id not in found]

    def _run(
        self,
        experiments: Sequence[Experiment],
        request: Request,
        timeout: float,
        deadline: float,
    ) -> None:
        run_experiments(
            experiments,
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
            on_taken=self._on_taken,
        )

    def _keep(self, result: Result) -> None:
        """Keep `result`; if the results now settle why no answer comes, the request's wait
        ends (when it is still on)."""
        with self._lock:
            self.results[result.id] = result
            if self.ended or self.request is None:
                return
            found = settling(self.results.values(), self.worker.protocol, self.request.command)
            if found is None:
                return
            self.ended = found.reason
            self._settled_short = found.short
            if found.by_framing:
                self.settled = found.short
            # the other experiments are let go once they had twice its time
            took = max(
                0.0, time.monotonic() - (self._begun_at if found.by_framing else self._asked_at)
            )
            self._let_go_at = self._begun_at + max(LET_GO_AFTER, 2 * took)
            self._let_go_why = (
                f"{found.short} {took:.1f} s after it was asked, and nothing answered here in "
                "twice that"
            )
            if self._waiting:  # under the lock: a wait that is over is not ended (`watched`)
                self.worker.end_wait(self.ended)

    def still_starting(self) -> bool:
        """Whether none began because the worker, silent, was still busy with its start at the
        last look of its wait (its CPU still rising): copies begun then would race its start."""
        with self._lock:
            return self._busy and self._runner is None

    def let_go_why(self) -> str:
        """Why the request in its own framing was waited for no longer, if it was: why the
        replay's copy would have been let go (its wait ended as the request's did)."""
        with self._lock:
            return self.settled or self.ended

    def let_go(self, why: str) -> None:
        """What settled it came from elsewhere (`why`: doctor's probe of the worker as
        configured found it takes its request and does not answer it): the request in a
        framing, its own included, is waited for no longer."""
        with self._lock:
            self.settled = self.settled or why

    def _not_needed(self, exp: Experiment) -> str | None:
        if exp.id.startswith("protocol-"):
            with self._lock:
                ended = list(self.results.values())
            why = protocol_settled(ended, exp.id)
            if why:
                return why
        if self._needed is not None and exp.id not in self._needed:
            return "the diagnosis did not need it"
        if exp.id.startswith("protocol-"):
            return None  # what the openings answer is the envelope's evidence
        if self.settled and (exp.id == "replay" or exp.id.startswith("framing-")):
            return self.settled
        if self._let_go_why and time.monotonic() >= self._let_go_at:
            return self._let_go_why
        return None

    def take(self, request: Request, planned: Sequence[Experiment]) -> dict[str, Result]:
        """The results of the `planned` experiments begun early for `request` (each exactly
        as planned), once they end; the others stop now, but for the protocols' openings,
        which the diagnosis may ask for next (`take_more`)."""
        with self._lock:
            self._over = True
            begun = request is self.request
            same = {e.id for e in planned if begun and e in (*self.experiments, *self.protocols)}
            self._needed = same | {e.id for e in self.protocols}
            asked = bool(same & {e.id for e in self.protocols})
        self._join(self._runner)
        if asked:
            self._join(self._asker)
        return {k: r for k, r in self.results.items() if k in same}

    def take_more(self, request: Request, planned: Sequence[Experiment]) -> dict[str, Result]:
        """After `take`: the results of the protocols' openings among `planned`, once they
        end; the rest of them stop now. One whose answer came only past its wait is left out,
        to be asked again: begun beside the other experiments, on a busy machine it may have
        been slowed by them, and on its own it may answer in time."""
        with self._lock:
            begun = request is self.request
            same = {e.id for e in planned if begun and e in self.protocols}
            self._needed = same
        self._join(self._asker)
        return {k: r for k, r in self.results.items() if k in same and not _late(r)}

    def came_late(self, planned: Sequence[Experiment]) -> float:
        """How long after its request the latest answer came, in seconds, among the openings
        in `planned` whose answer came only past their wait (0.0: none): how long a start
        takes on this machine, which their second asking is given (bounded by the timeout)."""
        ids = {e.id for e in planned}
        with self._lock:
            late = [r for r in self.results.values() if r.id in ids and _late(r)]
        taken = [r.late_ms / 1000 for r in late if isinstance(r, Outcome) and r.late_ms is not None]
        return max(taken, default=0.0)

    def stop(self, wait: bool = True) -> None:
        """No experiment begins any more, and those begun stop waiting (waited for, unless
        `wait` is False)."""
        with self._lock:
            self._over = True
            self._needed = set()
        self.stop_looking()
        if wait:
            self._join(self._runner)
            self._join(self._asker)

    def _join(self, thread: threading.Thread | None) -> None:
        if thread is not None:
            thread.join()


def _late(result: Result) -> bool:
    return isinstance(result, Outcome) and not result.answered and result.late_ms is not None
