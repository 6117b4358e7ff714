"""A scenario whose responses fail their step's expectation in great numbers: each shape of
failure is one finding that quotes its first events and counts the rest, and the run holds a
few events of each shape, not one per request (events.jsonl keeps every one)."""

from __future__ import annotations

import json
from pathlib import Path

from poolctl.model import Diagnosis, ScenarioDetails, Unclassified
from poolctl.patterns import builtin_patterns
from poolctl.rundir import create_run_dir
from poolctl.scenario import load_scenario
from poolctl.scenario.classify import classify_run
from poolctl.scenario.failed_checks import EXAMPLES, MAX_GROUPS
from poolctl.scenario.report import ScenarioResult, judge
from poolctl.scenario.run import RunOutcome, ScenarioRunner
from tests.conftest import Processes

WORKER = 'worker: {command: ["{python}", "-m", "poolctl.workers.reference"]}\n'


def run(tmp_path: Path, steps: str) -> tuple[RunOutcome, ScenarioResult]:
    path = tmp_path / "failing.yaml"
    path.write_text(WORKER + "pool: {size: 2, checkout_timeout: 5}\nsteps:\n" + steps)
    scenario = load_scenario(path)
    outcome = ScenarioRunner(scenario, create_run_dir(scenario.name, base=tmp_path)).run()
    classified = classify_run(outcome, builtin_patterns())
    return outcome, judge(outcome, classified.findings, classified.notes)


def failed_events(outcome: RunOutcome) -> list[dict[str, object]]:
    lines = outcome.run_dir.events.read_text().splitlines()
    return [e for e in map(json.loads, lines) if e["type"] == "expectation_failed"]


def test_responses_failing_alike_are_one_finding_that_counts_them(
    tmp_path: Path, processes: Processes
) -> None:
    """300 echoes, each answer unlike its expected value ({i} in both): one finding (there
    were 300, every failed event held until the classifier ran), its first 3 events quoted,
    its span from the first failure to the last."""
    outcome, result = run(
        tmp_path,
        "  - request: {command: echo, args: {value: 'w{i}'}, count: 300, concurrency: 4,\n"
        "              expect: {equals: {result.value: 'v{i}'}}}\n",
    )
    written = failed_events(outcome)
    assert len(written) == 300
    assert not [e for e in outcome.trace.events if e.type == "expectation_failed"]
    (finding,) = result.report.findings
    assert isinstance(finding.outcome, Unclassified)
    message = finding.failure.message.splitlines()
    assert message[0] == "300 responses failed this check the same way; the first 3:"
    quoted = [f"events.jsonl #{e['seq']} " for e in written[:EXAMPLES]]
    assert all(ref in line for ref, line in zip(quoted, message[1:], strict=True))
    assert (finding.failure.line_start, finding.failure.line_end) == (
        written[0]["seq"],
        written[-1]["seq"],
    )
    details = result.report.details
    assert isinstance(details, ScenarioDetails)
    assert details.steps[0].expectation_failures == 300


def test_a_missing_field_in_every_response_is_counted_in_its_finding(
    tmp_path: Path, processes: Processes
) -> None:
    """Pattern 4 read from 400 responses that lack the field: the same finding as from a few,
    its count all of them, its evidence the first three."""
    outcome, result = run(
        tmp_path,
        "  - request: {command: ping, count: 400, concurrency: 4,\n"
        "              expect: {fields: [result.pool_pid]}}\n",
    )
    written = failed_events(outcome)
    assert not [e for e in outcome.trace.events if e.type == "expectation_failed"]
    (finding,) = result.report.findings
    assert isinstance(finding.outcome, Diagnosis)
    assert finding.outcome.pattern_id == "fixture-key-mismatch"
    assert finding.outcome.facts["responses"] == 400 == len(written)
    refs = [e.origin.split(" (")[0] for e in finding.outcome.evidence]
    assert refs == [f"events.jsonl #{e['seq']}" for e in written[:EXAMPLES]]
    assert finding.failure.line_end == written[-1]["seq"]


def test_past_the_cap_of_shapes_failures_are_counted_not_kept(
    tmp_path: Path, processes: Processes
) -> None:
    """600 requests rejected each with its own words: the first 500 errors are a finding
    each, the other 100 counted in a note and in their step."""
    outcome, result = run(
        tmp_path,
        "  - request: {command: fail, args: {message: 'no {i}'}, count: 600, concurrency: 4}\n",
    )
    assert len(failed_events(outcome)) == 600
    assert len(result.report.findings) == MAX_GROUPS
    assert outcome.failed_checks.unkept == 600 - MAX_GROUPS
    said = "100 failed expectation(s) of other shapes than the first 500 were counted"
    assert any(note.startswith(said) for note in result.report.notes)
    details = result.report.details
    assert isinstance(details, ScenarioDetails)
    assert details.steps[0].expectation_failures == 600
