"""`bun test`'s failures are read: each failed test's block, the lines after the result line
before its `(fail) name [time]` line in its test file's section (after bun's header), counted by
` 7 fail`; a test past its timeout by the line under its result; an error between tests a
failure of its file, counted by ` 1 error`. Before, its failures were counted and none read
('its own failure blocks are not read'). Real captures: `tests/fixtures/src/capture_bun_blocks.sh`
and `capture_bun_errors.sh` (bun 1.4.5, a pool of real worker processes) and `capture_bun.sh`'s
`pytest_then_bun.log`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

MIXED = Path(__file__).parent / "fixtures" / "mixed"
POOL = "/tmp/bun_blocks_suite/pool.js"  # (no frame in the test's file: the pool's first)


def test_each_failed_test_is_read_and_classified(capsys: pytest.CaptureFixture[str]) -> None:
    log = MIXED / "bun_runs" / "ci.txt"
    code, out, _ = run(capsys, "triage", str(log), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (8, 0)
    read = [
        (
            f["failure"]["name"],
            f["failure"]["group"],
            f["failure"]["location"],
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]
    assert sorted(read) == sorted(
        [
            (
                "worker pool > checkout times out with callers waiting",
                "test/pool.test.js",
                f"{POOL}:45",
                "CheckoutTimeout",
                "checkout-timeout-waiters",
            ),
            (
                "worker pool > a silent worker answers ping",
                "test/pool.test.js",
                f"{POOL}:52",
                "NoResponse",
                "port-no-response",
            ),
            (
                "worker pool > a worker that exits answers",
                "test/pool.test.js",
                f"{POOL}:58",
                "WorkerExited",
                "-",
            ),
            (
                "worker pool > a job starts",
                "test/pool.test.js",
                "test/pool.test.js:32",
                "AssertionError",
                "required-field-missing",
            ),
            (
                "worker pool > waits on a silent worker with no timeout",
                "test/pool.test.js",
                "test/pool.test.js",
                "",
                "-",
            ),
            (
                "counts its workers",
                "test/pool.test.js",
                "test/pool.test.js:54",
                "AssertionError",
                "-",
            ),
            (
                "Unhandled error between tests",  # (` 1 error`: its pool closed after its test)
                "test/pool.test.js",
                f"{POOL}:58",
                "WorkerExited",
                "-",
            ),
            (
                "two callers share one worker in turn",
                "test/checkout_test.ts",  # the second file's section
                f"{POOL}:45",
                "CheckoutTimeout",
                "checkout-timeout-waiters",
            ),
        ]
    )
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["worker pool > waits on a silent worker with no timeout"] == (
        "this test timed out after 1000ms."
    )  # (the error between tests after it is no test's: a failure of its own)
    assert messages["counts its workers"] == (
        "expect(received).toBe(expected)\n\nExpected: 3\nReceived: 2"
    )
    parsed = read_logs([str(log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("bun test", 8, 8)]


def test_a_bun_run_after_a_clean_pytest_run_is_read(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "triage", str(MIXED / "pytest_then_bun.log"), "--no-history", "--format", "json"
    )
    assert code == 1
    report = json.loads(out)
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (2, 0)
    assert sorted((f["failure"]["name"], f["failure"]["location"]) for f in report["findings"]) == [
        ("adds", "pool.test.js:6"),
        ("checkout within 200ms", "pool.test.js:4"),
    ]


@pytest.mark.parametrize(
    ("log", "file", "location", "kind", "message"),
    [
        (  # every test passed: ` 0 fail`, ` 1 error`, exit 1 (was refused: exit 2)
            "between.txt",
            "between/between_test.js",
            "/tmp/bun_errors_suite/pool.js:58",
            "WorkerExited",
            "WorkerExited: worker pid 28424 exited with status null before answering",
        ),
        (  # a file that did not load: ` 1 fail` and ` 1 error`, one failure (was 1, unread)
            "unloaded.txt",
            "unloaded/broken_test.js",
            "unloaded/broken_test.js:6",
            "Error",
            'Expected ")" but found ";"',
        ),
    ],
)
def test_an_error_between_tests_is_a_failure_of_its_file(
    capsys: pytest.CaptureFixture[str], log: str, file: str, location: str, kind: str, message: str
) -> None:
    path = MIXED / "bun_runs" / log
    code, out, _ = run(capsys, "triage", str(path), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (1, 0)
    [failure] = [f["failure"] for f in report["findings"]]
    assert (failure["name"], failure["group"], failure["location"], failure["kind"]) == (
        "Unhandled error between tests",
        file,
        location,
        kind,
    )
    assert failure["message"] == message
    parsed = read_logs([str(path)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("bun test", 1, 1)]


def test_a_run_bun_bailed_out_of_is_read_and_said_stopped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--bail`: bun stops at the first failed test and prints no counts, `Bailed out after 1
    failure` in their place. Before, refused as of no format (exit 2)."""
    path = MIXED / "bun_runs" / "bail.txt"
    code, out, _ = run(capsys, "triage", str(path), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (1, 0)
    [failure] = [f["failure"] for f in report["findings"]]
    assert (failure["name"], failure["kind"]) == (
        "worker pool > checkout times out with callers waiting",
        "CheckoutTimeout",
    )
    assert any("stopped its run at its failure (--bail)" in n for n in report["notes"])
    parsed = read_logs([str(path)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("bun test", 1, 1)]
