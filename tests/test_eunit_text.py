"""EUnit's text report (`erl -noshell -eval 'eunit:test(M)'`), alone or after a clean `mix test`
run in one log (real captures: tests/fixtures/src/capture_eunit_text.sh and
capture_erlang_after_mix.sh): each failed test's block is read, its name, module, place, class
and term; its verdicts (`Failed: N.`, `One or more tests were cancelled.`) count them. Before,
the verdicts alone were read: every failure counted, none read, with the advice to have eunit
write JUnit XML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.triage import triage
from tests.conftest import RunCli

FIXTURES = Path(__file__).parent / "fixtures"
FAILED = [
    ("checkout_test", "epool_tests.erl:10", "error", "{badmatch,worker_1}"),
    (
        "shutdown_test",
        "epool_tests.erl:13",
        "error",
        "{badmatch,{error,{shutdown,{pool,checkout,[my_pool]}}}}",
    ),
    (
        "call_timeout_test",
        "epool_tests.erl:17",
        "exit",
        "{timeout,{gen_server,call,[<0.87.0>,slow,100]}}",
    ),
    (
        "-described_test_/0-fun-1- (a worker answers its ping)",
        "epool_tests.erl:23",
        "error",
        "{badmatch,ping}",
    ),
    (
        "-described_test_/0-fun-0- (the pool has two workers)",
        "epool_tests.erl:24",
        "error",
        "{badmatch,1}",
    ),
]


@pytest.mark.parametrize("log", ["plain.txt", "verbose.txt"])
def test_eunits_text_report_is_read_test_by_test(log: str, cli: RunCli) -> None:
    parsed = read_logs([str(FIXTURES / "eunit" / log)])
    got = [(f.name, f.location, f.kind, f.message) for f in parsed.failures]
    assert [g[:3] for g in got[:5]] == [f[:3] for f in FAILED]
    assert [g[3].split("<")[0] for g in got[:5]] == [f[3].split("<")[0] for f in FAILED]
    assert {(f.source, f.group) for f in parsed.failures} == {("eunit", "epool_tests")}
    cancelled = parsed.failures[5]
    assert (cancelled.name, cancelled.kind, cancelled.location) == (
        "-slow_test_/0-fun-0-",
        "timeout",
        "",  # it was cancelled in timer:sleep: no frame of its module printed
    )
    assert len(parsed.failures) == 6
    runs = [(s.text, s.failures, s.read) for s in parsed.summaries]
    assert runs == [
        ("Failed: 5.  Skipped: 0.  Passed: 1.", 5, 5),
        ("One or more tests were cancelled.", 1, 1),
    ]
    code, out, err = cli(
        "triage", str(FIXTURES / "eunit" / log), "--no-history", "--format", "json"
    )
    assert code == 1, err
    assert json.loads(out)["summary"]["unread"] == 0


def test_a_checkout_that_exited_with_shutdown_in_eunit_is_pattern_2() -> None:
    """The term names the pool's checkout and its shutdown: evidence for pattern 2, as in the
    surefire XML of the same suite."""
    report = triage(read_logs([str(FIXTURES / "eunit" / "plain.txt")]), load_patterns())
    said = {f.failure.name: f.outcome for f in report.findings}
    shutdown = said["shutdown_test"]
    assert isinstance(shutdown, Diagnosis)
    assert shutdown.pattern_id == "pool-shutdown-during-checkout"
    assert not any(isinstance(o, Diagnosis) for n, o in said.items() if n != "shutdown_test")


def test_eunit_after_a_clean_mix_run_reads_its_blocks() -> None:
    """`mix test` passed, then `eunit:test(pool2_tests)` failed, in one CI job's log."""
    parsed = read_logs([str(FIXTURES / "mixed" / "mix_then_eunit.log")])
    assert [f.name for f in parsed.failures] == ["checkout_test", "crash_test", "call_timeout_test"]
    [eunit] = [s for s in parsed.summaries if s.source == "EUnit"]
    assert (eunit.failures, eunit.read) == (3, 3)
    assert not any("have it write JUnit XML" in note for note in parsed.skipped)


def test_a_fixtures_setup_that_failed_is_the_failure_its_cancelled_verdict_counts() -> None:
    """`*** context setup failed ***` (epool_setup_tests: its setup raises `{no_pool,epool}`):
    EUnit cancels the fixture's tests and says only `One or more tests were cancelled.`; it was
    counted and not read (with the advice to write JUnit XML)."""
    parsed = read_logs([str(FIXTURES / "eunit" / "setup_failed.txt")])
    [failure] = parsed.failures
    assert (failure.name, failure.group, failure.location, failure.kind, failure.message) == (
        "epool_setup_tests context setup failed",
        "epool_setup_tests",
        "epool_setup_tests.erl:7",
        "error",
        "{no_pool,epool}",
    )
    [cancelled] = parsed.summaries
    assert (cancelled.text, cancelled.failures, cancelled.read) == (
        "One or more tests were cancelled.",
        1,
        1,
    )


@pytest.mark.parametrize("name", ["cleanup_failed.txt", "cleanup_failed_verbose.txt"])
def test_a_fixtures_cleanup_that_failed_is_the_failure_its_cancelled_verdict_counts(
    name: str,
) -> None:
    """`*** context cleanup failed ***` (epool_cleanup_tests: its cleanup stops a pool process
    its test already stopped): its tests passed (`Passed: 2.`) and EUnit says `One or more tests
    were cancelled.`; it was counted and not read. Its error comes from OTP's proc_lib, no frame
    of the fixture's: no module, no place."""
    parsed = read_logs([str(FIXTURES / "eunit" / name)])
    [failure] = parsed.failures
    assert (failure.name, failure.group, failure.location, failure.kind, failure.message) == (
        "context cleanup failed",
        "",
        "",
        "exit",
        "noproc",
    )
    assert failure.stacktrace == ("in function proc_lib:stop/3 (proc_lib.erl, line 1091)",)
    [cancelled] = parsed.summaries
    assert (cancelled.text, cancelled.failures, cancelled.read) == (
        "One or more tests were cancelled.",
        1,
        1,
    )
