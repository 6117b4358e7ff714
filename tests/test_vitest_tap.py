"""Vitest's TAP reporters (real captures: tests/fixtures/src/capture_vitest_tap.sh): --reporter=tap
nests each test file's and describe's tests as TAP 14's buffered subtests (`not ok 3 - file #
time=… {`, its subtests inside, its `}`), and each failed test's YAML names its error as a
mapping (`name`, `message`) and its place (`at: "file:line:col"`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.cli import main
from poolctl.logs import read_logs

VITEST = Path(__file__).parent / "fixtures" / "mixed" / "vitest_runs"
ROOT = "/tmp/vitest_runs_suite/test/"
TIMEOUT = (
    "Test timed out in 500ms. If this is a long-running test, pass a timeout value as the last"
    ' argument or configure it globally with "testTimeout".'
)


def test_vitest_tap_reads_each_failed_test_once_not_the_files_and_describes_they_fail() -> None:
    """Before, 7 failures: the file's and the describe's `not ok … {` lines of the tests that
    failed were failures too (`test/hook.test.js # time=9.02ms {`, `pool # time=602.19ms {`),
    named with their time and brace; each test's message was its YAML mapping (`message: …
    name: Error`), of no place, the timeout's chopped (`long-running test, …`: its second line,
    at the left edge, lost 12 characters to the indent). The describe whose beforeAll threw
    (its tests skipped, none failed) is a failure: Vitest prints no error for it."""
    parsed = read_logs([str(VITEST / "vitest_tap.txt")])
    read = [(f.name, f.kind, f.location, f.message) for f in parsed.failures]
    assert read == [
        (
            "test/broken_import.test.js",
            "Error",
            f"{ROOT}broken_import.test.js:2",
            "Cannot find module '../src/missing_pool.js' imported from "
            f"{ROOT}broken_import.test.js",
        ),
        ("pool started once", "not ok", "", ""),
        (
            "checkout times out",
            "Error",
            f"{ROOT}pool.test.js:5",
            "timed out waiting for a worker after 200ms (pool pool_a: 0 ready, 1 busy, 3 waiting)",
        ),
        (
            "arithmetic",
            "AssertionError",
            f"{ROOT}pool.test.js:9",
            "expected 2 to be 3 // Object.is equality",
        ),
        ("waits for a worker", "Error", f"{ROOT}pool.test.js:13", TIMEOUT),
    ]
    [run] = parsed.summaries
    assert (run.source, run.failures, run.read) == ("TAP", 5, 5)


def test_vitest_tap_flat_reads_its_failed_tests_with_their_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--reporter=tap-flat: one line a test, the same YAML; the timeout's message lost its
    second line's first 4 characters (`his is a long-running test`)."""
    parsed = read_logs([str(VITEST / "vitest_tap_flat.txt")])
    assert [f.name for f in parsed.failures] == [
        "test/broken_import.test.js",
        "test/pool.test.js > pool > checkout times out",
        "test/pool.test.js > pool > arithmetic",
        "test/pool.test.js > pool > waits for a worker",
    ]
    assert [f.kind for f in parsed.failures] == ["Error", "Error", "AssertionError", "Error"]
    assert parsed.failures[-1].message == TIMEOUT
    assert parsed.failures[-1].location == f"{ROOT}pool.test.js:13"
    assert main(["triage", str(VITEST / "vitest_tap_flat.txt"), "--no-history"]) == 1
    assert "4 failures" in capsys.readouterr().out
