"""A test that hangs until pytest-timeout stops it: with the thread method the whole run ends in
a stack dump, with no closing line; under pytest-xdist the worker is reported crashed. Real
captures of `tests/fixtures/src/pytest_hang_suite` (see the fixtures' README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.patterns import load_patterns
from poolctl.triage import triage

HANG = Path(__file__).parent / "fixtures" / "pytest" / "hang"
HUNG = "test_second_checkout_waits_forever"


@pytest.mark.parametrize("name", ["hang_thread.txt", "hang_thread_verbose.txt"])
def test_the_test_a_timeout_ended_the_run_in_is_its_failure(name: str) -> None:
    parsed = read_logs([str(HANG / name)])
    [failure] = parsed.failures
    assert (failure.name, failure.group, failure.location) == (
        HUNG,
        "check_hang.py",
        "check_hang.py:17",
    )
    assert failure.kind == "Timeout" and "pytest-timeout ended the whole run" in failure.message
    # where it waited: the main thread's stack, down into the pool's checkout
    assert failure.stacktrace[-4:-2] == (
        f"/tmp/pytest_hang_suite/check_hang.py:17: in {HUNG}",
        "/tmp/pytest_hang_suite/poolkit.py:148: in checkout",
    )
    text = (HANG / name).read_text(encoding="utf-8").splitlines()
    assert "+ Timeout +" in text[failure.line_start - 1]
    assert "+ Timeout +" in text[failure.line_end - 1]
    # the run says it did not finish
    [run] = parsed.summaries
    assert run.inferred and run.source == "end of input" and run.line == len(text)
    assert run.text.startswith("(no closing line: the run that began at line 1 ends with the input")


def test_a_run_ended_by_a_timeout_is_a_failing_triage() -> None:
    report = triage(read_logs([str(HANG / "hang_thread.txt")]), load_patterns())
    assert [f.failure.name for f in report.findings] == [HUNG]
    assert any("no closing line" in s for s in report.details.run_summaries)  # type: ignore[union-attr]


def test_a_worker_crash_under_xdist_is_the_test_it_ran() -> None:
    parsed = read_logs([str(HANG / "hang_xdist.txt")])
    by_name = {f.name: f for f in parsed.failures}
    assert sorted(by_name) == ["test_after_the_hang", HUNG]
    crashed = by_name[HUNG]
    assert crashed.kind == "WorkerCrash" and crashed.group == "check_hang.py"
    assert crashed.details["nodeid"] == f"check_hang.py::{HUNG}"
    [closing] = parsed.summaries
    assert (closing.failures, closing.read) == (2, 2)


def test_the_signal_method_fails_the_test_and_the_run_goes_on() -> None:
    parsed = read_logs([str(HANG / "hang_signal.txt")])
    assert [f.name for f in parsed.failures] == [HUNG, "test_after_the_hang"]
    [closing] = parsed.summaries
    assert not closing.inferred and (closing.failures, closing.read) == (2, 2)


def test_a_dump_before_a_closing_line_is_not_counted_twice(tmp_path: Path) -> None:
    """Where the run goes on to a closing line, the runner counted the test itself: the dump
    adds no failure. (The real dump, with a closing line written after it.)"""
    dumped = (HANG / "hang_thread.txt").read_text(encoding="utf-8")
    log = tmp_path / "went_on.txt"
    log.write_text(
        dumped
        + "\n=================================== FAILURES ===================================\n"
        f"{'_' * 30} {HUNG} {'_' * 30}\n"
        "E   Failed: Timeout (>2.0s) from pytest-timeout.\n"
        "check_hang.py:17: Failed\n"
        "========================= 1 failed, 1 passed in 2.41s ==========================\n",
        encoding="utf-8",
    )
    parsed = read_logs([str(log)])
    assert [f.name for f in parsed.failures] == [HUNG]
    assert parsed.failures[0].kind == "Failed"
    [closing] = parsed.summaries
    assert not closing.inferred and closing.read == 1
