"""Facts read from the right lines of a real `mix test` run (tests/fixtures/src/
capture_exunit_wpool.sh): a test's own Logger lines come before its failure block, a later
test's after it; a checkout's timeout is the one in its call; a match in a setup callback is
read at the line its stack names; a Task.await time-out is pattern 1 only when the task is
shown to be a worker's request, and says what it could not tell apart."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.exunit import ExUnitParser
from poolctl.model import Diagnosis, Finding, Report, Unclassified
from poolctl.patterns import load_patterns
from poolctl.report.view import pattern_sections
from poolctl.triage import triage
from poolctl.triage.classifier import render_template
from poolctl.triage.regions import Regions

FIXTURES = Path(__file__).parent / "fixtures"
WPOOL = FIXTURES / "exunit" / "wpool_suite.log"
SOURCE = FIXTURES / "src" / "exunit_wpool_suite"
KB = load_patterns()


@cache
def report(source: bool = False) -> Report:
    return triage(read_logs([str(WPOOL)]), KB, source_roots=[SOURCE] if source else [])


def finding(name: str, source: bool = False) -> Finding:
    return next(f for f in report(source).findings if name in f.failure.name)


def diagnosis(name: str, source: bool = False) -> Diagnosis:
    outcome = finding(name, source).outcome
    assert isinstance(outcome, Diagnosis), outcome
    return outcome


def line_of(text: str, before: int) -> int:
    """The last line before `before` that holds `text`."""
    lines = WPOOL.read_text().splitlines()[: before - 1]
    return max(i for i, line in enumerate(lines, start=1) if text in line)


def test_pool_size_comes_from_the_tests_own_setup_line_not_the_next_tests() -> None:
    first = finding("six concurrent callers on a pool of two")
    second = finding("callers queued behind a busy pool get a worker")
    own = line_of("pool started with 2 workers", first.failure.line_start)
    nxt = line_of("pool started with 3 workers", second.failure.line_start)
    assert first.failure.line_end < nxt < second.failure.line_start  # printed after its block
    d = diagnosis("six concurrent callers on a pool of two")
    assert d.facts["pool_size"] == 2
    [size] = [e for e in d.evidence if "pool_size" in e.note]
    assert size.origin == f"{WPOOL}:{own}"
    d = diagnosis("callers queued behind a busy pool get a worker")
    assert d.facts["pool_size"] == 3
    [size] = [e for e in d.evidence if "pool_size" in e.note]
    assert size.origin == f"{WPOOL}:{nxt}"


def test_checkout_timeout_is_the_one_in_the_call_not_assert_receives_wait() -> None:
    d = diagnosis("callers queued behind a busy pool get a worker")
    assert "no matching message after 3000ms" in finding("callers queued").failure.message
    assert d.facts["timeout"] == "250 ms"
    assert "a caller waits 250 ms" in d.remediation


def test_exunits_own_test_timeout_is_no_checkout_timeout() -> None:
    """`test timed out after 600ms` is the test's limit (its checkout waits `:infinity`): the
    pattern's `timeout` fact passes over that line (`unless:`), and the fix names no wait."""
    d = diagnosis("checkout waits for a free worker")
    assert "test timed out after 600ms" in finding("checkout waits for a free").failure.message
    assert "timeout" not in d.facts
    assert "a caller waits" not in d.remediation


def test_a_later_tests_lines_end_at_a_progress_dot() -> None:
    """The lines after the dot that follows a block, before the next header, are the next
    failed test's own."""
    from poolctl.triage.regions import Regions

    log = FIXTURES / "exunit" / "pool_suite.log"
    parsed = read_logs([str(log)])
    assert log.read_text().splitlines()[132] == "."  # a test that passed ended there
    by_start = {f.line_start: f for f in parsed.failures}
    regions = Regions(parsed)
    own = [n for n, _ in regions.own(by_start[153])]
    assert own[0] == 134  # the next test's own lines stop at the dot


def test_a_match_in_a_setup_callback_is_read_at_the_line_its_stack_names() -> None:
    d = diagnosis("named pool is registered", source=True)
    assert d.facts["keys_source"] == f"{SOURCE}/test/fixture_test.exs:26"
    assert d.facts["expected_keys"] == ["pool", "name"]
    assert d.facts["missing_keys"] == ["pool", "name"]
    assert d.facts["renames"] == ["pool → none close", "name → pool_name"]
    [pattern] = [e for e in d.evidence if e.origin.endswith("fixture_test.exs:26")]
    assert pattern.text == "%{pool: pool, name: name}"
    assert "setup callback" in pattern.note
    assert d.remediation.startswith(
        "Make the names agree: the setup callback at test/fixture_test.exs:26 matches `name`"
    )
    # without the source, the fix points at that line, not at the test head
    bare = diagnosis("named pool is registered")
    assert bare.facts["failed_at"] == "test/fixture_test.exs:26"
    assert "open the line the stack names, test/fixture_test.exs:26," in bare.remediation


def test_task_await_of_a_worker_request_is_pattern_1_and_says_what_was_not_tested() -> None:
    for name, shown_by in [
        ("request task started from the worker's function", "%Task{mfa: …} names it"),
        ("request task awaited on its code line", "a request to a port or worker"),
        ("the same request to every worker", "the stack names it"),
    ]:
        d = diagnosis(name)
        assert d.pattern_id == "port-no-response"
        assert any(shown_by in e.note for e in d.evidence), (name, d.evidence)
        assert d.facts["timeout"] == "400 ms"
        assert d.cause.startswith("Task.await gave up after 400 ms on a task that makes")
        assert "look the same here, and which it was is not tested" in d.cause


def test_task_await_with_no_worker_in_sight_stays_unclassified() -> None:
    for name in [
        "a task that sleeps past its await",  # %Task{mfa: {Process, :sleep, 1}}
        "slow computation in a task",
        "concurrent request through Task.await",  # a worker's, by code the log does not show
    ]:
        outcome = finding(name).outcome
        assert isinstance(outcome, Unclassified), (name, outcome)
        assert outcome.nearest == "port-no-response" and outcome.score < 0.5


def test_a_recommendation_with_fewer_facts_is_said_by_the_one_with_more() -> None:
    from poolctl.report.view import fullest

    p3 = KB.get("checkout-timeout-waiters")
    full = render_template(p3.remediation, {"pool_size": 2, "timeout": "300 ms"})
    bare = render_template(p3.remediation, {})
    other = render_template(p3.remediation, {"pool_size": 3, "timeout": "250 ms"})
    assert fullest([full, bare]) == (full,)
    assert fullest([bare, full, other]) == (full, other)
    d = diagnosis("six concurrent callers on a pool of two")
    with_facts = Finding(finding("six concurrent").failure, d)
    without = Finding(finding("callers queued").failure, replace(d, remediation=bare))
    [section] = pattern_sections(Report(kind="triage", title="t", findings=(with_facts, without)))
    assert section.remediations == (d.remediation,)


def test_only_the_last_test_end_before_each_failure_is_kept_and_regions_stay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A `mix test --trace` run prints a line as each test ends (tests/fixtures/exunit/
    pool_suite_seed_trace.log, a real capture): 2,000,000 of them were kept, 76 MB. A failure's
    region starts after the last before its header, so only that one is kept: each failure's
    region is the one every end gives (kept as before, a header never seen)."""
    path = str(FIXTURES / "exunit" / "pool_suite_seed_trace.log")
    parsed = read_logs([path])
    with monkeypatch.context() as patched:
        never = property(lambda parser: 1 << 60, lambda parser, line: None)
        patched.setattr(ExUnitParser, "header_at", never, raising=False)
        every = read_logs([path])
    kept, all_ends = parsed.test_ends[path], every.test_ends[path]
    assert len(kept) < len(all_ends) and set(kept) <= set(all_ends)
    for failure in parsed.failures:
        before = [n for n in all_ends if n < failure.line_start]
        assert [n for n in kept if n < failure.line_start][-1:] == before[-1:]
    regions, every_regions = Regions(parsed), Regions(every)
    assert [regions.own(f) for f in parsed.failures] == [
        every_regions.own(f) for f in every.failures
    ]
    assert any(regions.own(f) for f in parsed.failures)
