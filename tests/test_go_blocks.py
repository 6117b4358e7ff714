"""`go test`'s failures (each `--- FAIL: NAME` line and what the test logged under it, or under
`-v` under its `=== RUN` line; a subtest's; a panic's message and trace; a package's `panic:
test timed out`) are read into failures and classified (real captures: capture_go_blocks.sh,
capture_go_runs.sh). Before, a package's verdict counted one failure and none was read: `2 of
the 2 failures the runner counted were not read`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

MIXED = Path(__file__).parent / "fixtures" / "mixed"
GO = MIXED / "go_blocks"
POOL = "example.com/goblocks/pool"
CRASH = "example.com/goblocks/crash"
# each failed test: its package, kind, place
TESTS = {
    "TestRequestIsAnswered": (POOL, "", "pool_test.go:71"),
    "TestSecondCheckoutWaits": (POOL, "", "pool_test.go:82"),
    "TestStartWithoutProgramID": (POOL, "", "pool_test.go:88"),
    "TestReplyShape/result": (POOL, "", "pool_test.go:98"),
    "TestWorkerTable": (CRASH, "panic", "/tmp/go_blocks_suite/crash/crash_test.go:8"),
}
LOGS = ["blocks.txt", "blocks_v.txt", "pytest_then_blocks.log", "pytest_then_blocks_v.log"]


@pytest.mark.parametrize("log", LOGS)
def test_each_failed_test_is_read_once_and_its_package_counts_them_read(log: str) -> None:
    """Plain and `-v`, alone and after a clean pytest run: five failures (the parent of the
    failed subtest, which logged nothing, is not one), each package's verdict counting its
    own."""
    parsed = read_logs([str(GO / log)])
    read = {f.name: (f.group, f.kind, f.location) for f in parsed.failures}
    assert read == TESTS and len(parsed.failures) == 5
    assert {(f.source, f.details["runner"]) for f in parsed.failures} == {("go", "go test")}
    runs = [
        (s.text.split("\t")[1], s.failures, s.read)
        for s in parsed.summaries
        if s.source == "go test"
    ]
    assert runs == [(POOL, 4, 4), (CRASH, 1, 1)]
    assert not [note for note in parsed.skipped if "its own failure blocks are not read" in note]


@pytest.mark.parametrize("log", ["blocks.txt", "blocks_v.txt"])
def test_a_block_reads_what_the_test_logged_and_a_panic(log: str) -> None:
    parsed = read_logs([str(GO / log)])
    by_name = {f.name: f for f in parsed.failures}
    answered = by_name["TestRequestIsAnswered"].message.splitlines()
    assert answered[0].startswith("worker ") and answered[0].endswith(" started")
    assert answered[1].startswith("No response received from worker pid ")
    assert by_name["TestReplyShape/result"].message.splitlines() == [
        "the reply:",
        'got  {"id":1,"result":"pong"}',
        'want {"id":1,"result":"pang"}',
    ]
    crash = by_name["TestWorkerTable"]
    assert crash.message == "assignment to entry in nil map"
    assert (
        "/tmp/go_blocks_suite/crash/crash_test.go:8: in example.com/goblocks/crash.TestWorkerTable"
        in crash.stacktrace
    )


@pytest.mark.parametrize("log", LOGS)
def test_the_pool_failures_are_classified(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, out, _ = run(capsys, "triage", str(GO / log), "--no-history", "-f", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["unread"] == 0
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns["TestRequestIsAnswered"] == "port-no-response"
    assert patterns["TestSecondCheckoutWaits"] == "checkout-timeout-waiters"
    assert patterns["TestStartWithoutProgramID"] == "required-field-missing"
    assert {f["failure"]["source"] for f in report["findings"]} == {"go"}


HUNG = "/tmp/go_blocks_suite/hang/hang_test.go:30"


@pytest.mark.parametrize(
    ("log", "failed"),
    [
        (GO / "timeout.txt", ["TestPoolSize", "TestWaitsForTheWorker"]),
        (GO / "timeout_v.txt", ["TestPoolSize", "TestWaitsForTheWorker"]),
        (MIXED / "go_runs" / "pytest_then_go_test_timeout.log", ["TestWaitsForAWorker"]),
    ],
)
def test_a_package_past_its_timeout_is_the_test_it_was_running(
    log: Path, failed: list[str]
) -> None:
    """Go 1.19 prints no `running tests:` list: the hung test is the test function a goroutine's
    trace is in; a test that failed before it in the package is read from its block."""
    parsed = read_logs([str(log)])
    assert [f.name for f in parsed.failures] == failed
    hung = parsed.failures[-1]
    assert (hung.source, hung.kind, hung.message) == ("go", "timeout", "test timed out after 2s")
    place = HUNG if log.parent == GO else "/tmp/go_runs_suite/hang/hang_test.go:17"
    assert hung.location == place
    [go] = [s for s in parsed.summaries if s.source == "go test"]
    assert (go.failures, go.read) == (len(failed), len(failed))


def test_a_run_killed_in_a_test_reads_the_failures_before_and_the_test_it_stopped_in() -> None:
    """`go test -v` killed (SIGKILL, as a CI job's time limit) while a test waits on a worker
    that never answers: no verdict, no timeout panic; the failure before is read from its block,
    the test whose `=== RUN` line has no result as the one it stopped in, and a note says so
    (before, the log was refused: no format poolctl reads)."""
    parsed = read_logs([str(GO / "killed_v.txt")])
    assert [(f.name, f.kind) for f in parsed.failures] == [
        ("TestPoolSize", ""),
        ("TestWaitsForTheWorker", "stopped"),
    ]
    assert parsed.failures[0].message == "pool size 1, want 2"
    assert any("output ended before its verdict" in note for note in parsed.skipped)


@pytest.mark.parametrize("log", ["go_test.txt", "go_test_v.txt", "pytest_then_go_test.log"])
def test_the_earlier_capture_reads_each_failure_and_a_subtest_not_its_parent(log: str) -> None:
    """capture_go_runs.sh's run: the failed subtest `TestSizes/large` is read, not `TestSizes`."""
    parsed = read_logs([str(MIXED / "go_runs" / log)])
    assert [f.name for f in parsed.failures] == [
        "TestNilMapPanics",
        "TestCheckoutTimesOut",
        "TestArithmetic",
        "TestSizes/large",
    ]
    go = [(s.failures, s.read) for s in parsed.summaries if s.source == "go test"]
    assert go == [(1, 1), (3, 3)]


def test_the_triage_of_the_go_runs_log_reads_what_it_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`poolctl triage go_runs/go_test.txt` said `0 failures; 2 of the 2
    failures the runner counted were not read`."""
    code, out, _ = run(capsys, "triage", str(MIXED / "go_runs" / "go_test.txt"), "--no-history")
    assert code == 1
    assert out.splitlines()[1].startswith("4 failures")
    assert "not read" not in out


@pytest.mark.parametrize(
    ("log", "packages"),
    [
        (GO / "blocks_json.txt", [(CRASH, 1), (POOL, 4)]),
        (
            MIXED / "go_runs" / "go_test_json.txt",
            [("example.com/goruns/panics", 1), ("example.com/goruns/pool", 3)],
        ),
    ],
)
def test_go_test_json_reads_each_packages_failures_from_its_events(
    log: Path, packages: list[tuple[str, int]]
) -> None:
    """`go test -json`: each event's Output is a line of `-v`'s; the packages' events interleave
    (pool's first test began before crash ran whole, and its output goes on after crash's
    verdict), and each package's verdict counts its own failures."""
    parsed = read_logs([str(log)])
    runs = [(s.failures, s.read) for s in parsed.summaries if s.source == "go test -json"]
    assert runs == [(n, n) for _, n in packages]
    groups = [f.group for f in parsed.failures]
    assert [(p, groups.count(p)) for p, _ in packages] == packages
    assert all(f.message for f in parsed.failures)
    if log.parent == GO:
        read = {f.name: (f.group, f.kind, f.location) for f in parsed.failures}
        assert read == TESTS
        by_name = {f.name: f for f in parsed.failures}
        assert (
            by_name["TestRequestIsAnswered"]
            .message.splitlines()[1]
            .startswith("No response received from worker pid ")
        )


def test_go_test_json_is_classified_as_the_text_output_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "triage", str(GO / "blocks_json.txt"), "--no-history", "-f", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["unread"] == 0
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns["TestRequestIsAnswered"] == "port-no-response"
    assert patterns["TestSecondCheckoutWaits"] == "checkout-timeout-waiters"
    assert patterns["TestStartWithoutProgramID"] == "required-field-missing"


def test_go_test_json_past_its_timeout_is_the_test_it_was_running() -> None:
    parsed = read_logs([str(MIXED / "go_runs" / "go_test_timeout_json.txt")])
    [failure] = parsed.failures
    assert (failure.name, failure.kind, failure.group) == (
        "TestWaitsForAWorker",
        "timeout",
        "example.com/goruns/hang",
    )
