"""gotestsum's summary of a `go test` run (each failed test again under `=== Failed`, its build
errors under `=== Errors`, its count `DONE 11 tests, 1 skipped, 5 failures in 1.3s`) is read:
each failed test once, its package, place and message, whatever gotestsum printed before it
(real captures: capture_gotestsum.sh). Before, its default format was read as one failure
(`TestSizes/large`, from the subtest's result line in the summary, with no message) and a note
that the run was killed before its verdict; `--format testname` and `standard-verbose` as five,
`TestSizes/large` twice, the same note."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

GOTESTSUM = Path(__file__).parent / "fixtures" / "mixed" / "gotestsum"
# each failed test: its place and the start of its message (a panic's place is its frame)
TESTS = {
    "TestNilMapPanics": ("/tmp/gotestsum_suite/panics/panic_test.go:10", "assignment to entry"),
    "TestCheckoutTimesOut": ("pool_test.go:11", "checkout queued on pool_a"),
    "TestArithmetic": ("pool_test.go:17", "1 + 1 = 2, want 3"),
    "TestSizes/large": ("pool_test.go:25", "size 64: got 63 workers, want 64"),
}
LOGS = ["short.txt", "testname.txt", "standard_verbose.txt", "pytest_then_short.log"]


@pytest.mark.parametrize("log", LOGS)
def test_each_failed_test_is_read_once_and_the_count_is_all_read(log: str) -> None:
    """Four failures: gotestsum counts five, the parent of the failed subtest (which logged
    nothing) among them, read as its subtest is; its count is the one run, no `go test`
    package verdict counted beside it (standard-verbose prints them), and no note says the
    run stopped before its verdict."""
    parsed = read_logs([str(GOTESTSUM / log)])
    read = {f.name: (f.location, f.message) for f in parsed.failures}
    assert {name: place for name, (place, _) in read.items()} == {
        name: place for name, (place, _) in TESTS.items()
    }
    assert all(read[name][1].startswith(said) for name, (_, said) in TESTS.items())
    assert len(parsed.failures) == 4
    assert {f.source for f in parsed.failures} == {"go"}
    assert all(f.group.endswith(("pool", "panics")) for f in parsed.failures)
    assert not any("--- FAIL" in f.message for f in parsed.failures)
    runs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert runs == [("gotestsum", 5, 5)]
    assert not [n for n in parsed.skipped if "ended before its verdict" in n]
    assert not [n for n in parsed.skipped if "not read" in n]


def test_a_package_that_did_not_build_is_a_failure_named_by_its_file() -> None:
    """`=== Errors`: the compiler's line, counted by gotestsum as an error."""
    parsed = read_logs([str(GOTESTSUM / "build_error.txt")])
    broken = [f for f in parsed.failures if f.kind == "build error"]
    assert [(f.group, f.location, f.message) for f in broken] == [
        ("broken", "broken/broken_test.go:5", "undefined: undefinedThing")
    ]
    assert len(parsed.failures) == 5
    runs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert runs == [("gotestsum", 6, 6)]


def test_rerun_fails_counts_each_test_once() -> None:
    """`--rerun-fails=2`: a `DONE` line after each attempt (4, 8, 12 failures); the last one's
    summary lists each attempt: each of the three tests once, one run."""
    parsed = read_logs([str(GOTESTSUM / "rerun.txt")])
    assert sorted(f.name for f in parsed.failures) == [
        "TestArithmetic",
        "TestCheckoutTimesOut",
        "TestSizes/large",
    ]
    runs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert runs == [("gotestsum", 4, 4)]


@pytest.mark.parametrize("log", ["short.txt", "standard_verbose.txt"])
def test_the_checkout_timeout_is_classified(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, out, _ = run(capsys, "triage", str(GOTESTSUM / log), "--no-history", "-f", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 4 and report["summary"]["unread"] == 0
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns["TestCheckoutTimesOut"] == "checkout-timeout-waiters"
    assert patterns["TestArithmetic"] is None


def test_its_junit_report_reads_what_each_test_logged() -> None:
    """gotestsum's --junitfile (`message="Failed"`, go's -v lines as the text): each failure's
    message is what the test logged, its place where, a panic's kind and frame, not go's
    `=== RUN` and `--- FAIL:` lines. Before, the message began `=== RUN   TestArithmetic` and no
    failure had a place."""
    parsed = read_logs([str(GOTESTSUM.parent.parent / "junit" / "gotestsum_junit.xml")])
    read = {f.name: (f.location, f.message) for f in parsed.failures}
    for name, (place, said) in TESTS.items():
        assert read[name][0] == place and read[name][1].startswith(said), name
    assert not any("=== RUN" in message for _, message in read.values())
    assert {f.name: f.kind for f in parsed.failures}["TestNilMapPanics"] == "panic"


def test_its_junit_reports_parent_failed_by_its_subtest_is_folded_as_go_tests() -> None:
    """The report writes TestSizes, which failed only through TestSizes/large (it logged
    nothing), as a `<failure>` of its own, and its suite counts it (4). It was a failure beside
    its subtest's ('--- FAIL: TestSizes (0.00s)', 5 read); go test's readings, and gotestsum's
    own summary of the same run, fold it into the subtest: so does this one now, the parent's
    text kept in the subtest's details, the suite's count all accounted."""
    parsed = read_logs([str(GOTESTSUM.parent.parent / "junit" / "gotestsum_junit.xml")])
    summary = read_logs([str(GOTESTSUM / "standard_verbose.txt")])
    names = sorted((f.group.rsplit("/", 1)[-1], f.name) for f in parsed.failures)
    assert names == sorted((f.group.rsplit("/", 1)[-1], f.name) for f in summary.failures)
    assert "TestSizes" not in {f.name for f in parsed.failures}
    (large,) = (f for f in parsed.failures if f.name == "TestSizes/large")
    assert large.details["parent"] == "=== RUN   TestSizes\n--- FAIL: TestSizes (0.00s)"
    assert [(s.failures, s.read) for s in parsed.summaries if s.failures] == [(1, 1), (4, 4)]
    assert not any("not read" in note for note in parsed.skipped)


def test_a_summary_cut_before_its_count_keeps_the_failures_it_listed() -> None:
    """A job killed while gotestsum printed its summary: the blocks printed are failures, and a
    note says no count came. Before, the log was refused: `format not recognised`, exit 2."""
    parsed = read_logs([str(GOTESTSUM / "cut_in_summary.txt")])
    assert [(f.group, f.name) for f in parsed.failures] == [
        ("panics", "TestNilMapPanics"),
        ("pool", "TestCheckoutTimesOut"),
    ]
    assert [n for n in parsed.skipped if "the run ended before its summary" in n]


def test_a_test_that_passed_when_run_again_is_flaky_not_a_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--rerun-fails`: a test whose last failed try came before the last run passed when run
    again (gotestsum exits 0 when all did): no failure, a flaky note naming it and its first
    try's message; the tests that failed every try are failures, noted so. Before, the flaky
    test was a failure and its run failed (exit 1)."""
    parsed = read_logs([str(GOTESTSUM / "flaky.txt")])
    assert sorted(f.name for f in parsed.failures) == [
        "TestArithmetic",
        "TestCheckoutTimesOut",
        "TestSizes/large",
    ]
    assert parsed.reruns["flaky::TestCheckoutOnceSlow"].times == 1
    runs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert runs == [("gotestsum", 4, 4)]
    code, out, _ = run(
        capsys, "triage", str(GOTESTSUM / "flaky_only.txt"), "--no-history", "-f", "json"
    )
    report = json.loads(out)
    assert code == 0 and report["summary"]["failures"] == 0
    flaky = [n for n in report["notes"] if n.startswith("flaky: 1 test(s)")]
    assert flaky and "flaky::TestCheckoutOnceSlow (1 rerun: timed out waiting" in flaky[0]
    assert not [n for n in report["notes"] if "not read" in n]


def test_a_hidden_list_leaves_gos_own_lines_the_failures() -> None:
    """`--hide-summary=failed`: no `=== Failed` list. testname's go lines of the failed tests
    are the failures (the parent failed by its subtest counted by DONE, read as they are); the
    default format prints none, its count unread. Before, testname's were dropped at the DONE
    line: 5 counted, none read."""
    parsed = read_logs([str(GOTESTSUM / "hidden_testname.txt")])
    assert sorted(f.name for f in parsed.failures) == sorted(TESTS)
    runs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert runs == [("gotestsum", 5, 5)]
    parsed = read_logs([str(GOTESTSUM / "hidden_short.txt")])
    assert not parsed.failures
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("gotestsum", 5, 0)]


@pytest.mark.parametrize(
    ("log", "tries", "counted"),
    [
        ("count2.txt", 2, 9),  # (no rerun: the flaky test failed its first run of two)
        ("rerun_count2.txt", 2, 8),
        ("rerun_testname.txt", 1, 4),
    ],
)
def test_each_try_is_counted_as_it_ran(log: str, tries: int, counted: int) -> None:
    """`-count=2` runs each test twice, each failed run a failure of its own (as go's own
    readings count them: tests/test_go_count.py); `--rerun-fails` reruns the failed tests, each
    rerun a block of the summary (`(re-run 2)`), the test one failure per run of its first try,
    its reruns those gotestsum numbered, a test that passed when run again flaky; `testname`
    prints go's lines of each try before the try's `DONE` line, which cannot tell that another
    try follows. Before: rerun_count2.txt said each test rerun 4 times (2 runs of 2 tries),
    rerun_testname.txt read 10 failures (each try's go lines, the flaky test among them) and
    said its count was not read."""
    parsed = read_logs([str(GOTESTSUM / log)])
    failing = ["TestArithmetic", "TestCheckoutTimesOut", "TestSizes/large"] * tries
    flaky = log != "count2.txt"
    assert sorted(f.name for f in parsed.failures) == sorted(
        failing if flaky else ["TestCheckoutOnceSlow", *failing]
    )
    assert {f.group for f in parsed.failures} <= {"pool", "flaky"}
    runs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert runs == [("gotestsum", counted, counted)]  # (and TestSizes, failed by its subtest)
    assert not [n for n in parsed.skipped if "not read" in n]
    if flaky:
        assert parsed.reruns["flaky::TestCheckoutOnceSlow"].times == 1
        assert {k: r.times for k, r in parsed.reruns.items() if k.startswith("pool::")} == {
            "pool::TestCheckoutTimesOut": 2,
            "pool::TestArithmetic": 2,
            "pool::TestSizes/large": 2,
        }
