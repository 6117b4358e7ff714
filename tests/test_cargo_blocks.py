"""`cargo test`'s failures (each `---- NAME stdout ----` block: what the test printed, the
panic's place and message, the backtrace; under `--nocapture` the panics printed as they happen,
named by the `failures:` list) are read into failures and classified (real captures:
capture_cargo_blocks.sh, capture_cargo_runs.sh, capture_other_runners.sh). Before, its verdict
counted them and none was read: `5 of the 5 failures the runner counted were not read`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

MIXED = Path(__file__).parent / "fixtures" / "mixed"
CARGO = MIXED / "cargo_blocks"
# each failed test, its kind, its place
TESTS = {
    "tests::closing_twice_panics": ("should_panic", "src/lib.rs:102"),
    "tests::request_is_answered": ("panic", "src/lib.rs:78"),
    "tests::reply_shape": ("panic", "src/lib.rs:97"),
    "tests::start_without_program_id": ("panic", "src/lib.rs:92"),
    "tests::second_checkout_waits": ("panic", "src/lib.rs:86"),
}


@pytest.mark.parametrize("log", ["blocks.txt", "nocapture.txt"])
def test_each_failed_test_is_read_once_and_the_run_counts_them_read(log: str) -> None:
    """With its blocks, and under `--nocapture` (no block but the should_panic test's: the
    others from their panics, which the `failures:` list names)."""
    parsed = read_logs([str(CARGO / log)])
    read = {f.name: (f.kind, f.location) for f in parsed.failures}
    assert read == TESTS and len(parsed.failures) == 5
    assert {(f.source, f.group, f.details["runner"]) for f in parsed.failures} == {
        ("cargo", "pool_blocks: src/lib.rs", "cargo test")
    }
    [cargo] = parsed.summaries
    assert (cargo.source, cargo.failures, cargo.read) == ("cargo test", 5, 5)
    assert not [note for note in parsed.skipped if "its own failure blocks are not read" in note]


def test_a_block_reads_the_panic_message_the_tests_output_and_the_backtrace() -> None:
    parsed = read_logs([str(CARGO / "blocks.txt")])
    by_name = {f.name: f for f in parsed.failures}
    answered = by_name["tests::request_is_answered"]
    assert answered.message.startswith(
        'called `Result::unwrap()` on an `Err` value: "No response received from worker pid '
    )
    assert answered.details["captured stdout"].startswith("worker ")
    assert "pool_blocks::tests::request_is_answered (./src/lib.rs:78:16)" in answered.stacktrace
    shape = by_name["tests::reply_shape"]
    assert shape.message.splitlines() == [
        "assertion `left == right` failed: the reply",
        '  left: "{\\"id\\":1,\\"result\\":\\"pong\\"}"',
        ' right: "{\\"id\\":1,\\"result\\":\\"pang\\"}"',
    ]


@pytest.mark.parametrize("log", ["blocks.txt", "nocapture.txt"])
def test_the_pool_failures_are_classified(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, out, _ = run(capsys, "triage", str(CARGO / log), "--no-history", "-f", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["unread"] == 0
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns["tests::request_is_answered"] == "port-no-response"
    assert patterns["tests::second_checkout_waits"] == "checkout-timeout-waiters"
    assert patterns["tests::start_without_program_id"] == "required-field-missing"


def test_each_target_of_a_no_fail_fast_run_reads_its_own_blocks() -> None:
    """`cargo test --no-fail-fast` (capture_cargo_runs.sh): four targets, each its own run, the
    failures grouped by the target the `Running` line names; a doc test's block holds its
    executable's stderr."""
    parsed = read_logs([str(MIXED / "cargo_runs" / "cargo_test_no_fail_fast.txt")])
    assert [(f.group, f.name) for f in parsed.failures] == [
        ("cargo_runs: src/lib.rs", "tests::unit_checkout_times_out"),
        ("tests/arith.rs", "arithmetic"),
        ("tests/panics.rs", "should_panic_but_does_not"),
        ("tests/panics.rs", "unwrap_on_none_panics"),
        ("Doc-tests cargo_runs", "src/lib.rs - workers_for (line 5)"),
    ]
    assert [(s.failures, s.read) for s in parsed.summaries] == [(1, 1), (1, 1), (2, 2), (1, 1)]


@pytest.mark.parametrize("log", ["pytest_then_cargo.log", "mix_then_cargo.log"])
def test_a_cargo_run_after_a_clean_run_is_read(log: str) -> None:
    parsed = read_logs([str(MIXED / log)])
    assert [f.message for f in parsed.failures] == [
        "called `Result::unwrap()` on an `Err` value: Kind(ConnectionRefused)",
        "checkout timed out after 5000ms: 6 waiting on 2 workers",
    ]
    clean, cargo = parsed.summaries
    assert (cargo.start, cargo.failures, cargo.read) == (clean.line + 1, 2, 2)
    assert parsed.skipped == []


def test_a_log_cut_in_a_block_is_read_for_the_blocks_it_printed(tmp_path: Path) -> None:
    """Cut in the third block, before the verdict: the blocks printed are read (a log of cargo's
    blocks alone is read, not refused), the third as far as it goes, and the two tests whose
    blocks were not printed by their result lines; no run counted."""
    cut = tmp_path / "cut.txt"
    lines = (CARGO / "blocks.txt").read_text().splitlines(keepends=True)
    cut.write_text("".join(lines[:50]))
    whole = read_logs([str(CARGO / "blocks.txt")]).failures
    assert whole[2].line_start < 50 < whole[2].line_end  # (the cut is in the third block)
    parsed = read_logs([str(cut)])
    assert [f.name for f in parsed.failures[:3]] == [f.name for f in whole[:3]]
    assert parsed.failures[2].message == whole[2].message and parsed.summaries == []
    assert {f.name for f in parsed.failures[3:]} == {f.name for f in whole[3:]}
    assert {f.message for f in parsed.failures[3:]} == {
        "no block of it was printed: its result line says FAILED"
    }


def test_a_run_killed_before_its_blocks_is_read_from_its_result_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`-- --include-ignored`: a test that waits on a worker that never answers runs too, and
    the run is killed at 75 s (killed.txt): its `test … ... FAILED` lines and libtest's `has been
    running for over 60 seconds`, no block, no verdict. It was refused (format not recognised):
    each failed test is read by its name, and so is the one it was still running."""
    parsed = read_logs([str(CARGO / "killed.txt")])
    said = {f.name: f.message for f in parsed.failures}
    assert set(said) == {*TESTS, "tests::waits_for_the_worker"}
    assert said["tests::reply_shape"] == "no block of it was printed: its result line says FAILED"
    [note] = [n for n in parsed.skipped if "ended before its verdict" in n]
    assert "5 failed test(s) read by their result lines alone" in note
    assert "the test it was still running, tests::waits_for_the_worker" in note
    code, out, _ = run(capsys, "triage", str(CARGO / "killed.txt"), "--no-history")
    assert code == 1 and "6 failures" in out


def test_another_tools_failures_list_is_no_cargo_run(tmp_path: Path) -> None:
    """A `failures:` line and names under it, in a log where no cargo target ran (no `running N
    tests` line: another tool's list after a clean pytest run): no test is read from it."""
    clean = (MIXED / "pytest_then_cargo.log").read_text().splitlines(keepends=True)[:9]
    log = tmp_path / "lint.log"
    log.write_text("".join([*clean, "failures:\n", "    lint::unused_import\n", "\n"]))
    parsed = read_logs([str(log)])
    assert parsed.failures == []


WORKSPACE = MIXED / "cargo_runs"
THREAD = "assertion `left == right` failed: worker thread read a wrong length\n  left: 8\n right: 9"
JOINED = "(then, joining it: called `Result::unwrap()` on an `Err` value: Any { .. })"
WRONG_PANIC = (
    "panic did not contain expected string\n"
    'panic message: "body longer than a packet-2 header holds: TryFromIntError(())"\n'
    'expected substring: "longer than a packet-4 header"'
)


@pytest.mark.parametrize("log", ["cargo_workspace.txt", "cargo_workspace_backtrace.txt"])
def test_a_workspace_run_reads_why_a_should_panic_and_a_joined_thread_failed(log: str) -> None:
    """`cargo test --workspace --no-fail-fast` over two crates (real capture:
    capture_cargo_workspace.sh). A should_panic test whose panic said something else failed for
    that: before, it read as the panic alone (kind panic, `body longer than a packet-2 header
    holds`), as if the panic were unexpected. A test whose spawned thread's assert_eq! failed
    read as its own thread's join().unwrap() (`called Result::unwrap() on an Err value: Any {
    .. }`, at the join, framing/src/lib.rs:52), the thread's assertion lost."""
    parsed = read_logs([str(WORKSPACE / log)])
    read = {f.name: (f.group, f.kind, f.location, f.message) for f in parsed.failures}
    assert read == {
        "tests::long_body_panics": (
            "framing: src/lib.rs",
            "should_panic",
            "framing/src/lib.rs:17",
            WRONG_PANIC,
        ),
        "tests::answer_in_thread": (
            "framing: src/lib.rs",
            "panic",
            "framing/src/lib.rs:50",
            f"{THREAD}\n{JOINED}",
        ),
        "tests::idle_when_overbooked": (
            "pool: src/lib.rs",
            "panic",
            "pool/src/lib.rs:4",
            "attempt to subtract with overflow",
        ),
        "framing/src/lib.rs - encode (line 12)": (
            "Doc-tests framing",
            "panic",
            "framing/src/lib.rs:17",
            "body longer than a packet-2 header holds: TryFromIntError(())",
        ),
    }
    assert [(s.failures, s.read) for s in parsed.summaries] == [(2, 2), (1, 1), (1, 1)]
