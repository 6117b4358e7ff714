"""Playwright Test's console failures are read: each failed test's block of its list, line and
dot reporters (`  4) tests/pool.spec.js:28:3 › worker pool › a job starts ───`, a project's
`[chromium] › ` before it), counted by its `  7 failed`; a test its summary lists as flaky
(failed, then passed when retried) is no failure, and its retries are said. Before, the blocks
were counted and none read ('its own failure blocks are not read'), a flaky test's block would
have been a failure, and a run failed by an error outside its tests, or whose web server did not
start, and a clean run, were refused as of no format (exit 2). Real captures of
`src/playwright_console_suite` (`tests/fixtures/src/capture_playwright_console.sh`: Playwright
1.65.1, a pool of real worker processes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "playwright_runs"
MIXED = Path(__file__).parent / "fixtures" / "mixed"

FAILED = [
    (
        "worker pool › checkout times out with callers waiting",
        "tests/pool.spec.js:10",  # (its frames are the pool's: the test's own line)
        "CheckoutTimeout",
        "checkout-timeout-waiters",
    ),
    (
        "worker pool › a silent worker answers ping",
        "tests/pool.spec.js:16",
        "NoResponse",
        "port-no-response",
    ),
    ("worker pool › a worker that exits answers", "tests/pool.spec.js:22", "WorkerExited", "-"),
    (
        "worker pool › a job starts",
        "tests/pool.spec.js:32",  # its frame in the test's file: the expectation's line
        "AssertionError",
        "required-field-missing",
    ),
    ("worker pool › waits on a silent worker with no timeout", "tests/pool.spec.js:35", "", "-"),
    (
        "worker pool › each worker answers its own id",
        "tests/pool.spec.js:46",  # the first soft expectation's
        "AssertionError",
        "-",
    ),
    (
        "worker pool › the status page shows the pool size",
        "tests/pool.spec.js:53",
        "AssertionError",
        "-",
    ),
]
RETRIED = (
    "worker pool › a retried checkout gets a worker",
    "tests/pool.spec.js:64",
    "CheckoutTimeout",
    "checkout-timeout-waiters",
)


def _triage(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "triage", str(path), "--no-history", "--format", "json")
    return code, json.loads(out)


def _read(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (
            f["failure"]["name"],
            f["failure"]["location"],
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]


def test_the_list_reporters_blocks_are_read_and_a_flaky_test_is_no_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = _triage(capsys, RUNS / "list.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (7, 0)
    assert sorted(_read(report)) == sorted(FAILED)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    # the first try's errors, to the code: a timeout, then the error it ended the wait with
    assert messages["worker pool › waits on a silent worker with no timeout"].startswith(
        "Test timeout of 1000ms exceeded.\n\nWorkerExited: worker pid "
    )
    assert messages["worker pool › a job starts"].startswith(
        "Error: expect(received).toEqual(expected) // deep equality\n\n- Expected  - 1\n"
    )
    assert '+   "error": "program_id is required",' in messages["worker pool › a job starts"]
    parsed = read_logs([str(RUNS / "list.txt")])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("Playwright", 7, 7)]
    flaky = "tests/pool.spec.js::worker pool › a retried checkout gets a worker"
    assert parsed.reruns[flaky].times == 1
    assert parsed.reruns[flaky].message.startswith("CheckoutTimeout: checkout timed out")
    # each failed test was retried once and failed again
    assert parsed.reruns["tests/pool.spec.js::worker pool › a job starts"].times == 1
    notes = "\n".join(report["notes"])
    assert "flaky: 1 test(s) failed, then passed on a rerun (the failed tries are not " in notes
    assert flaky in notes


@pytest.mark.parametrize("log", ["line.txt", "dot.txt"])
def test_the_line_and_dot_reporters_blocks_are_read(
    capsys: pytest.CaptureFixture[str], log: str
) -> None:
    """The line reporter prints each block under its test's `[4/10]` line as the test ends, the
    dot reporter all of them after its marks; each title begins with its project."""
    code, report = _triage(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (8, 0)
    assert sorted(_read(report)) == sorted([*FAILED, RETRIED])  # (no retries: it failed)
    assert {f["failure"]["details"].get("project") for f in report["findings"]} == {"chromium"}
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("Playwright", 8, 8)]


def test_a_playwright_run_after_a_clean_pytest_run_is_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """capture_js_runners.sh's log (retries: 1, a test in Chromium past its timeout): its five
    failed tests read, its flaky one not a failure."""
    code, report = _triage(capsys, MIXED / "pytest_then_playwright.log")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (5, 0)
    assert sorted(name for name, *_ in _read(report)) == [
        "worker pool page › arithmetic",
        "worker pool page › checkout times out with callers waiting",
        "worker pool page › page shows the pool size",
        "worker pool page › waits for a selector that never comes",
        "worker pool page › worker answers ping",
    ]
    assert "worker pool page › flaky checkout" in "\n".join(report["notes"])


@pytest.mark.parametrize(
    ("log", "code", "unread", "said"),
    [
        ("clean.txt", 0, 0, "each passed"),
        ("flaky.txt", 0, 0, "each passed"),  # (Playwright exits 0: the retry passed)
        ("teardown.txt", 1, 1, "'1 error was not a part of any test, see above for details'"),
        ("webserver.txt", 1, 1, "config.webServer was not able to start. Exit code: 1'"),
    ],
)
def test_a_run_with_no_failure_block_is_read_for_its_verdict(
    capsys: pytest.CaptureFixture[str], log: str, code: int, unread: int, said: str
) -> None:
    """A clean run; an error outside the tests (a global teardown's), all of which passed; a
    web server that did not start, no test run: each was refused as of no format (exit 2)."""
    got, report = _triage(capsys, RUNS / log)
    assert got == code
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (0, unread)
    assert said in "\n".join(report["notes"])


def test_a_run_whose_only_failures_passed_when_retried_says_they_are_flaky(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """flaky.txt: a test failed its first try and passed its retry (`  1 flaky`), the run
    `1 passed`, Playwright exits 0: no failure, and a note that it is flaky, with the failed
    try's message. Before, the log was a clean run and nothing said the test had failed once."""
    code, report = _triage(capsys, RUNS / "flaky.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
    [flaky] = [n for n in report["notes"] if n.startswith("flaky: 1 test(s)")]
    assert (
        "tests/pool.spec.js::worker pool › a retried checkout gets a worker (1 rerun: "
        "CheckoutTimeout: checkout timed out after 200ms: pool pool_b" in flaky
    )
    _, report = _triage(capsys, RUNS / "clean.txt")
    assert not [n for n in report["notes"] if n.startswith("flaky")]


@pytest.mark.parametrize(
    ("log", "failures", "unread"),
    [
        ("global_timeout.txt", 0, 1),  # (its 2 errors outside the tests: the two time-out lines)
        ("cut_failed.txt", 1, 1),  # (the test that failed before: read)
    ],
)
def test_a_run_cut_by_its_global_timeout_is_one_failure_of_the_run(
    capsys: pytest.CaptureFixture[str], log: str, failures: int, unread: int
) -> None:
    """globalTimeout ends the run: `Timed out waiting 8s for the test suite to run`, then its
    teardown's, which its summary counts as `2 errors were not a part of any test`, the tests
    it had not run `2 did not run`. One failure of the run, said cut, not two (nor three with
    the line of the teardown); the test that failed before it is read. Before, global_timeout.txt
    counted 2 failures and said nothing of the cut, and cut_failed.txt counted only its test."""
    code, report = _triage(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (failures, unread)
    [cut] = [n for n in report["notes"] if "was cut short" in n]
    assert "'Timed out waiting " in cut and "neither passed nor failed" in cut
    parsed = read_logs([str(RUNS / log)])
    cuts = [s for s in parsed.summaries if s.text.startswith("Timed out waiting")]
    assert [(s.failures, s.read) for s in cuts] == [(1, 0)]


def test_a_spec_file_that_does_not_load_is_the_runs_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """syntax.txt: a spec file with a syntax error, so that no test ran (`SyntaxError:
    …/broken.spec.js: Unexpected token`, the code, no summary), Playwright exiting 1. Before,
    refused as of no format (exit 2, bad input)."""
    code, report = _triage(capsys, RUNS / "syntax.txt")
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (0, 1)
    notes = "\n".join(report["notes"])
    assert "a Playwright run failed with no test failed, 'SyntaxError: " in notes
    assert "broken/broken.spec.js: Unexpected token" in notes
