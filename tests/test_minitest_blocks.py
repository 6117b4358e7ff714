"""minitest's failure blocks (`  1) Error:`, `  4) Failure:`) are read, each a failed test named
by its class and method, with its exception's class and message (or the assertion's message)
and its place, counted by minitest's `8 runs, 2 assertions, 1 failures, 6 errors, 0 skips`.
Before, they were counted and none read ('its own failure blocks are not read'). Real captures
of `src/ruby_pool_suite/test/pool_test.rb` (`tests/fixtures/src/capture_minitest.sh`: minitest
5.17, a pool of real Ruby worker processes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "minitest_runs"
READ = [
    ("test_reads_the_ok_of_an_answer", "test/pool_test.rb:37", "KeyError", "-"),
    ("test_keeps_its_worker_after_a_request", "test/pool_test.rb:30", "WorkerExited", "-"),
    (
        "test_hands_a_worker_to_a_caller_waiting_through_shutdown",
        "test/pool_test.rb:49",
        "PoolShutdown",
        "pool-shutdown-during-checkout",
    ),
    ("test_counts_its_workers", "test/pool_test.rb:58", "AssertionError", "-"),
    (
        "test_second_caller_checks_out_within_200ms",
        "test/pool_test.rb:18",
        "CheckoutTimeout",
        "checkout-timeout-waiters",
    ),
    ("test_starts_a_job", "test/pool_test.rb:41", "KeyError", "-"),
    (
        "test_silent_worker_answers_within_the_request_timeout",
        "test/pool_test.rb:24",
        "NoResponse",
        "port-no-response",
    ),
]


@pytest.mark.parametrize("log", ["plain.txt", "verbose.txt", "rake.txt"])
def test_each_block_is_a_failed_test_read_and_classified(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    code, out, _ = run(capsys, "triage", str(RUNS / log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 7 and report["summary"]["unread"] == 0
    read = [
        (
            f["failure"]["name"].removeprefix("PoolTest#"),
            # (rake's backtraces name the files by their absolute paths)
            f["failure"]["location"].removeprefix("/tmp/ruby_pool_suite/"),
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]
    assert read == READ
    failures = [f["failure"] for f in report["findings"]]
    assert {f["group"] for f in failures} == {"PoolTest"}
    assert failures[4]["message"] == (
        "CheckoutTimeout: checkout timed out after 0.2s: pool pool_a has 0 idle workers, 1 waiting"
    )
    assert failures[3]["message"] == "Expected: 3\nActual: 2"  # an assertion's: no class


def test_the_verdict_counts_the_blocks_read() -> None:
    parsed = read_logs([str(RUNS / "plain.txt")])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("minitest", 7, 7)]
    assert not any("not read" in note for note in parsed.skipped)
    # after a clean pytest run (capture_other_runners2.sh)
    parsed = read_logs([str(RUNS.parent / "pytest_then_minitest.log")])
    assert [(f.name, f.location, f.kind) for f in parsed.failures] == [
        ("PoolTest#test_checkout", "test/pool_test.rb:5", "RuntimeError"),
        ("PoolTest#test_arithmetic", "test/pool_test.rb:9", "AssertionError"),
    ]
    assert [(s.source, s.failures, s.read) for s in parsed.summaries][-1] == ("minitest", 2, 2)


@pytest.mark.parametrize(
    "log", ["reporters_spec.txt", "reporters_default.txt", "reporters_progress.txt"]
)
def test_minitest_reporters_failures_are_read_as_minitests(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    """minitest-reporters closes with `8 tests, …` where minitest says `8 runs, …`; its 7
    failures were counted and not read (its blocks are its own, capture_minitest_reporters.sh).
    Each reporter's are read now (poolctl/logs/minitest_reporters.py), as minitest's own
    reporter's are: the same places, kinds and patterns."""
    code, out, _ = run(capsys, "triage", str(RUNS / log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 7 and report["summary"]["unread"] == 0
    read = [
        (
            f["failure"]["name"].removeprefix("PoolTest#"),
            f["failure"]["location"],
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]
    assert read == READ
    failures = [f["failure"] for f in report["findings"]]
    # the SpecReporter prints the class; the others print `Minitest::Result` for it: none
    assert {f["group"] for f in failures} == {"PoolTest" if log == "reporters_spec.txt" else ""}
    assert failures[4]["message"] == (
        "CheckoutTimeout: checkout timed out after 0.2s: pool pool_a has 0 idle workers, 1 waiting"
    )
    assert failures[3]["message"] == "Expected: 3\nActual: 2"  # (its wrapper's class dropped)
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.text, s.failures, s.read) for s in parsed.summaries] == [
        ("minitest", "8 tests, 2 assertions, 1 failures, 6 errors, 0 skips", 7, 7)
    ]
    assert not any("not read" in note for note in parsed.skipped)


@pytest.mark.parametrize("reporter", ["spec", "default", "progress"])
def test_minitest_reporters_ordinary_failures_beside_the_pools(reporter: str) -> None:
    """A second class's failures (capture_minitest_reporters.sh's settings/settings_test.rb): an
    assertion with its own message, and a NoMethodError whose message Ruby's error_highlight
    continues past a blank line (the DefaultReporter's) or a line of spaces (the others') with
    the code, its frame after it; a skip is no failure."""
    parsed = read_logs([str(RUNS / f"reporters_settings_{reporter}.txt")])
    assert [(s.text, s.failures, s.read) for s in parsed.summaries] == [
        ("12 tests, 4 assertions, 2 failures, 7 errors, 1 skips", 9, 9)
    ]
    asserted, raised = parsed.failures[:2]
    group = "SettingsTest" if reporter == "spec" else ""
    assert (asserted.group, asserted.location, asserted.kind) == (
        group,
        "settings/settings_test.rb:11",
        "AssertionError",
    )
    assert asserted.message == "retries of pool pool_a.\nExpected: 3\nActual: 2"
    assert (raised.group, raised.location, raised.kind) == (
        group,
        "settings/settings_test.rb:15",
        "NoMethodError",
    )
    assert raised.message.splitlines()[-2:] == [
        'SETTINGS["timeouts"].fetch("checkout_ms")',
        "^^^^^^",
    ]
    assert {f.group for f in parsed.failures[2:]} == {"PoolTest" if group else ""}
