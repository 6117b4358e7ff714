"""Robot Framework's console and behave's plain formatter, each alone in a log, were refused as
of no format (exit 2), their failures counted nowhere. Robot Framework's tests are now read
(`Name   | FAIL |` and its message), counted by its top suite's `10 tests, 1 passed, 8 failed, 1
skipped` once (each suite counts its children's tests again); behave's scenarios are counted by
its `2 scenarios passed, 1 failed, 3 error, 0 skipped` (read since: tests/test_behave_console.py).
Real captures
(`tests/fixtures/src/capture_robot_behave_console.sh`: Robot Framework 7.5, behave 1.3.3) of the
suites whose JUnit reports `junit/robot_xunit.xml` and `junit/behave_junit.xml` are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

MIXED = Path(__file__).parent / "fixtures" / "mixed"


def test_robots_failed_tests_are_read_and_classified_as_its_xunit_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = MIXED / "robot_runs" / "console.txt"
    code, out, _ = run(capsys, "triage", str(log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 8 and report["summary"]["unread"] == 0
    read = [
        (f["failure"]["name"], f["failure"]["kind"], f["outcome"].get("pattern_id", "-"))
        for f in report["findings"]
    ]
    assert read == [  # (expected.yaml's junit/robot_xunit.xml: the same patterns)
        ("Adapter Is Port", "TimeoutError", "port-no-response"),
        ("Adapter Lists Programs", "TimeoutError", "port-no-response"),
        ("Checkout Times Out With Callers Waiting", "CheckoutTimeout", "checkout-timeout-waiters"),
        ("Worker Answers Ping", "TimeoutError", "port-no-response"),
        ("Program Needs A Session", "ValueError", "required-field-missing"),
        ("Arithmetic Still Works", "", "-"),
        ("Teardown Fails After A Pass", "TimeoutError", "port-no-response"),
        ("Several Failures Continue", "", "-"),
    ]
    assert report["findings"][0]["failure"]["message"] == (
        "Parent suite setup failed:\n"
        "TimeoutError: no response from worker (pid 4242) to 'ping' within 0.5s"
    )
    parsed = read_logs([str(log)])
    # the nested suites' counts are the top suite's: one run
    assert [(s.text, s.failures, s.read) for s in parsed.summaries] == [
        ("10 tests, 1 passed, 8 failed, 1 skipped", 8, 8)
    ]
    assert not any("Robot Framework run's verdict" in note for note in parsed.skipped)


def test_behaves_failed_run_is_counted_by_its_scenarios(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = MIXED / "behave_runs" / "console.txt"
    code, out, _ = run(capsys, "triage", str(log), "--no-history", "--format", "json")
    assert code == 1
    summary = json.loads(out)["summary"]
    assert (summary["failures"], summary["unread"]) == (4, 0)
    parsed = read_logs([str(log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("behave", 4, 4)]
    assert not any("behave run's verdict" in note for note in parsed.skipped)
