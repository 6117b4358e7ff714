"""cargo-nextest's console output: each failed test's result line, what its binary printed
indented under it (libtest's `test result: FAILED.` among it), then nextest's summary and the
failed tests' result lines again (real captures of src/cargo_crates_suite:
capture_cargo_nextest.sh, cargo-nextest 0.9.148). Before, no failure was read: its summary was
no verdict poolctl knew, and each test's indented libtest line was counted as a cargo test run
of its own (`its own failure blocks are not read`), 4 unread (under `--retries 1`, 8 tries
and the summary, 12 unread)."""

from __future__ import annotations

import json
from pathlib import Path

from poolctl.history.identity import case_id
from poolctl.logs import read_logs
from tests.conftest import RunCli

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


def test_a_run_cancelled_after_its_first_failure_reads_those_that_ended() -> None:
    """nextest cancels the run at its first failure and lets the tests already running end;
    the tests it did not run (`warning: 4/7 tests were not run due to test failure`) are said
    in a note: they did not pass (before, nothing said so)."""
    parsed = read_logs([str(CRATES / "nextest_fail_fast.txt")])
    assert [(f.group, f.name) for f in parsed.failures] == [
        ("pool-client", UNIT),
        ("pool-client::integration", PING),
    ]
    assert [(s.failures, s.read) for s in parsed.summaries] == [(2, 2)]
    [note] = [n for n in parsed.skipped if "not run" in n]
    assert note.endswith(
        "nextest_fail_fast.txt:49: cargo nextest stopped its run early (due to test failure): "
        "4 of its 7 tests were not run, neither passed nor failed; --no-fail-fast runs them all"
    )
    assert not [n for n in read_logs([str(CRATES / "nextest.txt")]).skipped if "not run" in n]


def test_cargo_test_and_nextest_name_a_test_alike_in_the_history(run_cli: RunCli) -> None:
    """The same suite under `cargo test --no-fail-fast` (no_fail_fast.txt) and `cargo nextest
    run --no-fail-fast` (nextest.txt): cargo test groups a test by its target's `Running` line
    (`pool_client: src/lib.rs`, `pool_client: tests/integration.rs`), nextest by its binary id
    (`pool-client`, `pool-client::integration`); the history knows each as one test (before,
    two: a failure no pattern claims was new again under the other runner)."""
    cargo = read_logs([str(CRATES / "no_fail_fast.txt")]).failures
    nextest = read_logs([str(CRATES / "nextest.txt")]).failures
    rust = {(case_id(f).group, f.name) for f in cargo if not f.group.startswith("Doc-tests ")}
    assert (
        rust
        == {(case_id(f).group, f.name) for f in nextest}
        == {
            ("pool_client", UNIT),
            ("pool_client::integration", PING),
            ("pool_server", UNIT),
            ("pool_server::integration", PING),
        }
    )
    assert {case_id(f).key for f in nextest} < {case_id(f).key for f in cargo}
    code, _, err = run_cli("triage", str(CRATES / "no_fail_fast.txt"), "-f", "json")
    assert code == 1, err
    code, out, err = run_cli("triage", str(CRATES / "nextest.txt"), "-f", "json")
    assert code == 1, err
    statuses = {
        (f["failure"]["group"], f["failure"]["name"]): f["history"]["status"]
        for f in json.loads(out)["findings"]
    }
    assert statuses == {
        ("pool-client", UNIT): "known",
        ("pool-client::integration", PING): "known",
        ("pool-server", UNIT): "known",  # (unclassified: known in the same test only)
        ("pool-server::integration", PING): "known",
    }


def test_a_test_tried_again_is_one_failure_and_one_that_passed_then_flaky() -> None:
    """`--retries 1`: each try's result line (`TRY 1 FAIL … (───)`, the last counted); a test
    failed in both tries is one failure, the first try's message kept; the test that passed
    on its second try no failure, said flaky in a note."""
    parsed = read_logs([str(CRATES / "nextest_retries.txt")])
    read = {(f.group, f.name): (f.location, f.message) for f in parsed.failures}
    assert read == READ and len(parsed.failures) == 4
    assert all(f.details["earlier tries"] == f.message for f in parsed.failures)
    assert [(s.failures, s.read) for s in parsed.summaries] == [(4, 4)]
    [flaky] = [n for n in parsed.skipped if "flaky" in n]
    assert "pool-server::integration worker_starts_after_a_retry failed and then passed" in flaky


def test_failure_output_final_reads_each_test_once_from_its_output_after_the_summary() -> None:
    """`--failure-output final`: each failed test's result line alone as it ends, then after the
    summary its line again with its output. Before, 7 failures: each line alone read as a
    failure with no message, three of the outputs again (the first one's libtest lines a cargo
    test run of its own, unread)."""
    parsed = read_logs([str(CRATES / "nextest_final.txt")])
    read = {(f.group, f.name): (f.location, f.message) for f in parsed.failures}
    assert read == READ and len(parsed.failures) == 4
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("cargo nextest", 4, 4)]
    assert not [n for n in parsed.skipped if "not read" in n]


def test_no_capture_reads_each_test_from_its_output_above_its_line() -> None:
    """`--no-capture`: each test's output unindented between its `START` line and its result
    line (libtest's lines, the panic). Before, 8 failures for 4: each panic read as cargo
    test's, of no crate, and each result line again with no message, 3 libtest verdicts
    counted as cargo test runs, unread."""
    parsed = read_logs([str(CRATES / "nextest_nocapture.txt")])
    read = {(f.group, f.name): (f.location, f.message) for f in parsed.failures}
    assert read == READ and len(parsed.failures) == 4
    assert {f.details["runner"] for f in parsed.failures} == {"cargo nextest"}
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("cargo nextest", 4, 4)]
    assert not [n for n in parsed.skipped if "not read" in n]
