"""A scenario run's memory does not grow with its requests: the five events each request makes
(checkout asked and granted, request, response, checkin) are let go once written to
events.jsonl, counted; what the classifier reads stays, and the report says the same."""

from __future__ import annotations

import json
from pathlib import Path

from poolctl.model import Diagnosis, ScenarioDetails
from poolctl.patterns import builtin_patterns
from poolctl.rundir import create_run_dir
from poolctl.scenario import load_scenario
from poolctl.scenario.classify import classify_run
from poolctl.scenario.report import judge
from poolctl.scenario.run import RunOutcome, ScenarioRunner
from tests.conftest import Processes

REQUESTS = 600
ROUTINE = {"checkout_requested", "checkout_granted", "request", "response", "checkin"}


def written(run_dir: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]


def run_yaml(tmp_path: Path, name: str, text: str) -> RunOutcome:
    """The scenario `text` (written to `name`.yaml), run in a run folder under `tmp_path`."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    scenario = load_scenario(path)
    return ScenarioRunner(scenario, create_run_dir(scenario.name, base=tmp_path)).run()


def test_a_scenario_trace_lets_go_of_each_request_s_events(
    tmp_path: Path, processes: Processes
) -> None:
    """600 pings held 3,000 routine events until the classifier ran (290 MB at 80,000 pings,
    150 MB now, as at 20,000); the file keeps every one, the report counts them all."""
    outcome = run_yaml(
        tmp_path,
        "many",
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference"]}\n'
        "pool: {size: 2, checkout_timeout: 5}\n"
        f"steps:\n  - request: {{command: ping, count: {REQUESTS}, concurrency: 4}}\n"
        "expect: {outcome: ok}\n",
    )
    held = [e for e in outcome.trace.events if e.type in ROUTINE]
    assert held == []
    events = written(outcome.run_dir.path)
    assert sum(e["type"] == "response" for e in events) == REQUESTS
    assert outcome.trace.count == len(events) == events[-1]["seq"]
    assert outcome.trace.count_of("checkout_granted") == REQUESTS
    classified = classify_run(outcome, builtin_patterns())
    result = judge(outcome, classified.findings, classified.notes)
    details = result.report.details
    assert result.passed and isinstance(details, ScenarioDetails)
    assert details.events == len(events)


def test_checkouts_granted_are_counted_though_let_go(tmp_path: Path, processes: Processes) -> None:
    """Pattern 3's facts count the checkouts granted, events no longer held: one worker busy
    for 0.6 s, two callers more giving up after 0.2 s."""
    outcome = run_yaml(
        tmp_path,
        "waiters",
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference"]}\n'
        "pool: {size: 1, max_overflow: 0, checkout_timeout: 0.2}\n"
        "steps:\n  - request: {command: sleep, args: {seconds: 0.6}, count: 3, concurrency: 3}\n"
        "expect: {patterns: [checkout-timeout-waiters]}\n",
    )
    classified = classify_run(outcome, builtin_patterns())
    (d,) = [f.outcome for f in classified.findings if isinstance(f.outcome, Diagnosis)]
    events = written(outcome.run_dir.path)
    granted = sum(e["type"] == "checkout_granted" for e in events)
    timeouts = sum(e["type"] == "checkout_timeout" for e in events)
    assert granted >= 1 and timeouts >= 1
    assert not [e for e in outcome.trace.events if e.type == "checkout_granted"]
    assert d.facts["checkouts_granted"] == granted
    assert d.facts["checkouts"] == granted + timeouts


def test_checkout_timeouts_are_counted_not_held(tmp_path: Path, processes: Processes) -> None:
    """Twenty callers on one busy worker, each checkout giving up after 0.05 s: each timeout's
    event was held until the classifier ran (254 MB at 120,000 timeouts against 186 MB at
    30,000); pattern 3's finding counts them all, quotes the first three, spans them all."""
    outcome = run_yaml(
        tmp_path,
        "timeouts",
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference"]}\n'
        "pool: {size: 1, max_overflow: 0, checkout_timeout: 0.05}\n"
        "steps:\n  - request: {command: sleep, args: {seconds: 0.3}, count: 60, concurrency: 20}\n",
    )
    assert not [e for e in outcome.trace.events if e.type == "checkout_timeout"]
    classified = classify_run(outcome, builtin_patterns())
    (finding,) = classified.findings
    d = finding.outcome
    assert isinstance(d, Diagnosis) and d.pattern_id == "checkout-timeout-waiters"
    timeouts = [e for e in written(outcome.run_dir.path) if e["type"] == "checkout_timeout"]
    assert d.facts["timeouts"] == len(timeouts) > 3
    assert d.facts["waiters"] == max(int(str(e["waiting"])) for e in timeouts)
    refs = [e.origin.split(" (")[0] for e in d.evidence if e.text.startswith("checkout_timeout")]
    assert refs == [f"events.jsonl #{e['seq']}" for e in timeouts[:3]]
    span = (finding.failure.line_start, finding.failure.line_end)
    assert span == (timeouts[0]["seq"], timeouts[-1]["seq"])


def test_unanswered_requests_are_counted_not_held(tmp_path: Path, processes: Processes) -> None:
    """Two workers sleeping 0.05 s on each of 40 requests that time out after 0.01 s: each
    `no_response` was held until the classifier ran (171 MB at 20,000 unanswered requests,
    192 MB at 60,000); pattern 1's finding counts them all, quotes the first three, spans them
    all, says how many were answered late; the step counts them."""
    outcome = run_yaml(
        tmp_path,
        "unanswered",
        'worker: {command: ["{python}", "-m", "poolctl.workers.reference"]}\n'
        "pool: {size: 2, max_overflow: 0, checkout_timeout: 30, request_timeout: 0.01}\n"
        "steps:\n  - request: {command: sleep, args: {seconds: 0.05}, count: 40, concurrency: 4}\n",
    )
    assert not [e for e in outcome.trace.events if e.type == "no_response"]
    classified = classify_run(outcome, builtin_patterns())
    (finding,) = classified.findings
    d = finding.outcome
    assert isinstance(d, Diagnosis) and d.pattern_id == "port-no-response"
    unanswered = [e for e in written(outcome.run_dir.path) if e["type"] == "no_response"]
    assert d.facts["requests_unanswered"] == len(unanswered) == 40
    refs = [e.origin.split(" (")[0] for e in d.evidence if e.text.startswith("no_response")]
    assert refs == [f"events.jsonl #{e['seq']}" for e in unanswered[:3]]
    span = (finding.failure.line_start, finding.failure.line_end)
    assert span == (unanswered[0]["seq"], unanswered[-1]["seq"])
    # the answers came after their timeouts: read from the workers' set-aside answers
    assert d.facts["reason"] == "late"
    assert "request(s) that timed out were answered after their 0.01 s" in d.cause
    result = judge(outcome, classified.findings, classified.notes)
    details = result.report.details
    assert isinstance(details, ScenarioDetails) and details.steps[0].call_failures == 40
