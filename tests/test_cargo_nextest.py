"""cargo-nextest's console output: each failed test's result line, what its binary printed
indented under it (libtest's `test result: FAILED.` among it), then nextest's summary and the
failed tests' result lines again (real captures of src/cargo_crates_suite:
capture_cargo_nextest.sh, cargo-nextest 0.9.148). Before, no failure was read: its summary was
no verdict poolctl knew, and each test's indented libtest line was counted as a cargo test run
of its own (`its own failure blocks are not read`), 4 unread."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs

CRATES = Path(__file__).parent / "fixtures" / "mixed" / "cargo_crates"
UNIT = "tests::checkout_waits_for_a_worker"
PING = "worker_answers_ping"
READ = {
    ("pool-client", UNIT): (
        "crates/pool-client/src/lib.rs:17",
        "checkout timed out after 400ms (pool pool_a: 0 ready, 1 busy, 3 waiting)",
    ),
    ("pool-client::integration", PING): (
        "crates/pool-client/tests/integration.rs:4",
        "No response received from worker 2 within 300ms",
    ),
    ("pool-server::integration", PING): (
        "crates/pool-server/tests/integration.rs:3",
        "assertion `left == right` failed: worker 1 never started\n  left: 0\n right: 1",
    ),
    ("pool-server", UNIT): (
        "crates/pool-server/src/lib.rs:16",
        "assertion `left == right` failed: pool pool_b: idle workers after one checkout\n"
        "  left: 3\n right: 2",
    ),
}


def test_each_failed_test_is_read_once_grouped_by_its_binary() -> None:
    """Its binary id names its crate (and its integration test target): two crates' tests of
    one name are two tests; nextest's summary counts them, libtest's lines under each none."""
    parsed = read_logs([str(CRATES / "nextest.txt")])
    read = {(f.group, f.name): (f.location, f.message) for f in parsed.failures}
    assert read == READ and len(parsed.failures) == 4
    assert {(f.kind, f.details["runner"]) for f in parsed.failures} == {("panic", "cargo nextest")}
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("cargo nextest", 4, 4)]


def test_a_run_cancelled_after_its_first_failure_reads_it() -> None:
    parsed = read_logs([str(CRATES / "nextest_fail_fast.txt")])
    assert [(f.group, f.name) for f in parsed.failures] == [("pool-client", UNIT)]
    assert [(s.failures, s.read) for s in parsed.summaries] == [(1, 1)]
