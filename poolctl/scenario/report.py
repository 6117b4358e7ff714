"""A scenario run as a Report: its findings, whether it produced what it expects, its evidence."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from poolctl.diagnose.port_killer import copy_killed
from poolctl.events import Observer
from poolctl.model import Diagnosis, Finding, Report, ScenarioDetails, StepSummary, Unclassified
from poolctl.patterns import PatternSet, builtin_patterns
from poolctl.rundir import RunDir
from poolctl.scenario.classify import classify_run
from poolctl.scenario.deaths import death_of
from poolctl.scenario.load import Scenario, changed_since_read
from poolctl.scenario.run import RunOutcome, ScenarioRunner, step_of


@dataclass(frozen=True)
class ScenarioResult:
    """The report of one run and its verdict against the scenario's `expect`."""

    report: Report
    expected: frozenset[str]
    found: frozenset[str]
    passed: bool
    interrupted: str | None


def run_scenario(
    scenario: Scenario,
    run_dir: RunDir,
    observers: list[Observer] | None = None,
    patterns: PatternSet | None = None,
) -> ScenarioResult:
    """Run `scenario` against real workers and classify what happened against `patterns` (the
    knowledge base; default: the builtin one)."""
    outcome = ScenarioRunner(scenario, run_dir, observers, patterns).run()
    classified = classify_run(outcome, patterns or builtin_patterns())
    return judge(outcome, classified.findings, classified.notes)


def step_summary(outcome: RunOutcome) -> list[dict[str, Any]]:
    """Each step's kind and what went wrong in it (a JUnit testcase each)."""
    steps: list[dict[str, Any]] = [
        {"step": i, "kind": kind, "errors": [], "expectation_failures": 0, "call_failures": 0}
        for i, (kind, _) in enumerate(outcome.scenario.steps, start=1)
    ]
    for index, failures in outcome.failed_checks.by_step.items():  # held grouped, counted
        if 1 <= index <= len(steps):
            steps[index - 1]["expectation_failures"] = failures
    for index, failures in outcome.failed_calls.by_step.items():
        if 1 <= index <= len(steps):
            steps[index - 1]["call_failures"] = failures
    # requests unanswered, counted by caller (`s2c5` names the step): those the interruption
    # cut are not the step's
    for caller, unanswered in outcome.unanswered.by_caller.items():
        step = step_of(caller)
        if step is not None and 1 <= step <= len(steps):
            steps[step - 1]["call_failures"] += unanswered
    for event in outcome.trace.of_type("step_error"):
        step = event.data.get("step")
        if isinstance(step, int) and 1 <= step <= len(steps):
            steps[step - 1]["errors"].append(str(event.data.get("error")))
    return steps


def idle_deaths(outcome: RunOutcome) -> list[str]:
    """A note for each worker that died while idle before the pool stopped: no caller failed,
    so no finding says it, yet a worker that crashes between requests is why a scenario that
    expects a crash may reproduce nothing."""
    events = outcome.trace.events
    ends = [e.t for e in events if e.type == "shutdown_begun"]
    if outcome.interrupted_at is not None:
        ends.append(outcome.interrupted_at)
    end = min(ends, default=float("inf"))
    notes = []
    replacements = [e for e in events if e.type == "replace"]
    for exit_ in events:
        if exit_.type != "worker_exit":
            continue
        # each death is replaced by the first replacement after it that no other death took
        replacement = next((e for e in replacements if e.seq > exit_.seq), None)
        if replacement is not None:
            replacements.remove(replacement)
        if exit_.data.get("state") != "idle" or exit_.t >= end:
            continue
        replaced = replacement.worker if replacement is not None else None
        notes.append(
            f"worker {exit_.worker} {exit_.data.get('exit')} while idle at {exit_.t:.3f} s, "
            f"after {exit_.data.get('answered') or 0} answer(s); no request failed with it"
            + (f"; the pool replaced it with {replaced}" if replaced else "")
            + _killed_by_copy(outcome, exit_.worker or "", str(exit_.data.get("exit")))
            + _why_it_exited(outcome, exit_.worker or "", exit_.data.get("code"))
        )
    failed = {e.worker: e.t for e in outcome.trace.of_type("init_end") if not e.data.get("ok")}
    for exit_ in outcome.trace.of_type("diagnosed_exit"):  # its exit watch was off meanwhile
        since = failed.get(exit_.worker)
        notes.append(
            f"worker {exit_.worker} {exit_.data.get('exit')} while the diagnosis of its failed "
            f"init ran: found ended at {exit_.t:.3f} s, as the diagnosis ended"
            + (f" (its init failed at {since:.3f} s; when between is not known)" if since else "")
            + "; its diagnosis says what it read of the process before"
            + _killed_by_copy(outcome, exit_.worker or "", str(exit_.data.get("exit")))
        )
    return notes


def _why_it_exited(outcome: RunOutcome, worker_id: str, code: object) -> str:
    """What its stderr says of an exit with an error code: the exception that ended it, or
    its last line (the Prisma language server's `TypeError` as it validated a document a notify
    step opened went unsaid, the note naming only its exit code)."""
    if not isinstance(code, int) or code == 0:  # a signal's kill is `_killed_by_copy`'s
        return ""
    death = death_of(outcome.pool, worker_id)
    if death is None:
        return ""
    return f"; its stderr (workers/{worker_id}.stderr.log) says why: it exited{death.said}"


def _killed_by_copy(outcome: RunOutcome, worker_id: str, exit_: str) -> str:
    """Said of a worker killed by a signal when the logs show its command kills whatever
    holds its port as it starts: the pool's other workers of it killed it (browsermcp)."""
    worker = next((w for w in outcome.pool.all_workers if w.id == worker_id), None)
    if worker is None or worker.process is None or not exit_.startswith("killed by SIG"):
        return ""
    sender = copy_killed(worker.process.stderr_path, f"workers/{worker_id}.stderr.log")
    return f"; {sender.why}. {sender.fix}" if sender is not None else ""


def judge(
    outcome: RunOutcome, findings: list[Finding], classifier_notes: list[str] | None = None
) -> ScenarioResult:
    """Compare what the run produced with what the scenario expects."""
    scenario = outcome.scenario
    found = frozenset(f.outcome.pattern_id for f in findings if isinstance(f.outcome, Diagnosis))
    unclassified = [f for f in findings if isinstance(f.outcome, Unclassified)]
    expected = scenario.expect.expected()
    if outcome.interrupted:
        passed = False
    elif scenario.expect.outcome == "ok" or not expected:
        passed = not findings
    else:
        passed = found == expected and not unclassified
    notes: list[str] = []
    if outcome.interrupted:
        notes.append(
            f"interrupted by {outcome.interrupted}{outcome.interrupted_by}: the run was cut "
            "short; every process was stopped and everything captured so far is in the run "
            "folder"
        )
    notes += outcome.step_errors
    notes += classifier_notes or []
    notes += idle_deaths(outcome)
    if (changed := changed_since_read(scenario)) is not None:
        notes.append(changed)
    for worker in outcome.pool.all_workers:  # answers twice, to ids never sent, text lines…
        process = worker.process
        if process.stray_count:
            notes.append(
                f"worker {worker.id}: {process.stray_count} frame(s) arrived that answered no "
                "request: " + "; ".join(process.stray[:3])
            )
    missing, extra = sorted(expected - found), sorted(found - expected)
    if missing:
        notes.append(f"expected but not reproduced: {', '.join(missing)}")
    if extra:
        notes.append(f"reproduced but not expected: {', '.join(extra)}")
    details = ScenarioDetails(
        scenario=scenario.name,
        file=str(scenario.path),
        description=scenario.body.description,
        expected=tuple(sorted(expected)),
        found=tuple(sorted(found)),
        passed=passed,
        interrupted=outcome.interrupted,
        events=outcome.trace.count,
        events_file=str(outcome.run_dir.events),
        pool=scenario.pool.model_dump(),
        steps=tuple(
            StepSummary(**{**s, "errors": tuple(s["errors"])}) for s in step_summary(outcome)
        ),
        workers=tuple(w.process.summary() for w in outcome.pool.all_workers),
        services={name: p.summary() for name, p in outcome.services.items()},
    )
    verdict = "interrupted" if outcome.interrupted else ("passed" if passed else "failed")
    report = Report(
        kind="scenario",
        title=f"scenario {scenario.name}: {verdict}",
        inputs=(str(scenario.path),),
        findings=tuple(findings),
        environment={"python": sys.version.split()[0], "cwd": os.getcwd()},
        notes=tuple(notes),
        run_dir=str(outcome.run_dir.path),
        details=details,
        interrupted=outcome.interrupted,
    )
    return ScenarioResult(report, expected, found, passed, outcome.interrupted)
