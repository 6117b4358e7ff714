"""Pattern 2 tells the callers a pool's stop dropped (in flight or waiting when it began) from
the calls that asked once it had begun, by when each asked, not when it failed: every one of
them fails after the stop began."""

from __future__ import annotations

import json
from pathlib import Path

from poolctl.model import Diagnosis, ScenarioDetails
from poolctl.patterns import builtin_patterns
from poolctl.rundir import create_run_dir
from poolctl.scenario import load_scenario
from poolctl.scenario.classify import classify_run
from poolctl.scenario.report import judge, run_scenario
from poolctl.scenario.run import ScenarioRunner
from tests.conftest import Processes

WORKER = 'worker: {command: ["{python}", "-m", "poolctl.workers.reference"]}\n'


def shutdown_diagnosis(tmp_path: Path, steps: str) -> Diagnosis:
    path = tmp_path / "stopped.yaml"
    path.write_text(WORKER + "pool: {size: 2, checkout_timeout: 5}\nsteps:\n" + steps)
    scenario = load_scenario(path)
    report = run_scenario(scenario, create_run_dir(scenario.name, base=tmp_path)).report
    (d,) = [f.outcome for f in report.findings if isinstance(f.outcome, Diagnosis)]
    assert d.pattern_id == "pool-shutdown-during-checkout"
    return d


def test_the_calls_after_an_abort_are_not_counted_as_waiting(
    tmp_path: Path, processes: Processes
) -> None:
    """Six callers, two in flight and four waiting when the pool is aborted; each then makes
    its next call, refused at once: the pool's own count at the stop is 4 waiting, and the
    finding said "2 caller(s) were in flight and 10 waiting"."""
    d = shutdown_diagnosis(
        tmp_path,
        "  - stop_pool: {after: 0.3, mode: abort}\n"
        "  - request: {command: sleep, args: {seconds: 1}, count: 12, concurrency: 6}\n",
    )
    assert (d.facts["in_flight"], d.facts["waiting"], d.facts["calls_after_stop"]) == (2, 4, 6)
    assert "while 2 caller(s) were in flight and 4 waiting for a worker" in d.cause
    assert "6 more call(s) came once it had begun to stop, refused at once" in d.cause
    asked = [e for e in d.evidence if e.text.startswith("checkout_requested:")]
    assert len(asked) == 1 and "events.jsonl #" in asked[0].origin


def test_calls_made_while_a_drain_waits_came_after_the_stop_began(
    tmp_path: Path, processes: Processes
) -> None:
    """A drain lets the two calls in flight finish; their callers' next calls come while it
    still stops the pool, and are refused: nobody was waiting when it began (its own count),
    and the finding said "0 caller(s) were in flight and 2 waiting"."""
    d = shutdown_diagnosis(
        tmp_path,
        "  - stop_pool: {after: 0.2, mode: drain, grace: 5}\n"
        "  - request: {command: sleep, args: {seconds: 0.6}, count: 4, concurrency: 2}\n",
    )
    assert d.facts["waiting"] == 0 and d.facts["calls_after_stop"] == 2
    assert d.cause.startswith("2 call(s) came after the pool began to stop (at t=")
    assert d.remediation.startswith("Do not call a pool after it stopped")


def test_a_call_still_in_flight_when_a_drain_s_grace_runs_out_is_told_of_the_shutdown(
    tmp_path: Path, processes: Processes
) -> None:
    """A drain with a grace of 0.3 s, a call of 2 s in flight: its worker was stopped under it,
    detached, and the call waited out its 5 s request timeout, a pattern-1 finding ("worker w1
    gave caller s2c0 no answer: no response within 5 s") beside pattern 2's "0 caller(s) were
    in flight"."""
    path = tmp_path / "grace.yaml"
    path.write_text(
        WORKER + "pool: {size: 1, checkout_timeout: 5, request_timeout: 5}\nsteps:\n"
        "  - stop_pool: {after: 0.3, mode: drain, grace: 0.3}\n"
        "  - request: {command: sleep, args: {seconds: 2}, count: 3, concurrency: 3}\n"
    )
    scenario = load_scenario(path)
    report = run_scenario(scenario, create_run_dir(scenario.name, base=tmp_path)).report
    (finding,) = report.findings
    d = finding.outcome
    assert isinstance(d, Diagnosis) and d.pattern_id == "pool-shutdown-during-checkout"
    assert (d.facts["in_flight"], d.facts["waiting"]) == (1, 2)
    events = Path(report.run_dir or "", "events.jsonl").read_text()
    assert '"type":"no_response"' not in events
    assert "while this caller was in flight" in events


def test_calls_refused_by_a_stopped_pool_are_counted_not_held(
    tmp_path: Path, processes: Processes
) -> None:
    """300 calls after the pool stopped: each refused call's event was held until the
    classifier ran (289 MB at 160,000 calls against 214 MB at 30,000; 196 MB at both now);
    the finding and the step count them all, and span the first to the last."""
    path = tmp_path / "refused.yaml"
    path.write_text(
        WORKER + "pool: {size: 2}\nsteps:\n  - stop_pool: {}\n"
        "  - request: {command: ping, count: 300, concurrency: 4}\n"
    )
    scenario = load_scenario(path)
    outcome = ScenarioRunner(scenario, create_run_dir(scenario.name, base=tmp_path)).run()
    assert not [e for e in outcome.trace.events if e.type == "call_failed"]
    classified = classify_run(outcome, builtin_patterns())
    report = judge(outcome, classified.findings, classified.notes).report
    (finding,) = report.findings
    d = finding.outcome
    assert isinstance(d, Diagnosis)
    assert d.facts["calls_after_stop"] == d.facts["callers_failed"] == 300
    assert d.cause.startswith("300 call(s) came after the pool had stopped")
    lines = outcome.run_dir.events.read_text().splitlines()
    failed = [e for e in map(json.loads, lines) if e["type"] == "call_failed"]
    assert len(failed) == 300
    span = (finding.failure.line_start, finding.failure.line_end)
    assert span == (failed[0]["seq"], failed[-1]["seq"])
    details = report.details
    assert isinstance(details, ScenarioDetails)
    assert [s.call_failures for s in details.steps] == [0, 300]
