"""AVA's failed tests' blocks, between its two `─` rules, are read and classified, its `N tests
failed` counting them. Before, they were counted and none read ('its own failure blocks are
not read'). Real captures: `src/more_runners_suite/js/ava.test.mjs`
(`tests/fixtures/src/capture_ava_blocks.sh`) and `pytest_then_ava.log`
(`tests/fixtures/src/capture_js_runners.sh`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

MIXED = Path(__file__).parent / "fixtures" / "mixed"


def test_each_block_is_its_test_s_failure_with_its_error_and_place(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = MIXED / "ava_runs" / "ava.log"
    code, out, _ = run(capsys, "triage", str(log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 4 and report["summary"]["unread"] == 0
    read = [
        (
            f["failure"]["name"],
            f["failure"]["location"].rsplit("/", 1)[-1],
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "unclassified"),
        )
        for f in report["findings"]
    ]
    assert read == [
        ("a job needs its program_id", "ava.test.mjs:27", "Error", "required-field-missing"),
        ("arithmetic", "ava.test.mjs:31", "AssertionError", "unclassified"),
        # a rejected promise: the test's `await` (`at async file:///…/ava.test.mjs:9:5`), not
        # the pool's frame above it (pool.mjs:36, where it was placed before)
        (
            "a second checkout waits for the first",
            "ava.test.mjs:9",
            "Error",
            "checkout-timeout-waiters",
        ),
        # ... rejected by a timer: its stack never reaches the test, the pool's frame is all
        ("a worker answers ping", "pool.mjs:46", "Error", "port-no-response"),
    ]
    messages = [f["failure"]["message"] for f in report["findings"]]
    # the thrown error AVA printed as an object, its quotes unescaped
    assert messages[0] == "Error: KeyError: 'program_id is required'"
    assert messages[1] == "t.is(1 + 1, 3);\n- 2\n+ 3"  # the assertion and its difference


def test_after_a_clean_pytest_run_its_blocks_are_its_verdict_s_failures() -> None:
    parsed = read_logs([str(MIXED / "pytest_then_ava.log")])
    [ava] = [s for s in parsed.summaries if s.source == "AVA"]
    assert (ava.text, ava.failures, ava.read) == ("2 tests failed", 2, 2)
    assert [(f.name, f.source) for f in parsed.failures] == [
        ("checkout within 200ms", "ava"),
        ("adds", "ava"),
    ]
    assert not any("AVA run's verdict" in note for note in parsed.skipped)
