"""Cucumber.js's `Failures:` section is read (its progress and summary formatters): each
scenario's entry (`1) Scenario: name # features/pool.feature:3`, its steps, what the first step
that did not pass printed), named by the scenario, grouped by its feature file, placed at its
line there; its `7 scenarios (5 failed, 1 undefined, 1 passed)` counts them, undefined ones too.
Before, each log was refused as of no format (exit 2), and after a clean pytest run its entries
were Jasmine's, of no message, nothing classified. Real captures
(`tests/fixtures/src/capture_cucumber_js.sh`: Cucumber.js 11.3.0, node 20, a pool of real node
worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "cucumber_js_runs"
FEATURE = "features/pool.feature"
READ = [
    (
        "a second caller gets a worker while the first holds it",
        f"{FEATURE}:3",
        "Error",
        "checkout-timeout-waiters",
    ),
    ("a worker answers a ping", f"{FEATURE}:8", "Error", "port-no-response"),
    ("a job starts without its program id", f"{FEATURE}:13", "Error", "required-field-missing"),
    (
        "a caller waiting through shutdown gets a worker",
        f"{FEATURE}:18",
        "Error",
        "pool-shutdown-during-checkout",
    ),
    ("the pool counts its workers", f"{FEATURE}:24", "AssertionError", "-"),
    # its steps undefined: Cucumber.js fails the run on it (strict, its default)
    ("a crashed worker is replaced", f"{FEATURE}:33", "", "-"),
]


@pytest.mark.parametrize("log", ["progress.txt", "summary.txt", "pytest_then_progress.txt"])
def test_each_failed_scenario_is_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (6, 0)
    rows = finding_rows(report, "name", "location", "kind", "pattern", source="cucumber_js")
    assert sorted(rows) == sorted(READ)
    assert {f["failure"]["group"] for f in report["findings"]} == {FEATURE}
    failures = {f["failure"]["name"]: f["failure"] for f in report["findings"]}
    ping = failures["a worker answers a ping"]
    assert ping["details"]["step"] == "When I ping it within 300 ms"
    assert ping["message"].startswith("worker pid ")
    assert ping["message"].endswith(" sent no response within 300 ms")
    assert ping["stacktrace"][0].startswith("Timeout._onTimeout (features/step_definitions/")
    undefined = failures["a crashed worker is replaced"]
    assert undefined["details"]["step"] == "When the worker crashes"
    assert undefined["message"].startswith("Undefined. Implement with the following snippet:")
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries][-1] == ("Cucumber.js", 6, 6)


def test_a_clean_run_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)


def test_its_json_report_is_read_as_its_console(capsys: pytest.CaptureFixture[str]) -> None:
    """Cucumber's JSON report (`--format json:FILE`, as cucumber-jvm and cucumber-ruby write
    it too) was refused as of no format (exit 2); its scenarios are read as its console's."""
    code, report = triage_json(capsys, RUNS / "report.json")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (6, 0)
    rows = finding_rows(report, "name", "location", "kind", "pattern", source="cucumber")
    assert sorted(rows) == sorted(READ)
    failures = {f["failure"]["name"]: f["failure"] for f in report["findings"]}
    assert failures["a worker answers a ping"]["details"]["step"] == "When I ping it within 300 ms"
    undefined = failures["a crashed worker is replaced"]
    assert undefined["message"] == "step undefined: When the worker crashes"
    code, clean = triage_json(capsys, RUNS / "report_clean.json")
    assert (code, clean["summary"]["failures"]) == (0, 0)


def test_undefined_steps_fail_a_run_under_no_strict(capsys: pytest.CaptureFixture[str]) -> None:
    """--no-strict lets pending steps pass, not undefined ones: Cucumber.js 11 exits 1 on them
    all the same, and its undefined scenario is the run's failure."""
    code, report = triage_json(capsys, RUNS / "undefined_no_strict.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (1, 0)
    rows = finding_rows(report, "name", "location", "kind", "pattern", source="cucumber_js")
    assert rows == [("a crashed worker is replaced", f"{FEATURE}:33", "", "-")]


PENDING = ("a crashed worker is restarted", "pending/pending.feature:3", "", "-")


@pytest.mark.parametrize("log", ["pending.txt", "pending_no_strict.txt"])
def test_a_pending_scenario_is_read_from_its_warnings(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    """Cucumber.js lists pending scenarios under `Warnings:`, not `Failures:`, strict (exit 1)
    or not (exit 0) alike: its `2 scenarios (1 pending, 1 passed)` was counted and its scenario
    not read ('no failure header found', the advice to write JUnit XML). It is read, the
    ambiguity said."""
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (1, 0)
    rows = finding_rows(report, "name", "location", "kind", "pattern", source="cucumber_js")
    assert rows == [PENDING]
    failure = report["findings"][0]["failure"]
    assert (failure["message"], failure["details"]["step"]) == (
        "Pending",
        "When the worker is killed",
    )
    parsed = read_logs([str(RUNS / log)])
    assert [n for n in parsed.skipped if "--no-strict" in n] == [
        f"{RUNS / log}:3: Cucumber.js's pending scenarios (its `Warnings:`) are read as failures:"
        " they fail its run under --strict, its default, not under --no-strict, and the log does"
        " not say which it ran under"
    ]


def test_failures_then_warnings_are_each_read(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "all_no_strict.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    rows = finding_rows(report, "name", "location", "kind", "pattern", source="cucumber_js")
    assert sorted(rows) == sorted([*READ, PENDING])


def test_its_messages_are_read_as_its_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    """Cucumber's messages (`--format message`: a JSON envelope a line, pickles, test cases and
    their steps' results joined by id) were refused as of no format (exit 2); each failed
    scenario is read as the JSON report's."""
    code, report = triage_json(capsys, RUNS / "message.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (6, 0)
    rows = finding_rows(report, "name", "location", "kind", "pattern", source="cucumber")
    assert sorted(rows) == sorted(READ)
    failures = {f["failure"]["name"]: f["failure"] for f in report["findings"]}
    assert failures["a worker answers a ping"]["details"]["step"] == "When I ping it within 300 ms"
    assert failures["a crashed worker is replaced"]["message"] == (
        "step undefined: When the worker crashes"
    )
    code, clean = triage_json(capsys, RUNS / "message_clean.txt")
    assert (code, clean["summary"]["failures"]) == (0, 0)
