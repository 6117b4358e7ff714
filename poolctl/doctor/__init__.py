"""`poolctl doctor`: check the interpreter, the worker and the pool settings before anything runs.

`run_doctor` runs the check families side by side (each owns its processes and stops them) and
returns one `Report(kind="doctor")` whose checks are in section order. A family that raises is
reported as a warning naming the error, never fatal to the others. On a worker that does not
answer, the worker sections take their verdicts from the no-answer engine that `ping` and the
pool use (one probe of the worker as configured), so doctor never contradicts them.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Protocol

from poolctl import __version__, activity
from poolctl.lifecycle import FULL_DISK
from poolctl.model import Check, DoctorDetails, Evidence, Report
from poolctl.patterns.loader import PatternSet
from poolctl.rundir import RunDir
from poolctl.scenario import PoolSection, Scenario
from poolctl.worker_types import DEFAULT_INIT_TIMEOUT, StderrMode, WorkerSpec

from .buffering import check_buffering
from .command import check_command
from .framing import check_framing
from .hygiene import check_hygiene
from .interpreter import check_interpreter
from .language import worker_language
from .limits import check_limits
from .pool_settings import UnknownSetting, check_pool
from .probe import Probe, run_probe
from .startup import check_startup
from .target import CheckList, Target, describe

SECTIONS = (
    "Interpreter",
    "Worker command",
    "Start-up",
    "Output hygiene",
    "Framing",
    "Buffering",
    "Pool settings",
    "Limits",
)
WORKER_SECTIONS = ("Start-up", "Output hygiene", "Framing", "Buffering")


class SectionListener(Protocol):
    """Told of each section as soon as it and every section before it are done (in section
    order, as `flutter doctor` prints them)."""

    def started(self, worker: str) -> None:
        """The checks begin on `worker` (its command line)."""
        ...

    def finished(self, section: str, checks: Sequence[Check]) -> None:
        """`section` is done."""
        ...


@dataclass(frozen=True)
class DoctorOptions:
    """What to check: the worker, the scenario it comes from (if any), and the init timeout."""

    spec: WorkerSpec
    init_timeout: float = DEFAULT_INIT_TIMEOUT  # start-up is judged against it; probes wait it
    scenario: Scenario | None = None
    unknown_settings: tuple[UnknownSetting, ...] = ()
    sections: frozenset[str] | None = None  # only these (None: all)
    patterns: PatternSet | None = None  # the knowledge base the verdicts are worded from
    listener: SectionListener | None = None


def run_doctor(options: DoctorOptions, run_dir: RunDir) -> Report:
    """Run every check and return the report; no process is left running."""
    started = time.monotonic()
    target = describe(options.spec, run_dir.context.children)
    if options.listener is not None:
        options.listener.started(target.argv_text)
    wanted = options.sections or frozenset(SECTIONS)
    timeout = options.init_timeout
    notes: list[str] = []
    results: dict[str, Future[CheckList]] = {}
    probe: Future[Probe] | None = None
    with ThreadPoolExecutor(max_workers=12, thread_name_prefix="doctor") as pool:

        def submit(section: str, fn: Callable[..., CheckList], *args: object) -> None:
            if section in wanted:
                results[section] = pool.submit(_timed, section, fn, *args)

        if target.runnable or target.python is not None:
            submit("Interpreter", check_interpreter, target)
        submit("Worker command", check_command, target)
        workers, source = _pool_size(options.scenario)
        language = worker_language(target) if target.runnable else None
        if target.runnable:
            # One probe of the worker as configured, judged by the no-answer engine on no answer:
            # its judgements are the verdicts of Start-up, Output hygiene, Framing and Buffering.
            if wanted & {*WORKER_SECTIONS, "Pool settings"}:
                probe = pool.submit(_main_probe, target, run_dir, timeout, options.patterns)
            submit("Start-up", check_startup, target, run_dir, options.init_timeout, probe)
            submit("Buffering", check_buffering, target, run_dir, timeout, probe, options.patterns)
            if "Output hygiene" in wanted:
                assert probe is not None
                apart = probe
                if options.spec.stderr is StderrMode.MERGE:  # to tell its stderr from its stdout
                    apart = pool.submit(_apart_probe, options.spec, run_dir, timeout)
                submit("Output hygiene", _hygiene, probe, apart, options.spec.stderr, run_dir)
            if "Framing" in wanted:
                assert probe is not None
                submit("Framing", _from_probe, check_framing, probe, run_dir, timeout)
        # the worker's own limits are read from the probe's process, as it answered
        submit("Limits", check_limits, workers, source, target.children, language, probe)
        if not target.runnable:
            skipped = [s for s in (*WORKER_SECTIONS, "Interpreter") if s in wanted]
            skipped = [s for s in skipped if s not in results]
            if skipped:
                notes.append(f"not run: {', '.join(skipped)} (the worker command cannot start)")
        if "Pool settings" in wanted:
            if options.scenario is None and not options.unknown_settings:
                notes.append("Pool settings not checked: no scenario file given")
            else:
                startup = results.get("Start-up")
                submit(
                    "Pool settings",
                    _pool,
                    options.scenario,
                    options.unknown_settings,
                    startup,
                    probe,
                )
        checks: list[Check] = []
        for section in SECTIONS:
            if section in results:
                with activity.waiting(f"checking {section.lower()}…"):
                    done = _waited(results[section]).checks
                checks.extend(done)
                if options.listener is not None:
                    options.listener.finished(section, done)
    return Report(
        kind="doctor",
        title=f"doctor {target.argv_text}",
        inputs=tuple(
            x
            for x in (str(options.scenario.path) if options.scenario else "", target.argv_text)
            if x
        ),
        checks=tuple(checks),
        environment={
            "poolctl": __version__,
            "python": sys.version.split()[0],
            "cwd": os.getcwd(),
        },
        notes=tuple(notes),
        run_dir=str(run_dir.path),
        details=DoctorDetails(
            seconds=round(time.monotonic() - started, 3),
            init_timeout_s=options.init_timeout,
            worker=tuple(options.spec.argv),
            framing=options.spec.framing,
            stderr=str(options.spec.stderr),
            protocol=options.spec.protocol,
        ),
    )


def _waited(future: Future[CheckList]) -> CheckList:
    """`future`'s result, waited for in short steps: a wait with no timeout is not woken by a
    signal that the kernel gave another thread, and the handler (Ctrl-C, SIGTERM) runs in the
    main thread only once it wakes (a SIGTERM left doctor waiting on its sections)."""
    while True:
        try:
            return future.result(timeout=0.1)
        except FutureTimeout:
            continue


def _main_probe(
    target: Target, run_dir: RunDir, timeout: float, patterns: PatternSet | None
) -> Probe:
    spec = target.spec
    if spec.stderr is StderrMode.DISCARD:  # captured instead, to be read; the worker sees no change
        spec = dataclasses.replace(spec, stderr=StderrMode.CAPTURE)
    return run_probe(
        spec, run_dir, "probe", timeout, diagnose=True, budget=timeout + 3.0, patterns=patterns
    )


def _apart_probe(spec: WorkerSpec, run_dir: RunDir, timeout: float) -> Probe:
    """The worker with its stderr captured apart from stdout: what each stream carries."""
    apart = dataclasses.replace(spec, stderr=StderrMode.CAPTURE)
    return run_probe(apart, run_dir, "hygiene", timeout, diagnose=False)


def _from_probe(check: Callable[..., CheckList], probe: Future[Probe], *args: object) -> CheckList:
    return check(probe.result(), *args)


def _hygiene(
    probe: Future[Probe], apart: Future[Probe], stderr: StderrMode, run_dir: RunDir
) -> CheckList:
    return check_hygiene(probe.result(), apart.result(), stderr, run_dir.workers)


def _pool(
    scenario: Scenario | None,
    unknown: tuple[UnknownSetting, ...],
    startup: Future[CheckList] | None,
    probe: Future[Probe] | None,
) -> CheckList:
    """The pool judged against the init time Start-up measured (else the framing probe's)."""
    init_s = startup.result().facts.get("init_s") if startup is not None else None
    if init_s is None and probe is not None:
        init_s = probe.result().ready_s
    return check_pool(scenario, unknown, init_s)


def _pool_size(scenario: Scenario | None) -> tuple[int, str]:
    if scenario is None:
        default = PoolSection()
        return default.size + default.max_overflow, "the default pool size"
    pool = scenario.pool
    return pool.size + pool.max_overflow, f"size {pool.size} + max_overflow {pool.max_overflow}"


def _timed(section: str, fn: Callable[..., CheckList], *args: object) -> CheckList:
    """Run one family, stamp its time on its checks; an error becomes a warning, not a crash."""
    started = time.monotonic()
    try:
        result = fn(*args)
    except OSError as exc:
        if exc.errno in FULL_DISK:  # the run folder cannot be written: said as every command does
            raise
        result = _could_not(section, exc)
    except Exception as exc:
        result = _could_not(section, exc)
    seconds = round(time.monotonic() - started, 3)
    result.checks = [dataclasses.replace(c, seconds=seconds) for c in result.checks]
    return result


def _could_not(section: str, exc: Exception) -> CheckList:
    """A check that failed with an error of poolctl's own: a warning, not a crash."""
    result = CheckList(section)
    result.add(
        "error",
        "warn",
        f"poolctl could not run this check ({type(exc).__name__}: {exc})",
        "report it as a poolctl bug, with the run folder",
        [Evidence(repr(exc), "poolctl")],
    )
    return result


__all__ = ["SECTIONS", "DoctorOptions", "SectionListener", "run_doctor"]
