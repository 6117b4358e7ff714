"""Run a scenario against real worker processes: start the pool, drive the steps, record it all.

Everything that happens becomes an event in the trace; `scenario.classify` reads the trace
afterwards and says which patterns happened. An interrupted run (a signal the CLI hands over
through the run's context: Ctrl-C, SIGTERM, SIGHUP, SIGQUIT) aborts the pool, stops every
process, keeps all that was captured, and says it was interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import re
import signal
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from poolctl.errors import PoolctlError
from poolctl.events import Observer, Trace
from poolctl.patterns.loader import PatternSet
from poolctl.pool import Pool, PoolConfig, PoolError
from poolctl.protocol import get_protocol
from poolctl.ready_first import new_loop
from poolctl.rundir import RunDir
from poolctl.scenario.failed_calls import FailedCalls
from poolctl.scenario.failed_checks import FailedChecks
from poolctl.scenario.load import Scenario
from poolctl.scenario.schema import (
    KillWorkerStep,
    NotifyStep,
    RequestStep,
    ResponseExpect,
    ServiceStep,
    SleepStep,
    StopPoolStep,
    filled,
    filled_values,
)
from poolctl.scenario.timed_out import CheckoutTimeouts
from poolctl.scenario.unanswered import Unanswered
from poolctl.worker import WorkerProcess
from poolctl.worker_types import Answer, WorkerSpec


@dataclass
class RunOutcome:
    """What a run left behind for classification."""

    scenario: Scenario
    run_dir: RunDir
    trace: Trace
    pool: Pool
    interrupted: str | None = None  # "SIGINT", "SIGTERM"… when the run was cut short
    interrupted_at: float | None = None  # the signal's time in the trace
    interrupted_by: str = ""  # its sender, when a worker or its family sent it (` from pid …`)
    step_errors: list[str] = field(default_factory=list)
    services: dict[str, WorkerProcess] = field(default_factory=dict)
    failed_checks: FailedChecks = field(default_factory=FailedChecks)  # bounded, by shape
    failed_calls: FailedCalls = field(default_factory=FailedCalls)  # bounded, by kind
    checkout_timeouts: CheckoutTimeouts = field(default_factory=CheckoutTimeouts)  # the same
    unanswered: Unanswered = field(default_factory=Unanswered)  # the same


def fill(template: Any, i: int) -> Any:
    """Replace `{i}` in every string of `template` (nested dicts and lists included)."""
    if isinstance(template, str):
        return template.replace("{i}", str(i))
    if isinstance(template, dict):
        return {k: fill(v, i) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, i) for v in template]
    return template


def path_parts(path: str) -> list[str]:
    """`result.content[0].text` and `result.content.0.text` alike: the keys and list indexes
    a dotted path goes through."""
    return [p for p in re.split(r"\.|\[(\d+)\]", path) if p]


def lookup(body: Any, path: str) -> tuple[bool, Any]:
    """Follow a dotted path (`result.pool_pid`, `result.content.0.text` into a list) into a
    response; (found, value)."""
    node = body
    for part in path_parts(path):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]  # an MCP tool's output: `result.content.0.text`
        else:
            return False, None
    return True, node


def flatten_keys(body: Any, prefix: str = "") -> list[str]:
    """Every dotted path present in a response, list items by index (the first few), for the
    nearest-field suggestion."""
    if isinstance(body, list):
        items: Any = {str(i): v for i, v in enumerate(body[:LISTED_ITEMS])}
        body = items
    if not isinstance(body, dict):
        return []
    paths = []
    for key, value in body.items():
        path = f"{prefix}{key}"
        paths.append(path)
        paths.extend(flatten_keys(value, path + "."))
    return paths


LISTED_ITEMS = 3  # items of a list whose paths are offered as the nearest field


_CALLER = re.compile(r"^s(?P<step>\d+)c\d+$")


def caller_id(step: int, k: int) -> str:
    """The name of request step `step`'s caller `k`: `s2c5` (the pool's events carry it)."""
    return f"s{step}c{k}"


def step_of(caller: str | None) -> int | None:
    """The request step a caller named by `caller_id` belongs to (None for any other)."""
    named = _CALLER.match(caller or "")
    return int(named["step"]) if named else None


# five a request, read back by no rule but as counts (checkouts granted) and the last checkout
# asked: held, they made a run's memory grow with its requests (290 MB at 80,000 pings)
ROUTINE_EVENTS = frozenset(
    {"checkout_requested", "checkout_granted", "request", "response", "checkin"}
)
# one a failed response, call, checkout or unanswered request: the runner holds them grouped
# (`FailedChecks` by shape, `FailedCalls`, `CheckoutTimeouts` and `Unanswered` by kind), a few
# each; held in the trace, a run whose every response failed, or every call, grew with its
# requests (and one whose every request went unanswered: 171 MB at 20,000, 192 MB at 60,000)
GROUPED_EVENTS = frozenset({"expectation_failed", "call_failed", "checkout_timeout", "no_response"})


class ScenarioRunner:
    """Drives one scenario; `run()` returns a `RunOutcome` even when interrupted."""

    def __init__(
        self,
        scenario: Scenario,
        run_dir: RunDir,
        observers: list[Observer] | None = None,
        patterns: PatternSet | None = None,
    ) -> None:
        self.scenario = scenario
        self.run_dir = run_dir
        # the per-request events are let go once written: the classifier only counts them
        # failures filed as the trace records them (failed calls with when each asked)
        failed_checks, failed_calls, timeouts = FailedChecks(), FailedCalls(), CheckoutTimeouts()
        unanswered = Unanswered()
        self.trace = Trace(
            run_dir.events,
            [*(observers or []), failed_checks, failed_calls, timeouts, unanswered],
            let_go=ROUTINE_EVENTS | GROUPED_EVENTS,
        )
        s = scenario
        config = PoolConfig(
            size=s.pool.size,
            max_overflow=s.pool.max_overflow,
            lazy=s.pool.lazy,
            init_timeout=s.worker.init_timeout,
            checkout_timeout=s.pool.checkout_timeout,
            request_timeout=s.pool.request_timeout,
            stop_grace=s.pool.stop_grace,
        )
        self.pool = Pool(s.worker_spec(), config, run_dir, self.trace, patterns=patterns)
        self.outcome = RunOutcome(
            scenario,
            run_dir,
            self.trace,
            self.pool,
            failed_checks=failed_checks,
            failed_calls=failed_calls,
            checkout_timeouts=timeouts,
            unanswered=unanswered,
        )
        self._background: list[asyncio.Task[Any]] = []

    # --- the run --------------------------------------------------------------------------
    def run(self) -> RunOutcome:
        """Run to the end, or until a signal the CLI hands over; always stop every process."""
        try:
            # a signal in the middle of making the loop would leave half of it, whose
            # __del__ prints a traceback ('_UnixSelectorEventLoop' object has no attribute
            # '_ssock'): the signal is raised once it is made
            with self.run_dir.context.atomic():
                runner = asyncio.Runner(loop_factory=new_loop)
                runner.get_loop()
            with runner:
                runner.run(self._main())
        finally:
            self.pool.stop_now()
            for service in self.outcome.services.values():
                service.stop(1.0)
            self.trace.close()
            self._collect_debug_logs()
        return self.outcome

    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        main = asyncio.current_task()
        assert main is not None
        context = self.run_dir.context

        def hand_over(sig: signal.Signals) -> bool:
            """The CLI's signal handler (main thread, between two steps of this loop) hands
            the first signal over: the loop ends the run itself, evidence and report kept."""
            try:
                loop.call_soon_threadsafe(self._interrupt, sig, main)
            except RuntimeError:  # the loop is closing: the CLI ends the run
                return False
            return True

        context.on_signal = hand_over
        # the trace cannot be written (a full disk, `ulimit -f`): the run ends now, and says
        # so when the trace closes, instead of running on with nothing kept
        self.trace.on_write_error = lambda: loop.call_soon_threadsafe(main.cancel)
        try:
            await self._drive()
        except asyncio.CancelledError:
            if self.outcome.interrupted is None and self.trace.write_error is None:
                raise
            await asyncio.shield(self.pool.shutdown("abort", 0.5))
        finally:
            context.on_signal = None
            self.trace.on_write_error = None

    def _interrupt(self, sig: signal.Signals, main: asyncio.Task[Any]) -> None:
        if self.outcome.interrupted is None:  # later signals only hurry the stop (the CLI's)
            self.outcome.interrupted = sig.name
            self.outcome.interrupted_by = self.run_dir.context.sender
            # the CLI stopped every child when the signal came, before this callback ran: a
            # worker that died from then on died of the stop, which the trace must tell apart
            signalled = self.run_dir.context.signalled_at
            now = self.trace.now()
            self.outcome.interrupted_at = round(
                min(now, max(0.0, signalled - self.trace.start)) if signalled else now, 6
            )
            # recorded now, before the loop hears of the workers the stop ends: read in order,
            # the trace says the run was interrupted, then that its workers were stopped
            self.trace.emit("interrupted", signal=sig.name, at=self.outcome.interrupted_at)
            main.cancel()

    async def _drive(self) -> None:
        self.trace.emit("scenario_start", name=self.scenario.name, file=str(self.scenario.path))
        await self.pool.start()
        for index, (kind, step) in enumerate(self.scenario.steps, start=1):
            self.trace.emit("step_start", step=index, kind=kind)
            try:
                await self._step(index, kind, step)
            except PoolctlError as exc:
                self.outcome.step_errors.append(f"step {index} ({kind}): {exc.message}")
                self.trace.emit("step_error", step=index, kind=kind, error=exc.message)
            self.trace.emit("step_end", step=index, kind=kind)
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await self.pool.shutdown("drain")
        self.trace.emit("scenario_end", name=self.scenario.name)

    async def _step(self, index: int, kind: str, step: Any) -> None:
        if isinstance(step, RequestStep):
            await self._requests(index, step)
        elif isinstance(step, NotifyStep):
            await self.pool.notify(step.method, filled_values(step.params, self.scenario.base))
        elif isinstance(step, SleepStep):
            await asyncio.sleep(step.seconds)
        elif isinstance(step, StopPoolStep):
            await self._later(step.after, self.pool.shutdown(step.mode, step.grace))
        elif isinstance(step, KillWorkerStep):
            await self._later(step.after, self._kill(index, step))
        elif isinstance(step, ServiceStep) and kind == "start_service":
            self._start_service(step.name)
        elif isinstance(step, ServiceStep):
            self._require_service(index, step.name)

    async def _later(self, after: float, coro: Any) -> None:
        """Run `coro` now (`after` 0), or `after` seconds from now while the next steps go on."""
        if after <= 0:
            await coro
            return

        async def delayed() -> None:
            await asyncio.sleep(after)
            await coro

        self._background.append(asyncio.ensure_future(delayed()))

    async def _kill(self, index: int, step: KillWorkerStep) -> None:
        # a kill scheduled with `after` lands while later steps run: its error names its step
        try:
            self.pool.kill(step.which, signal.Signals[step.signal])
        except PoolError as exc:
            self.outcome.step_errors.append(f"step {index} (kill_worker): {exc.message}")
            self.trace.emit("step_error", step=index, kind="kill_worker", error=exc.message)

    # --- requests -------------------------------------------------------------------------
    async def _requests(self, index: int, step: RequestStep) -> None:
        pending = iter(range(step.count))
        step = step.model_copy(update={"args": filled_values(step.args, self.scenario.base)})

        async def caller(k: int) -> None:
            for i in pending:  # callers share one iterator: each takes the next index
                await self._call(index, step, i, caller_id(index, k))

        await asyncio.gather(*(caller(k) for k in range(min(step.concurrency, step.count))))

    async def _call(self, index: int, step: RequestStep, i: int, caller: str) -> None:
        args = fill(step.args, i)
        session = fill(step.session, i) if step.session else None
        try:
            outcome = await self.pool.call(caller, step.command, args, session, step.timeout)
        except PoolError as exc:
            self.trace.emit(
                "call_failed",
                caller=caller,
                session=session,
                step=index,
                error_type=type(exc).__name__,
                error=exc.message,
                phase=getattr(exc, "phase", None),
            )
            return
        if isinstance(outcome, Answer):
            expect = step.expect
            if expect.equals:  # expectations may use {i} too
                expect = expect.model_copy(update={"equals": fill(expect.equals, i)})
            self._check(index, caller, session, step.command, args, outcome, expect)

    def _check(
        self,
        index: int,
        caller: str,
        session: str | None,
        command: str,
        args: dict[str, Any],
        answer: Answer,
        expect: ResponseExpect,
    ) -> None:
        """Record each way the response differs from what the step expects."""
        body = answer.response.raw
        common: dict[str, Any] = {
            "caller": caller,
            "session": session,
            "step": index,
            "command": command,
        }
        response = answer.response
        success, error = get_protocol(self.pool.spec.protocol).outcome_of(
            command, response.success, response.result, response.error_message
        )
        if expect.success is not None and success != expect.success:
            self.trace.emit(
                "expectation_failed",
                **common,
                check="success",
                expected=expect.success,
                error=error or None,
                args=sorted(args),
            )
            return  # the other checks read `result`, which a rejected request lacks
        for path in expect.fields:
            found, _ = lookup(body, path)
            if not found:
                self.trace.emit(
                    "expectation_failed",
                    **common,
                    check="field",
                    field=path,
                    present=flatten_keys(body),
                )
        for path, wanted in expect.equals.items():
            found, value = lookup(body, path)
            if not found or value != wanted:
                self.trace.emit(
                    "expectation_failed",
                    **common,
                    check="equals",
                    field=path,
                    expected=wanted,
                    got=value if found else None,
                    present=flatten_keys(body) if not found else None,
                )

    # --- services -------------------------------------------------------------------------
    def _start_service(self, name: str) -> None:
        section = self.scenario.body.services[name]
        base = self.scenario.base
        env = {key: filled(value, base) for key, value in section.env.items()}
        spec = WorkerSpec(argv=section.argv(base), env=env)
        process = WorkerProcess(
            spec, self.run_dir.workers, worker_id=f"svc-{name}", context=self.run_dir.context
        ).start()
        self.outcome.services[name] = process
        self.trace.emit("service_start", service=name, pid=process.pid)

    def _require_service(self, index: int, name: str) -> None:
        process = self.outcome.services.get(name)
        if process is not None and process.alive():
            self.trace.emit("service_ok", step=index, service=name, pid=process.pid)
            return
        if process is None:
            state = "never started"
        else:
            status = process.poll()
            state = status.describe() if status else "not running"
        self.trace.emit("service_missing", step=index, service=name, state=state)

    # --- evidence -------------------------------------------------------------------------
    def _collect_debug_logs(self) -> None:
        """Copy each worker's declared debug logs beside its stderr (workers/<id>.debug.log)."""
        patterns = self.scenario.worker.debug_logs
        if not patterns:
            return
        for worker in self.pool.all_workers:
            target = self.run_dir.debug_log(worker.id)
            for pattern in patterns:
                for found in sorted(glob.glob(pattern.replace("{worker_id}", worker.id))):
                    if Path(found).resolve() == target.resolve():
                        continue
                    with contextlib.suppress(OSError), open(target, "ab") as out:
                        _append_log(Path(found), out)


def _append_log(src: Path, out: BinaryIO) -> None:
    """A worker's debug log appended to `out` in chunks, as large as it was when opened: a
    log of gigabytes was read whole into memory, and one that is a device (`/dev/zero`) was
    read until the memory ran out. A file that is not a regular one is named, not read."""
    fd = os.open(src, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO nobody writes: not waited on
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            out.write(f"--- {src}: not copied: not a regular file (a device or a pipe)\n".encode())
            return
        out.write(f"--- {src}\n".encode())
        left = info.st_size
        while left > 0 and (chunk := f.read(min(left, 1 << 20))):
            out.write(chunk)
            left -= len(chunk)
