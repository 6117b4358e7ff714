"""Vitest's console failure blocks (` FAIL  file > test`, the error, the diff, the `❯ file:line`
frames) are read into failures and classified (real captures: capture_vitest_runs.sh,
capture_vitest_retry.sh, capture_js_runners.sh). Before, its verdicts counted them and none was
read: `6 of the 6 failures the runner counted were not read`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import run

MIXED = Path(__file__).parent / "fixtures" / "mixed"


def _patterns(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, str]:
    code, out, _ = run(capsys, "triage", str(path), "--no-history", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["unread"] == 0
    return {f["failure"]["name"]: f["outcome"].get("pattern_id", "") for f in report["findings"]}


def test_each_failed_suite_test_and_unhandled_error_of_a_vitest_log_alone_is_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = MIXED / "vitest_runs" / "vitest.txt"
    parsed = read_logs([str(path)])
    read = [(f.name, f.group, f.kind, f.message.splitlines()[0]) for f in parsed.failures]
    assert read == [
        (
            "test/broken_import.test.js",
            "test/broken_import.test.js",
            "Error",
            "Cannot find module '../src/missing_pool.js' imported from "
            "/tmp/vitest_runs_suite/test/broken_import.test.js",
        ),
        (
            "pool started once",
            "test/hook.test.js",
            "Error",
            "pool pool_b did not start: no worker answered ping",
        ),
        (
            "pool > checkout times out",
            "test/pool.test.js",
            "Error",
            "timed out waiting for a worker after 200ms (pool pool_a: 0 ready, 1 busy, 3 waiting)",
        ),
        (
            "pool > arithmetic",
            "test/pool.test.js",
            "AssertionError",
            "expected 2 to be 3 // Object.is equality",
        ),
        ("pool > waits for a worker", "test/pool.test.js", "Error", "Test timed out in 500ms."),
        (
            "Unhandled Rejection",
            "test/unhandled.test.js",
            "Error",
            "worker w1 exited with code 1",
        ),
    ]
    arithmetic = parsed.failures[3]
    assert arithmetic.location == "test/pool.test.js:9"
    assert arithmetic.details["diff"].splitlines() == ["- Expected", "+ Received", "- 3", "+ 2"]
    assert arithmetic.stacktrace == ("test/pool.test.js:9:19",)
    [vitest] = parsed.summaries
    assert (vitest.failures, vitest.read) == (6, 6)
    assert any(n.endswith("their failures counted, 6 read") for n in parsed.skipped)
    patterns = _patterns(capsys, path)
    assert patterns["pool > checkout times out"] == "checkout-timeout-waiters"


def test_a_vitest_run_after_a_clean_pytest_run_is_classified(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _patterns(capsys, MIXED / "pytest_then_vitest.log") == {
        "Pool > checkout times out": "checkout-timeout-waiters",
        "Pool > connect refused": "dependency-not-started",
    }


def test_a_retried_vitest_test_is_one_failure(capsys: pytest.CaptureFixture[str]) -> None:
    """Vitest prints a retried test's header once a try, one above the other, and its error
    once: one failure, whose message is the error's."""
    path = MIXED / "vitest_retry" / "vitest_retry.txt"
    parsed = read_logs([str(path)])
    first = parsed.failures[0]
    assert (first.name, first.message) == (
        "worker pool > never answers ping",
        "worker 2 did not answer 'ping' within 0.5s",
    )
    assert len(parsed.failures) == 2
    assert _patterns(capsys, path)["worker pool > never answers ping"] == "port-no-response"


def test_the_verbose_reporters_serialized_error_is_in_its_block_not_its_message() -> None:
    """`--reporter=verbose` adds `Serialized Error: { code: 'ERR_MODULE_NOT_FOUND' }` between
    two rules after a failed suite's code frame, before its `[1/5]` line."""
    parsed = read_logs([str(MIXED / "vitest_runs" / "vitest_verbose.txt")])
    broken = parsed.failures[0]
    assert "Serialized Error" in broken.details["text"]
    assert "Serialized Error" not in broken.message
    assert len(parsed.failures) == 6


def test_jests_colored_header_is_no_vitest_block() -> None:
    """Jest with colors (real capture: capture_jest_color.sh, `FORCE_COLOR=1`) prints its file's
    header as ` FAIL ` in inverse colors, then the path: its escapes removed, ` FAIL
    ./pool.test.js`, as Vitest's header would read but naming no test. It is no Vitest block:
    its `●` blocks are Jest's (`tests/test_jest_blocks.py`)."""
    log = MIXED / "jest_color" / "jest_color.txt"
    assert " FAIL \x1b" in log.read_text()
    parsed = read_logs([str(log)])
    assert [f.source for f in parsed.failures] == ["jest", "jest"]
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("Jest", 2, 2)]


def test_an_errors_cause_is_part_of_its_message(capsys: pytest.CaptureFixture[str]) -> None:
    """Vitest prints an error's cause below the error's frame and code, `Caused by: Error:
    {:shutdown, {NimblePool, :checkout, …}}` (real capture: capture_vitest_cause.sh): it says
    why the checkout failed, and is read into the message."""
    path = MIXED / "vitest_cause" / "vitest_cause.txt"
    caused = read_logs([str(path)]).failures[0]
    assert caused.message.splitlines() == [
        "checkout failed",
        "Caused by: Error: {:shutdown, {NimblePool, :checkout, [:test_pool_8962]}}",
    ]
    assert caused.stacktrace == ("test/pool.test.js:7:11", "test/pool.test.js:6:22")
    assert _patterns(capsys, path)["pool > checkout after a resize"] == (
        "pool-shutdown-during-checkout"
    )


def test_a_workspace_projects_name_on_the_header_is_not_the_file() -> None:
    """A test of a workspace's project has its header say so, ` FAIL  |pool| test/pool.test.js
    > pool > …` (real capture: capture_vitest_cause.sh): the test's file is the file."""
    path = MIXED / "vitest_cause" / "vitest_cause_projects.txt"
    parsed = read_logs([str(path)])
    assert [(f.name, f.group, f.location) for f in parsed.failures] == [
        ("pool > checkout after a resize", "test/pool.test.js", "test/pool.test.js:7"),
        ("pool > reply has the session id", "test/pool.test.js", "test/pool.test.js:11"),
    ]


@pytest.mark.parametrize(
    ("log", "what", "location"),
    [
        ("vitest_cause/vitest_uncaught.txt", "Uncaught Exception", "test/uncaught.test.js:5"),
        ("vitest_runs/vitest.txt", "Unhandled Rejection", "test/unhandled.test.js:5"),
    ],
)
def test_an_unhandled_error_is_a_failure_of_the_test_file_it_came_from(
    capsys: pytest.CaptureFixture[str], log: str, what: str, location: str
) -> None:
    """A timer's throw after its test passed (`⎯⎯ Uncaught Exception ⎯⎯`, real capture:
    capture_vitest_cause.sh) or a rejection no one handled: counted by `Errors  1 error`, read
    as a failure of the file Vitest says it came from, at its frame there (named after the
    function that threw: `❯ Timeout._onTimeout test/uncaught.test.js:5:28`)."""
    path = MIXED / log
    [failure] = [f for f in read_logs([str(path)]).failures if f.name == what]
    assert (failure.group, failure.location) == (location.split(":")[0], location)
    if what == "Uncaught Exception":
        assert failure.message == "No response received from worker w2 within 5000 ms"
        assert _patterns(capsys, path) == {what: "port-no-response"}
