"""Pattern 2 tells the callers a pool's stop dropped (in flight or waiting when it began) from
the calls that asked once it had begun, by when each asked, not when it failed: every one of
them fails after the stop began."""

from __future__ import annotations

from pathlib import Path

from poolctl.model import Diagnosis
from poolctl.rundir import create_run_dir
from poolctl.scenario import load_scenario
from poolctl.scenario.report import run_scenario
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
