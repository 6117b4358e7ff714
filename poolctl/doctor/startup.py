"""Check 3, start-up cost: how long the worker takes from spawn to its first answer, split into
the interpreter's own start and the import time of each module the worker imports at start
(`PYTHONPROFILEIMPORTTIME=1`, as `python -X importtime`: it reaches the interpreter through
shims and shebang scripts), against the init timeout; a margin under 2x is a warning. A worker
that does not answer is judged by the no-answer engine (stuck in initialization, or why not).
"""

from __future__ import annotations

import dataclasses
import re
import sys
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from poolctl.diagnose.hypotheses import stuck_in_init
from poolctl.diagnose.read_watch import ReadWatch
from poolctl.holes import read_head
from poolctl.model import Evidence
from poolctl.protocol import Request, workspace
from poolctl.rundir import RunDir
from poolctl.worker import WorkerProcess
from poolctl.worker_exit import exited_while_answering, settle
from poolctl.worker_types import Answer, StderrMode

from .installed import installed_origin
from .probe import Probe, end_on_refusal, refused
from .target import CheckList, Target, run_briefly, seconds_text

SECTION = "Start-up"
IMPORTTIME_ENV = "PYTHONPROFILEIMPORTTIME"
MARGIN = 2.0  # the init timeout should be at least this many times the measured start
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")
STDERR_LIMIT = 4 * 1024 * 1024


@dataclass(frozen=True)
class Import:
    """One module imported at start, with its time including what it imported."""

    name: str
    seconds: float  # cumulative
    depth: int


def parse_importtime(text: str) -> list[Import]:
    """The `import time:` lines of a Python's stderr, in the order they were printed."""
    found = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            found.append(Import(m.group(4), int(m.group(2)) / 1e6, len(m.group(3)) // 2))
    return found


def worker_imports(lines: list[Import], baseline: set[str]) -> list[Import]:
    """Top-level imports the worker made, beyond what the bare interpreter imports, slowest
    first."""
    own = [i for i in lines if i.depth == 0 and i.name not in baseline]
    return sorted(own, key=lambda i: -i.seconds)


@dataclass(frozen=True)
class Baseline:
    """The bare interpreter: its start time and the modules it imports by itself."""

    seconds: float | None
    modules: set[str]


def baseline(target: Target) -> Baseline:
    """Start the worker's interpreter (or this one, for the module names only) with nothing."""
    py = target.python
    interp = py.interpreter_path if py is not None and py.interpreter_path else None
    env = {**target.env, IMPORTTIME_ENV: "1"}
    times = []
    modules: set[str] = set()
    for _ in range(2):
        ran = run_briefly(
            [interp or sys.executable, "-c", "pass"],
            env=env,
            cwd=target.cwd,
            timeout=15,
            children=target.children,
        )
        if ran.ok:
            times.append(ran.seconds)
            modules |= {i.name for i in parse_importtime(ran.stderr)}
    return Baseline(min(times) if times and interp else None, modules)


def answered_later(
    worker: WorkerProcess, request: Request, until: float, configured: Future[Probe] | None
) -> float | None:
    """Keep waiting for a slow start's answer until `until`: the seconds since spawn at which it
    came, or None. The wait ends sooner once the `configured` probe's verdict shows none comes
    (a language server spoken MCP's initialize: waiting out the rest is for nothing)."""
    while time.monotonic() < until:
        if worker.take_answer(request) is not None:
            return worker.elapsed()
        if worker.stdout_eof or worker.frame_error is not None:
            return None
        if refused(configured):
            return None
        worker.read_stdout(min(0.25, max(0.0, until - time.monotonic())))
    return None


def check_startup(
    target: Target, run_dir: RunDir, init_timeout: float, configured: Future[Probe] | None
) -> CheckList:
    """Spawn the worker with import timing on, ping it, and split its start-up time. When it
    does not answer, the no-answer engine's judgement of the `configured` probe says why."""
    out = CheckList(SECTION)
    spec = dataclasses.replace(
        target.spec,
        env={**target.spec.env, IMPORTTIME_ENV: "1"},
        stderr=StderrMode.CAPTURE,
    )
    wait = 2 * init_timeout  # long enough to say by how much a slow start misses the timeout
    worker = WorkerProcess(spec, run_dir.workers, worker_id="startup", context=run_dir.context)
    ready: float | None = None
    gone, gone_fix = "", ""
    with worker:
        # a ping, or the handshake's first request
        opening = worker.protocol.opening(workspace(spec.cwd), spec.init_options)
        request = worker.ids.request(opening.method, opening.params)
        asked = time.monotonic()
        with ReadWatch(worker) as watch:
            end_on_refusal(worker, configured)
            outcome = worker.exchange_request(request, init_timeout)
            if isinstance(outcome, Answer):
                ready = worker.elapsed()
                settle(worker)  # a worker that exits after its answer is seen to
                gone, gone_fix = exited_while_answering(worker)
            elif outcome.reason == "timeout":
                ready = answered_later(worker, request, asked + wait, configured)
                waited = time.monotonic() - asked
                outcome = dataclasses.replace(outcome, detail=f"no response within {waited:.0f} s")
    base = baseline(target)  # after the worker: the other checks' processes have started too
    out.facts["init_s"] = ready
    stderr = _read(worker.stderr_path)
    timed = parse_importtime(stderr)
    imports = worker_imports(timed, base.modules)
    total_imports = sum(i.seconds for i in imports)
    evidence = _evidence(base, imports, worker, run_dir)
    parts = []
    if base.seconds is not None:
        parts.append(f"interpreter {seconds_text(base.seconds)}")
    slowest = [i for i in imports[:2] if i.seconds >= 0.001]
    # Python prints an import's time when it ends: a log that ends on a nested import was cut
    # while a top-level one still ran, whose time (the slowest) is missing from the figures.
    if ready is None and timed and timed[-1].depth > 0:
        parts.append(
            f"its imports had not finished when it was stopped: the last one timed, "
            f"`{timed[-1].name}`, is nested in an import still running; those finished took "
            f"{seconds_text(total_imports)}"
        )
    elif slowest:
        slow = ", ".join(f"{i.name} {seconds_text(i.seconds)}" for i in slowest)
        parts.append(f"imports {seconds_text(total_imports)}, slowest {slow}")
    elif imports:
        parts.append(f"imports {seconds_text(total_imports)}")
    elif target.python is not None and ready is not None:
        parts.append("no import timings (PYTHONPROFILEIMPORTTIME ignored: -E or -I?)")
    rest = ready - (base.seconds or 0.0) - total_imports if ready is not None else 0.0
    # the time after it read its first request went into the answer, not into its start-up
    read_at = watch.read_at
    answering = ready - read_at if ready is not None and read_at is not None else 0.0
    if answering > 0.1 and ready is not None and answering > ready / 4:
        rest -= answering
        parts.append(
            f"it read its {opening.method} {seconds_text(read_at or 0.0)} after spawn and "
            f"answered {seconds_text(answering)} later"
        )
    else:
        answering = 0.0
    if parts and rest > 0.1 and ready is not None and rest > ready / 4:
        parts.append(f"its own init {seconds_text(rest)}")
    split = f" ({'; '.join(parts)})" if parts else ""
    probe = configured.result() if configured is not None else None
    engine = probe.diagnosis if probe is not None else None
    stuck = probe.judged(stuck_in_init.ID) if probe is not None else None
    measured_over = ready is not None and ready >= init_timeout  # said below, with the split
    if probe and engine and stuck and stuck.status == "confirmed" and not measured_over:
        # The engine's verdict on the worker as configured: its request sat unread.
        first = probe.confirmed()[0] == stuck_in_init.ID
        verdict = engine.cause if first else "its first request sat unread in its stdin pipe"
        remedy = engine.remediation if first else _remedy(imports, wait, target, evidence)
        said = (
            f"no answer within {wait:g} s, over the {init_timeout:g} s init timeout"
            if ready is None
            else f"ready in {seconds_text(ready)} with import timing on, yet as configured no "
            f"answer within the {init_timeout:g} s init timeout"
        )
        out.add("init", "fail", f"{said}{split}: {verdict}", remedy, [*stuck.evidence, *evidence])
        return out
    if ready is None:
        why = "" if isinstance(outcome, Answer) else outcome.detail
        if probe is not None and probe.confirmed() and engine is not None:
            out.add(
                "init",
                "warn",
                f"start-up not measured: it does not answer: {engine.cause}{split}",
                "see Framing",
                evidence,
            )
        elif imports and total_imports > init_timeout:
            out.add(
                "init",
                "fail",
                f"no answer within {wait:g} s: its imports alone took "
                f"{seconds_text(total_imports)}, over the {init_timeout:g} s init timeout{split}",
                _remedy(imports, total_imports, target, evidence),
                evidence,
            )
        else:
            out.add(
                "init",
                "warn",
                f"start-up not measured: no answer to a ping ({why}){split}",
                "see Framing for why it does not answer",
                evidence,
            )
        return out
    if gone:
        out.add("exited", "warn", gone.rstrip(".:"), gone_fix, evidence)
    margin = init_timeout / ready if ready > 0 else float("inf")
    summary = f"ready in {seconds_text(ready)}{split}; init timeout {init_timeout:g} s"
    advised = ready >= init_timeout or margin < MARGIN  # advice given: the fix named
    remedy = _remedy(imports, ready, target, evidence) if advised else ""
    if answering:  # the answer is slow, not the start-up
        remedy = (
            f"answer the {opening.method} at once: it took {seconds_text(answering)} to answer "
            f"after reading it, its start-up over; or {remedy}"
        )
    if ready >= init_timeout:
        out.add(
            "init",
            "fail",
            f"{summary}: over it by {seconds_text(ready - init_timeout)}",
            remedy,
            evidence,
        )
    elif margin < MARGIN:
        out.add(
            "init",
            "warn",
            f"{summary}: margin {margin:.1f}x, under {MARGIN:g}x",
            remedy,
            evidence,
        )
    else:
        out.add("init", "ok", f"{summary}: margin {margin:.0f}x", evidence=evidence)
    return out


def _remedy(imports: list[Import], ready: float, target: Target, evidence: list[Evidence]) -> str:
    """Raise the init timeout; and when one import takes most of the start, make it lazy, if
    that module is the user's own: an installed package's (the server's own, run by its console
    script) is its author's code, and where it lies is added to the `evidence`."""
    raise_to = f"raise the init timeout to at least {MARGIN * ready:.1f} s"
    if not imports or imports[0].seconds <= ready / 2:
        return raise_to
    slowest = imports[0].name
    origin = installed_origin(target, slowest)
    if origin is None:
        return f"import {slowest} lazily (where it is first used), or {raise_to}"
    evidence.append(Evidence(f"{slowest} is imported from {origin}", "the worker's Python"))
    return (
        f"{raise_to}, and keep it running once started, so its start is paid once: its slowest "
        f"import, {slowest}, is installed code, not yours to make lazy (that is for its author)"
    )


def _evidence(
    base: Baseline, imports: list[Import], worker: WorkerProcess, run_dir: RunDir
) -> list[Evidence]:
    origin = str(Path(run_dir.workers.name) / worker.stderr_path.name)
    evidence = []
    if base.seconds is not None:
        evidence.append(Evidence(f"bare interpreter start: {seconds_text(base.seconds)}", "timing"))
    shown = [i for i in imports[:8] if i.seconds >= 0.001]
    for imp in shown:
        evidence.append(Evidence(f"import {imp.name}: {seconds_text(imp.seconds)}", origin))
    if len(imports) > len(shown):
        rest = sum(i.seconds for i in imports[len(shown) :])
        more = len(imports) - len(shown)
        evidence.append(Evidence(f"{more} more import(s): {seconds_text(rest)}", origin))
    ttfb = worker.time_to_first_byte
    if ttfb is not None:
        evidence.append(
            Evidence(f"first byte on stdout {seconds_text(ttfb)} after spawn", "timing")
        )
    return evidence


def _read(path: Path) -> str:
    return read_head(path, STDERR_LIMIT).decode("utf-8", "replace")  # up to a dropped middle
