"""Playwright Test runs stopped before their end: `-x` (`--max-failures`) reached, or a Ctrl-C.
The tests running then are listed `interrupted`, those never begun counted (`  8 did not run`):
neither passed nor failed, each run says them in a note, and a run with none failed but a test
interrupted is no clean run. Before, the notes said nothing of them, and a Ctrl-C'd run whose
running test was interrupted and none failed was read as clean (exit 0, read as pytest's, or
refused as of no format). Real captures of `src/playwright_console_suite`
(`tests/fixtures/src/capture_playwright_stopped.sh`: Playwright 1.65.1, a pool of real worker
processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "playwright_runs"
CHECKOUT = "worker pool › checkout times out with callers waiting"
PING = "worker pool › a silent worker answers ping"


def _stopped_note(report: dict[str, object]) -> str:
    notes = [n for n in report["notes"] if "Playwright stopped the run before its end" in n]  # type: ignore[attr-defined]
    assert len(notes) == 1, report["notes"]
    return str(notes[0])


def test_a_run_stopped_by_max_failures_says_the_tests_it_did_not_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = triage_json(capsys, RUNS / "max_failures.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (1, 0)
    assert finding_rows(report, "name", "location", "pattern") == [
        (CHECKOUT, "tests/pool.spec.js:10", "checkout-timeout-waiters")
    ]
    note = _stopped_note(report)
    assert "max_failures.txt:25: " in note
    assert "-x/--max-failures" in note
    assert "9 did not run; neither passed nor failed" in note


def test_a_test_interrupted_by_max_failures_is_no_failure_and_is_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two workers: the test the other was running when the first failed is interrupted."""
    code, report = triage_json(capsys, RUNS / "max_failures_workers.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (1, 0)
    assert finding_rows(report, "name", "location", "pattern") == [
        (PING, "tests/pool.spec.js:16", "port-no-response")
    ]
    note = _stopped_note(report)
    assert f"1 interrupted (tests/pool.spec.js:10 › {CHECKOUT}), 8 did not run" in note


def test_a_run_interrupted_by_ctrl_c_with_none_failed_is_not_clean(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A Ctrl-C while a test waits: `1 interrupted`, `1 did not run`, `1 passed` (the pool's
    python3 worker's KeyboardInterrupt traceback above them)."""
    code, report = triage_json(capsys, RUNS / "interrupted.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (0, 1)
    assert report["findings"] == []
    assert report["extra"]["formats"][str(RUNS / "interrupted.txt")] == "Playwright"
    note = _stopped_note(report)
    assert "interrupted.txt:10: " in note
    interrupted = "long/long.spec.js:13 › waits on a silent worker with no timeout"
    assert f"1 interrupted ({interrupted}), 1 did not run" in note


def test_a_run_stopped_by_ctrl_c_between_tests_reads_its_failures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = triage_json(capsys, RUNS / "interrupted_run.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (2, 0)
    assert sorted(finding_rows(report, "name", "pattern")) == [
        (PING, "port-no-response"),
        (CHECKOUT, "checkout-timeout-waiters"),
    ]
    assert "8 did not run; neither passed nor failed" in _stopped_note(report)
