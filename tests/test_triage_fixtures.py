"""Triage of real runner output: every failure of every fixture (tests/fixtures/expected.yaml),
and the shared DSPex corpus log when its folder is present."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Finding, Report
from poolctl.patterns import load_patterns
from poolctl.report.groups_view import coverage_of
from poolctl.triage import triage
from tests.expected_fixtures import EXPECTED, FIXTURES

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/dspex-v2-phase1"
KB = load_patterns()


@cache
def report_for(name: str) -> Report:
    return triage(read_logs([str(FIXTURES / name)]), KB)


def label(finding: Finding) -> str:
    o = finding.outcome
    return o.pattern_id if isinstance(o, Diagnosis) else "unclassified"


def find(report: Report, expected: dict[str, Any], used: set[int]) -> Finding:
    """The finding for one expected.yaml row: by header line, else by test name and group."""
    for i, f in enumerate(report.findings):
        if i not in used and expected.get("line") and f.failure.line_start == expected["line"]:
            used.add(i)
            return f
    test = expected.get("test") or "setup_all"
    group = (expected.get("group") or "").removeprefix("Elixir.").rsplit(".", 1)[-1]
    for i, f in enumerate(report.findings):
        if i not in used and test in f.failure.name and group in f.failure.group:
            used.add(i)
            return f
    raise AssertionError(f"no failure for {expected}")


CASES = [pytest.param(name, id=name) for name in EXPECTED["files"]]


@pytest.mark.parametrize("name", CASES)
def test_fixture_file_is_classified_as_expected(name: str) -> None:
    spec = EXPECTED["files"][name]
    report = report_for(name)
    assert len(report.findings) == len(spec["failures"])
    used: set[int] = set()
    wrong = []
    for row in spec["failures"]:
        got = label(find(report, row, used))
        if got != row["pattern"]:
            wrong.append(f"{row.get('line')} {row.get('test')}: {got}, expected {row['pattern']}")
    assert not wrong, "\n".join(wrong)


def diagnosis(name: str, test: str) -> Diagnosis:
    for f in report_for(name).findings:
        if test in f.failure.name and isinstance(f.outcome, Diagnosis):
            return f.outcome
    raise AssertionError(test)


def test_fixture_facts_pattern_4_keys() -> None:
    fcl = diagnosis("exunit/pool_suite.log", "pool starts successfully with lazy workers")
    assert fcl.facts["given_keys"][:2] and "pid" in fcl.facts["provided_keys"]
    key_error = diagnosis("exunit/pool_suite.log", "pool reports no ready workers")
    assert (key_error.facts["missing_key"], key_error.facts["nearest_key"]) == ("pool_pid", "pid")
    helper = diagnosis("exunit/pool_suite.log", "checked-out worker stays alive")
    assert helper.pattern_id == "fixture-key-mismatch"
    fixture = diagnosis("pytest/pool_suite.txt", "test_pool_reports_stats")
    assert fixture.facts["missing_key"] == "pool_pid"
    assert fixture.facts["nearest_key"] in ("pool_ctx", "pool_handle")  # the fixtures holding a pid
    handle = diagnosis("pytest/pool_suite.txt", "test_pool_handle_has_pid")
    assert (handle.facts["missing_key"], handle.facts["nearest_key"]) == ("pool_pid", "pid")


def test_pytest_fixture_list_ends_before_its_help_line() -> None:
    """`available fixtures: a, b` is followed by `use 'pytest --fixtures [testpath]' for help
    on them.`: `use` is no fixture the setup provides."""
    fixture = diagnosis("pytest/pool_suite.txt", "test_pool_reports_stats")
    assert "use" not in fixture.facts["given_keys"]
    assert fixture.facts["given_keys"][-1] == "tmpdir_factory"


def test_fixture_facts_reading_the_test_source() -> None:
    src = FIXTURES / "src" / "exunit_pool_suite"
    parsed = read_logs([str(FIXTURES / "exunit/pool_suite.log")])
    report = triage(parsed, KB, source_roots=[src])
    d = next(
        f.outcome
        for f in report.findings
        if "pool starts successfully" in f.failure.name and isinstance(f.outcome, Diagnosis)
    )
    assert isinstance(d, Diagnosis)
    assert d.facts["expected_keys"] == ["pool_pid", "genserver_name"]
    assert (d.facts["missing_key"], d.facts["nearest_key"]) == ("pool_pid", "pid")


def test_fixture_facts_patterns_2_3_5_6_7() -> None:
    name = "exunit/pool_suite.log"
    waiters = diagnosis(name, "error handling doesn't affect other operations")
    assert waiters.facts["waiters"] >= 2 and waiters.facts["pool_size"] == 2
    assert waiters.facts["pool"].startswith("test_pool_")
    lease = diagnosis(name, "lease! hands out workers")
    assert (lease.facts["waiters"], lease.facts["busy"]) == (3, 1)
    shutdown = diagnosis(name, "queued requests complete after a pool resize")
    assert shutdown.facts["callers_dropped"] == 2
    assert next(h for h in shutdown.hypotheses if h.id == "test-stops-pool").status == "confirmed"
    assert diagnosis(name, "sessions are created per user").facts["field_key"] == "session_id"
    assert diagnosis(name, "executes a program with inputs").facts["field_key"] == "inputs"
    assert (
        diagnosis(name, "get_adapter/1 respects").facts["got"] == "PoolSuite.Adapters.PoolAdapter"
    )
    assert diagnosis(name, "flushes metrics").facts["process"] == ":telemetry_collector"
    py = diagnosis("pytest/pool_suite.txt", "test_checkout_waits_for_busy_worker")
    assert (py.facts["pool"], py.facts["waiters"]) == ("pool_b", 3)


CORPUS_TABLE = {
    4: "dependency-not-started",
    14: "port-no-response",
    40: "unclassified",
    60: "pool-shutdown-during-checkout",
    129: "checkout-timeout-waiters",
    163: "pool-shutdown-during-checkout",
    177: "pool-shutdown-during-checkout",
    191: "fixture-key-mismatch",
    208: "checkout-timeout-waiters",
    221: "unclassified",
    249: "port-no-response",
    261: "required-field-missing",
    275: "unclassified",
    288: "adapter-misconfigured",
    301: "adapter-misconfigured",
    324: "adapter-misconfigured",
    351: "adapter-misconfigured",
    368: "adapter-misconfigured",
    403: "adapter-misconfigured",
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")
def test_dspex_corpus_is_classified_as_its_readme_says() -> None:
    report = triage(read_logs([str(CORPUS / "exunit-17-failures.log")]), KB)
    got = {f.failure.line_start: label(f) for f in report.findings}
    assert got == CORPUS_TABLE
    p3 = next(f.outcome for f in report.findings if f.failure.line_start == 129)
    assert isinstance(p3, Diagnosis)
    assert p3.facts["waiters"] == 5
    # its pool's size is printed by no line of its own: line 147, after its block and before
    # the progress dot of the (passing) test that printed it, names no pool and is not read
    assert "pool_size" not in p3.facts and "overflow" not in p3.facts
    assert not [e for e in p3.evidence if e.origin.endswith(":147")]
    assert "5 waiting)" in p3.remediation
    p2 = next(f.outcome for f in report.findings if f.failure.line_start == 60)
    assert isinstance(p2, Diagnosis) and p2.facts["wrong_process"] is True
    p1 = next(f.outcome for f in report.findings if f.failure.line_start == 249)
    # the port info line above its block names neither its pool nor a process it names: its
    # os_pid is not tied to it, and not stated (it was, from that line alone)
    assert isinstance(p1, Diagnosis) and "os_pid" not in p1.facts
    [untied] = [e for e in p1.evidence if e.note.startswith("os_pid not stated")]
    assert untied.origin.endswith(":244") and "not tied to it" in untied.note
    # the seed's theories are candidates, not findings: no evidence in the log, so untested
    assert all(h.status == "untested" for h in p1.hypotheses)


@pytest.mark.parametrize("name", CASES)
def test_fixture_counts_are_reconciled(name: str) -> None:
    """Every failure a runner counted is in the report, read or named as unread."""
    spec = EXPECTED["files"][name]
    coverage = coverage_of(report_for(name))
    assert coverage is not None
    assert (coverage.counted, coverage.unread) == (spec["counted"], spec["unread"])
    assert coverage.read == spec["counted"] - spec["unread"]
    assert bool(coverage.regions) == bool(spec["unread"])


def test_no_unrelated_failure_of_any_fixture_is_classified() -> None:
    wrong = []
    for name, spec in EXPECTED["files"].items():
        report = report_for(name)
        used: set[int] = set()
        for row in spec["failures"]:
            got = label(find(report, row, used))
            if row["pattern"] == "unclassified" and got != "unclassified":
                wrong.append(f"{name}:{row.get('line')} {row.get('test')}: claimed by {got}")
    assert not wrong, "\n".join(wrong)


def facts_of(name: str, test: str) -> dict[str, Any]:
    return dict(diagnosis(name, test).facts)


def test_fixture_facts_of_services_that_are_not_running() -> None:
    name = "pytest/services_suite.txt"
    expected = {
        "test_rate_limiter_counts_requests": ("localhost:6379", "Redis"),
        "test_signup_enqueues_welcome_email": ("localhost:6379", "Redis"),
        "test_orders_table_is_reachable": ("127.0.0.1:5432", "PostgreSQL"),
        "test_async_repository_connects": ("127.0.0.1:5432", "PostgreSQL"),
        "test_billing_service_is_healthy": ("localhost:8080", "the HTTP service"),
        "test_search_service_is_healthy": ("127.0.0.1:9200", "the HTTP service"),
    }
    for test, (address, service) in expected.items():
        facts = facts_of(name, test)
        assert (facts["address"], facts["service"]) == (address, service), test
    redis = diagnosis(name, "test_rate_limiter_counts_requests")
    assert redis.remediation.startswith("Start Redis on localhost:6379 before the tests run")
    assert "`services:` container" in redis.remediation
    assert next(h for h in redis.hypotheses if h.id == "service-not-running").status == "confirmed"
    assert facts_of("exunit/services_suite.log", "scenario a visitor signs up")["address"] == (
        "localhost:4002"
    )
    assert facts_of("exunit/umbrella.log", "payment gateway")["address"] == "127.0.0.1:4010"
    assert facts_of("junit/jest_junit.xml", "session cache")["address"] == "127.0.0.1:6379"
    go = "constructed/go_junit_report.xml"
    assert facts_of(go, "TestCacheIsReachable")["address"] == "127.0.0.1:6379"


def test_fixture_facts_of_pools() -> None:
    sqlalchemy = facts_of("pytest/services_suite.txt", "test_report_query_gets_a_connection")
    assert (sqlalchemy["pool_size"], sqlalchemy["overflow"], sqlalchemy["timeout"]) == (
        1,
        0,
        "0.20 s",
    )
    assert facts_of("pytest/services_suite.txt", "concurrent_reports")["timeout"] == "0.20 sec"
    checkout = diagnosis("exunit/services_suite.log", "a second session checks out")
    assert checkout.facts["pool"].startswith("#PID<0.") and checkout.facts["timeout"] == "200 ms"
    assert (checkout.facts["pool_size"], checkout.facts["waiters"]) == (1, 1)
    assert "(1 waiting on 1 worker(s), overflow 0)" in checkout.remediation
    hikari = facts_of("constructed/surefire_TEST-com.example.pool.CheckoutTest.xml", "reportQuery")
    assert (hikari["pool_size"], hikari["busy"], hikari["waiters"]) == (10, 10, 3)
    broken = diagnosis("pytest/services_suite.txt", "test_batch_survives_a_bad_item")
    assert broken.facts["worker_died"] == "terminated abruptly"
    assert "a worker process terminated abruptly, and that broke the pool" in broken.remediation
    assert next(h for h in broken.hypotheses if h.id == "worker-died").status == "confirmed"


def test_a_pytest_junit_of_tb_line_gets_pythons_remedies() -> None:
    """`--tb=line` leaves pytest's JUnit XML no frame and no file, only `E   ` lines: still a
    Python run, whose fixes name Python's calls and settings, not ExUnit's or Mix's."""
    xml = "junit/pytest_pypool_tbline.xml"
    for test in ("test_waiter_gets_worker_after_close", "test_submit_after_shutdown"):
        closed = diagnosis(xml, test)
        assert closed.remediation.startswith("Do not close or shut down a pool (or an executor)")
        assert "stop_supervised" not in closed.remediation
    adapter = diagnosis(xml, "test_backend_from_settings")
    assert adapter.pattern_id == "adapter-misconfigured"
    assert "(the settings, environment variable or fixture the tests read)" in adapter.remediation
    assert "config/test.exs" not in adapter.remediation


def test_a_pytest_junit_of_tb_line_keeps_the_whole_message() -> None:
    """The `E   ` line is the message's first line; the `message` attribute has the rest."""
    (failure,) = [
        f.failure
        for f in report_for("junit/pytest_pypool_tbline.xml").findings
        if f.failure.name == "test_predict_request_model"
    ]
    assert failure.message.split("\n")[1:3] == [
        "program_id",
        "  Field required [type=missing, input_value={'signature': 'q -> a', 'inputs': "
        "{'q': 'hi'}}, input_type=dict]",
    ]


def test_fixture_facts_of_missing_keys() -> None:
    context = facts_of("exunit/services_suite.log", "checks out from the context's pool")
    assert (context["missing_key"], context["nearest_key"]) == ("pool", "pool_name")
    assert context["suggested_keys"] == ["pool_name"]
    data = facts_of("exunit/services_suite.log", "an admin sees the dashboard")
    assert (data["missing_key"], data["nearest_key"]) == ("role", "roles")
    newer = facts_of("constructed/exunit_1_18_key_error.log", "an admin sees the dashboard")
    assert (newer["missing_key"], newer["nearest_key"]) == ("roles", "role")
    assert newer["given_keys"] == ["name", "email", "role", "inserted_at", "team"]
    fixture = facts_of("pytest/services_suite.txt", "test_database_url_is_sqlite")
    assert (fixture["missing_key"], fixture["nearest_key"]) == ("database_url", "db_url")
    summary = facts_of("pytest/services_summary_only.txt", "test_database_url_is_sqlite")
    assert summary["missing_key"] == "database_url"  # from the short summary alone
    port = diagnosis("exunit/services_suite.log", "worker answers a ping")
    assert port.pattern_id == "port-no-response"
    assert [e.note for e in port.evidence] == [
        "the call returned :timeout",
        "the failing line is a ping or a request to a port or worker",
    ]


P1_MODULE = "PoolSuite.PortCommunicationTest"


def test_exunit_capture_log_output_is_read_as_the_tests_context() -> None:
    """`ExUnit.start(capture_log: true)` prints a test's Logger lines in its block, after `The
    following output was logged:`: they were read as the failure's own text (a `Python bridge
    not running` line raised two adapter failures to 1.00) and not as its context (a checkout's
    `queued … waiting` line no longer counted: 0.60 for 0.80). Read as the console's Logger
    lines are, the same run with the same seed is judged alike with or without it."""

    def judged(name: str) -> dict[tuple[str, str], tuple[str, float] | None]:
        return {
            (f.failure.name, f.failure.group): (
                (f.outcome.pattern_id, f.outcome.confidence)
                if isinstance(f.outcome, Diagnosis)
                else None
            )
            for f in report_for(name).findings
        }

    logged = judged("exunit/pool_suite_capture_log.log")  # --seed 0, capture_log: true
    assert len(logged) == 31
    traced = judged("exunit/pool_suite_seed_trace.log")  # --seed 0 --trace
    # but the worker's os_pid: under --trace the line printed while the test ran is its own;
    # capture_log captures every test's Logger lines while it runs (async tests: another
    # test's worker, `programs_258 … os_pid: 8688`, among them): none is tied, none stated
    untied = {
        ("test direct port communication with Port.command/2", P1_MODULE): 0.85,
        ("test init ping reaches a freshly started worker", P1_MODULE): 0.95,
    }
    for key, confidence in untied.items():
        assert traced[key] == ("port-no-response", confidence)
        assert logged[key] == ("port-no-response", round(confidence - 0.25, 2))
    assert {k: v for k, v in logged.items() if k not in untied} == {
        k: v for k, v in traced.items() if k not in untied
    }
    for finding in report_for("exunit/pool_suite_capture_log.log").findings:
        if (finding.failure.name, finding.failure.group) in untied:
            assert isinstance(finding.outcome, Diagnosis)
            assert "os_pid" not in finding.outcome.facts
            assert any(
                e.note.startswith("os_pid not stated") and "tied to it" in e.note
                for e in finding.outcome.evidence
            )
