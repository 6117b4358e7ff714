"""RSpec's `Failures:` section is read, each entry a failed example with its error's class and
message (or a matcher's expectation) and its place in the spec, counted by RSpec's `8 examples,
7 failures`; an error outside the examples (a spec file that did not load) is one failure,
counted by `0 examples, 0 failures, 1 error occurred outside of examples`. Before, an RSpec log
alone was read as ExUnit's and its failures counted and none read ('not read as a failure'),
and a run whose spec file did not load was '0 failures', exit 0. Real captures of
`src/ruby_pool_suite` (`tests/fixtures/src/capture_rspec.sh`: RSpec 3.12, a pool of real Ruby
worker processes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from poolctl.logs import detect_format, read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "rspec_runs"
READ = [
    (
        "Pool lets a second caller check out within 200ms",
        "spec/pool_spec.rb:15",
        "CheckoutTimeout",
        "checkout-timeout-waiters",
    ),
    ("Pool keeps its worker after a request", "spec/pool_spec.rb:29", "WorkerExited", "-"),
    ("Pool reads the ok of an answer", "spec/pool_spec.rb:36", "KeyError", "-"),
    ("Pool starts a job", "spec/pool_spec.rb:40", "KeyError", "-"),
    (
        "Pool hands a worker to a caller waiting through shutdown",
        "spec/pool_spec.rb:46",
        "PoolShutdown",
        "pool-shutdown-during-checkout",
    ),
    ("Pool counts its workers", "spec/pool_spec.rb:54", "AssertionError", "-"),
    (
        "Pool with a silent worker answers within the request timeout",
        "spec/pool_spec.rb:22",
        "NoResponse",
        "port-no-response",
    ),
]


def _findings(capsys: pytest.CaptureFixture[str], log: Path) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "triage", str(log), "--no-history", "--format", "json")
    return code, json.loads(out)


@pytest.mark.parametrize("log", ["progress.txt", "documentation.txt", "color.txt"])
def test_each_entry_is_a_failed_example_read_and_classified(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    assert detect_format((RUNS / log).read_bytes()) == "pytest"  # (not ExUnit's)
    code, report = _findings(capsys, RUNS / log)
    assert code == 1
    assert report["summary"]["failures"] == 7 and report["summary"]["unread"] == 0
    read = [
        (
            f["failure"]["name"],
            f["failure"]["location"],
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]
    assert read == READ
    messages = [f["failure"]["message"] for f in report["findings"]]
    # the error's class and its message, below a `Failure/Error:` whose code spans two lines
    assert messages[0] == (
        "CheckoutTimeout: checkout timed out after 0.2s: pool pool_a has 0 idle workers, 1 waiting"
    )
    assert messages[3] == 'KeyError: key not found: "program_id"'
    # a matcher's expectation: RSpec names no class
    assert messages[5] == "expected: 3\ngot: 2\n(compared using ==)"
    frames = report["findings"][3]["failure"]["stacktrace"]
    assert frames == [
        "./lib/pool.rb:101:in `fetch'",
        "./lib/pool.rb:101:in `start_job'",
        "./spec/pool_spec.rb:40:in `block (2 levels) in <top (required)>'",
    ]


def test_the_verdict_counts_the_entries_read() -> None:
    parsed = read_logs([str(RUNS / "progress.txt")])
    assert [(s.source, s.text, s.failures, s.read) for s in parsed.summaries] == [
        ("RSpec", "8 examples, 7 failures", 7, 7)
    ]
    assert {f.group for f in parsed.failures} == {"spec/pool_spec.rb"}
    assert not any("not read" in note for note in parsed.skipped)


def test_a_spec_file_that_did_not_load_is_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _findings(capsys, RUNS / "load_error.txt")
    assert code == 1
    assert report["summary"]["failures"] == 1 and report["summary"]["unread"] == 0
    [finding] = report["findings"]
    failure = finding["failure"]
    assert (failure["name"], failure["location"], failure["kind"]) == (
        "An error occurred while loading ./spec/broken_spec.rb",
        "spec/broken_spec.rb:10",
        "NoMethodError",
    )
    # the message, not the code Ruby's error_highlight shows after it
    assert failure["message"] == "NoMethodError: undefined method `configure!' for Pool:Class"
    parsed = read_logs([str(RUNS / "load_error.txt")])
    assert [(s.failures, s.read) for s in parsed.summaries] == [(1, 1)]


def test_rspec_after_a_clean_pytest_run_is_read_and_jasmines_section_still_is() -> None:
    """`pytest_then_rspec.log` (capture_other_runners2.sh): RSpec's entries after pytest's run;
    Jasmine's `Failures:` section (capture_js_runners.sh), not indented, is Jasmine's still."""
    rspec = read_logs([str(RUNS.parent / "pytest_then_rspec.log")])
    assert [(f.source, f.name, f.location, f.kind) for f in rspec.failures] == [
        ("rspec", "worker pool checks out within 200ms", "spec/pool_spec.rb:3", "RuntimeError"),
        ("rspec", "worker pool adds", "spec/pool_spec.rb:7", "AssertionError"),
    ]
    assert [(s.source, s.failures, s.read) for s in rspec.summaries][-1] == ("RSpec", 2, 2)
    jasmine = read_logs([str(RUNS.parent / "pytest_then_jasmine.log")])
    assert {f.source for f in jasmine.failures} == {"jasmine"} and len(jasmine.failures) == 4


def test_rspec_after_a_clean_mix_test_run_is_rspecs_run() -> None:
    """`mix_then_rspec.log` (capture_rspec.sh: mix test's clean run, then RSpec's): `8 examples,
    7 failures` closed an ExUnit run (ExUnit's custom test types print such a line), its
    failures said not read though all 7 were; the entries read since mix test's run closed
    being RSpec's, it is RSpec's verdict."""
    parsed = read_logs([str(RUNS / "mix_then_rspec.log")])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [
        ("closing line", 0, 0),
        ("RSpec", 7, 7),
    ]
    assert {f.source for f in parsed.failures} == {"rspec"} and len(parsed.failures) == 7
