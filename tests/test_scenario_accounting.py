"""Every failure a scenario's trace records is explained by one finding exactly: each finding
counts, in its details, the events it accounts for (`explains.checkout_timeout`: `3`), and over
a run's findings these sum to the events of each kind in events.jsonl, no event lost, none told
twice. Real runs of the bundled scenarios and of runs where several patterns meet."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli

WORKERS = Path(__file__).parent / "workers"

# the failures of a trace, by event type: which events of each type are one
FAILURES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "checkout_timeout": lambda d: True,
    "no_response": lambda d: True,
    "init_end": lambda d: not d.get("ok"),
    "spawn_failed": lambda d: True,
    # a call that timed out in checkout is its `checkout_timeout`, counted there
    "call_failed": lambda d: d.get("error_type") != "CheckoutTimedOut",
    "expectation_failed": lambda d: True,
    "service_missing": lambda d: True,
    "step_error": lambda d: True,
    "duplicate_answer": lambda d: True,
}


def failures_in_trace(events: Path) -> Counter[str]:
    counted: Counter[str] = Counter()
    for line in events.read_text().splitlines():
        event = json.loads(line)
        kind = event["type"]
        if kind in FAILURES and FAILURES[kind](event):
            counted[kind] += 1
    return counted


def explained(report: dict[str, Any]) -> Counter[str]:
    counted: Counter[str] = Counter()
    for finding in report["findings"]:
        for key, value in finding["failure"]["details"].items():
            if key.startswith("explains."):
                counted[key.removeprefix("explains.")] += int(value)
    return counted


def run(run_cli: RunCli, tmp_path: Path, scenario: str) -> dict[str, Any]:
    """Run `scenario` (a bundled name or a file); its report, each failure of its trace checked
    to be explained once."""
    run_dir = tmp_path / "run"
    _, out, _ = run_cli("run-scenario", scenario, "--json", "--run-dir", str(run_dir))
    report: dict[str, Any] = json.loads(out)
    in_trace = failures_in_trace(run_dir / "events.jsonl")
    assert explained(report) == in_trace, [f["failure"]["message"] for f in report["findings"]]
    return report


@pytest.mark.parametrize(
    "name",
    [
        "healthy",
        "p1-crash-at-start",
        "p1-worker-killed",
        "p2-shutdown-during-checkout",
        "p3-checkout-timeout",
        "p4-fixture-key-mismatch",
        "p5-required-field",
        "p7-dependency-not-started",
    ],
)
def test_each_failure_of_a_bundled_scenario_is_explained_once(
    run_cli: RunCli, tmp_path: Path, name: str
) -> None:
    report = run(run_cli, tmp_path, name)
    assert report["extra"]["passed"] is True
