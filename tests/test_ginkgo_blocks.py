"""Go's Ginkgo (v1) specs under `go test` are read: each failed spec's block (`• Failure [0.2
seconds]`, `•! Panic …`: its containers and spec, what gomega said, where it failed), named by
Ginkgo's full text, grouped by its file, a gomega failure of kind AssertionError, a panic
`panic`; the go test that ran the suite (`--- FAIL: TestPool`, which logged nothing) is no
failure beside them, and the package's `FAIL` counts them. Before, the run read as one failure,
TestPool, of no message nor pattern. Real captures (`tests/fixtures/src/capture_ginkgo.sh`:
Debian's Ginkgo 1.16.5 and gomega, Go 1.19, a pool of real worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import finding_rows, triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "ginkgo_runs"
READ = [
    (
        "Pool checkout gives a second worker within 200ms",
        "pool_test.go",
        "pool_test.go:23",
        "AssertionError",
        "checkout-timeout-waiters",
    ),
    (
        "Pool a worker answers ping",
        "pool_test.go",
        "pool_test.go:39",
        "AssertionError",
        "port-no-response",
    ),
    (
        "Pool jobs start with their config",
        "pool_test.go",
        "pool_test.go:46",
        "AssertionError",
        "required-field-missing",
    ),
    ("Pool jobs count their workers", "pool_test.go", "pool_test.go:49", "AssertionError", "-"),
    # (the panic's own place is the runtime's: the spec's frame in its stack)
    ("Pool jobs survive a nil config", "pool_test.go", "pool_test.go:53", "panic", "-"),
]


@pytest.mark.parametrize("log", ["plain.txt", "nocolor.txt", "verbose.txt"])
def test_each_failed_spec_is_read(capsys: pytest.CaptureFixture[str], log: str) -> None:
    code, report = triage_json(capsys, RUNS / log)
    assert code == 1
    assert (report["summary"]["failures"], report["summary"]["unread"]) == (5, 0)
    rows = finding_rows(report, "name", "group", "location", "kind", "pattern")
    assert sorted(rows) == sorted(READ)
    messages = {f["failure"]["name"]: f["failure"]["message"] for f in report["findings"]}
    assert messages["Pool jobs survive a nil config"] == "assignment to entry in nil map"
    assert messages["Pool jobs count their workers"] == "Expected\n<int>: 2\nto equal\n<int>: 3"
    parsed = read_logs([str(RUNS / log)])
    assert [(s.source, s.failures, s.read) for s in parsed.summaries] == [("go test", 5, 5)]


def test_a_clean_run_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "clean.txt")
    assert code == 0
    assert report["summary"]["failures"] == 0
