"""`deno test`'s failures are read: each block of its ERRORS section (a failed test's, `name =>
FILE:LINE:COL`, and an error no test caught), and each test it cancelled after that error, by
its line, counted by `FAILED | 1 passed | 8 failed (2s)`; a run stopped at its type check
(`error: Type checking failed.`) is one failure, unread. Before, both logs were refused as of
no format (exit 2). Real captures of `src/deno_pool_suite` (`tests/fixtures/src/capture_deno.sh`:
Deno 2.9.6, a pool of real worker processes)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Failure
from poolctl.patterns import load_patterns
from poolctl.triage import triage
from tests.test_logs_formats import run

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "deno_runs"


def test_each_failed_test_is_read_and_classified(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "triage", str(RUNS / "console.txt"), "--no-history", "--format", "json"
    )
    assert code == 1
    report = json.loads(out)
    assert report["summary"]["failures"] == 8 and report["summary"]["unread"] == 0
    read = [
        (
            f["failure"]["name"],
            f["failure"]["location"],
            f["failure"]["kind"],
            f["outcome"].get("pattern_id", "-"),
        )
        for f in report["findings"]
    ]
    assert sorted(read) == sorted(
        [
            ("a caller waiting through shutdown gets a worker", "", "", "-"),
            ("the pool counts its workers", "", "", "-"),
            (
                "a second caller checks out within 200ms",
                "pool_test.ts:20",
                "Error",
                "checkout-timeout-waiters",
            ),
            (
                "a silent worker answers within the request timeout",
                "pool_test.ts:30",
                "Error",
                "port-no-response",
            ),
            ("the pool keeps its worker after a request", "pool_test.ts:39", "Error", "-"),
            ("an answer holds its ok", "pool_test.ts:48", "AssertionError", "-"),
            ("a job starts", "pool_test.ts:58", "Error", "required-field-missing"),
            (
                "./pool_test.ts (uncaught error)",
                "pool_test.ts",
                "Error",
                "pool-shutdown-during-checkout",
            ),
        ]
    )
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    # an assertion's diff is its message; the code and frames after it are not
    assert messages["an answer holds its ok"] == (
        "AssertionError: Expected values to be strictly deep-equal:\n+ actual - expected\n\n"
        "+ undefined\n- 'echo'"
    )
    parsed = read_logs([str(RUNS / "console.txt")])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("Deno", 8, 8)]


def test_a_run_stopped_at_its_type_check_is_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "triage", str(RUNS / "typecheck.txt"), "--no-history", "--format", "json"
    )
    assert code == 1
    summary = json.loads(out)["summary"]
    assert (summary["failures"], summary["unread"]) == (0, 1)


def test_its_tap_reporters_blocks_are_read_as_its_errors_section() -> None:
    """`deno test --reporter=tap` (`capture_deno_tap.sh`): each failed test's YAML block is a
    JSON object on one line, its `message` the error as the ERRORS section prints it, its `at`
    the test's file and line. Before, each of the 5 was read with no message, of kind `not
    ok`, unclassified; each is now read as its ERRORS block is (the same kind, message,
    place, group and pattern). The error no test caught is not in the TAP (not read, and not
    counted: `1..8`, 7 `not ok`), and the tests it cancelled are bare `not ok` lines."""
    tap = read_logs([str(RUNS / "tap.txt")])
    console = read_logs([str(RUNS / "console.txt")])

    def read(failures: list[Failure]) -> dict[str, tuple[str, str, str, str]]:
        return {
            f.name: (f.kind, re.sub(r"pid \d+", "pid N", f.message), f.location, f.group)
            for f in failures
            if f.kind not in ("", "not ok") and not f.name.endswith("(uncaught error)")
        }

    assert read(tap.failures) == read(console.failures)
    assert len(read(tap.failures)) == 5
    assert [f.name for f in tap.failures if not f.message] == [
        "a caller waiting through shutdown gets a worker",
        "the pool counts its workers",
    ]
    report = triage(tap, load_patterns())
    patterns = {
        f.failure.name: f.outcome.pattern_id
        for f in report.findings
        if isinstance(f.outcome, Diagnosis)
    }
    assert patterns == {
        "a second caller checks out within 200ms": "checkout-timeout-waiters",
        "a silent worker answers within the request timeout": "port-no-response",
        "a job starts": "required-field-missing",
    }
