"""clojure.test's failures are read: each `FAIL in (name) (core_test.clj:15)` and `ERROR in
(…)` block to a blank line, counted by its `2 failures, 3 errors.` A FAIL is of kind
AssertionError, its `testing` context and its expected and actual forms its message; an ERROR
is of the exception's class, placed at its frame in the test file. Before, such a log was
refused as of no format (exit 2), and after a clean pytest run in one log it read as clean (0
failures, exit 0). Real captures of `src/clojure_pool_suite`
(`tests/fixtures/src/capture_clojure.sh`: clojure 1.11.1, a pool of real worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "clojure_runs"
THROWN = "clojure.lang.ExceptionInfo"
READ = [
    ("silent-worker-answers-ping", "core_test.clj:21", THROWN, "port-no-response"),
    ("starts-a-job", "core_test.clj:27", "AssertionError", "-"),
    ("counts-its-busy-workers", "core_test.clj:15", "AssertionError", "-"),
    ("keeps-running-after-a-request", "core_test.clj:24", THROWN, "-"),
    (
        "second-caller-checks-out-within-200ms",
        "core_test.clj:11",
        THROWN,
        "checkout-timeout-waiters",
    ),
]


@pytest.mark.parametrize("log", ["run_tests.txt", "pytest_then_clojure.txt"])
def test_each_failed_assertion_is_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (5, 0)
    read = finding_rows(report, "name", "location", "kind", "pattern")
    assert sorted(read) == sorted(READ)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["keeps-running-after-a-request"] == (
        "worker exited with status 3 before answering\n{:id 3}"
    )  # (its frames are no message)
    assert messages["counts-its-busy-workers"].startswith("after two checkouts\nexpected: ")
    parsed = read_logs([str(RUNS / log)])
    theirs = [(s.source, s.failures, s.read) for s in parsed.summaries if s.failures]
    assert theirs == [("clojure.test", 5, 5)]


def test_a_clean_run_alone_is_a_clean_log(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "clean.txt")
    assert code == 0
    assert report["summary"]["failures"] == 0
