"""Jasmine's `Failures:` section is read, each entry a failed spec with its expectations'
messages, counted by Jasmine's `N specs, N failures`. Before, they were counted and none read
('its own failure blocks are not read'). Real capture: `pytest_then_jasmine.log`
(`tests/fixtures/src/capture_js_runners.sh`: Jasmine 5.13.0's own CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

LOG = Path(__file__).parent / "fixtures" / "mixed" / "pytest_then_jasmine.log"


def test_each_entry_is_a_failed_spec_read_and_classified(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "triage", str(LOG), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 4 and report["summary"]["unread"] == 0
    read = [
        (
            f["failure"]["name"],
            f["failure"]["location"].rsplit("/", 1)[-1],
            f["outcome"].get("pattern_id", "unclassified"),
        )
        for f in report["findings"]
    ]
    assert read == [
        ("worker pool checks out within 200ms", "pool.spec.js:4", "checkout-timeout-waiters"),
        ("worker pool gets a session", "pool.spec.js:7", "required-field-missing"),
        ("worker pool adds", "pool.spec.js:9", "unclassified"),
        ("worker pool nested fails twice", "pool.spec.js:13", "unclassified"),
    ]
    twice = report["findings"][3]["failure"]
    # a spec whose two expectations failed: one failure, both messages
    assert twice["message"] == "Expected 1 to be 2.\nExpected 'PythonPool' to be 'PythonPort'."
    assert report["findings"][0]["failure"]["kind"] == "Error"


def test_the_counts_after_the_section_count_the_entries_read() -> None:
    parsed = read_logs([str(LOG)])
    [jasmine] = [s for s in parsed.summaries if s.source == "Jasmine"]
    assert (jasmine.failures, jasmine.read) == (4, 4)
    assert {f.source for f in parsed.failures} == {"jasmine"}
    assert not any("Jasmine run's verdict" in note for note in parsed.skipped)


def test_a_failed_expectation_is_an_assertion_and_a_thrown_error_keeps_its_kind() -> None:
    """A matcher's `Expected 2 to be 3.` was of no kind: no error is thrown, Jasmine names no
    class; it is the spec's assertion, as AVA's, uvu's and ward's are named."""
    parsed = read_logs([str(LOG)])
    kinds = [(f.name, f.kind) for f in parsed.failures]
    assert kinds == [
        ("worker pool checks out within 200ms", "Error"),
        ("worker pool gets a session", "AssertionError"),
        ("worker pool adds", "AssertionError"),
        ("worker pool nested fails twice", "AssertionError"),
    ]
