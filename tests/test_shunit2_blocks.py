"""shUnit2's failures are read: each test's `ASSERT:` and `shunit2:ERROR … returned non-zero`
lines under its name, one failure of that test, counted by its verdict of unittest's shape,
`FAILED (failures=6)`, which counts each failed assertion and each such return; `Ran 1 test.`
then `OK` is a clean run. Before, the verdict was read as unittest's, its 6 failures counted and
none read, and a clean log was refused as of no format. Real captures
(`tests/fixtures/src/capture_shunit2.sh`: shUnit2 2.1.8, a real worker process over a pipe)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from tests.test_logs_formats import triage_json

RUNS = Path(__file__).parent / "fixtures" / "mixed" / "shunit2_runs"


def test_each_failed_test_is_read_and_the_verdict_counts_its_assertions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parsed = read_logs([str(RUNS / "test.txt")])
    assert [(f.name, f.kind, f.details["counted"]) for f in parsed.failures] == [
        ("testSilentWorkerAnswers", "AssertionError", "2"),
        ("testCreateProgram", "AssertionError", "2"),
        ("testArithmetic", "AssertionError", "2"),
    ]
    silent, create, arithmetic = parsed.failures
    assert silent.message == (
        'the worker\'s answer expected:<{"id": 2, "ok": "ping"}> but was:<No response '
        "received from worker within 1000ms>"
    )
    assert "Program ID is required" in create.message
    assert arithmetic.message == "expected:<3> but was:<2>"
    [run] = parsed.summaries
    assert (run.source, run.failures, run.read) == ("shUnit2", 6, 6)
    assert parsed.formats == {str(RUNS / "test.txt"): "shUnit2"}
    code, report = triage_json(capsys, RUNS / "test.txt")
    assert (code, report["summary"]["unread"]) == (1, 0)
    patterns = {f["failure"]["name"]: f["outcome"].get("pattern_id") for f in report["findings"]}
    assert patterns == {
        "testSilentWorkerAnswers": "port-no-response",
        "testCreateProgram": "required-field-missing",
        "testArithmetic": None,
    }


def test_a_run_of_none_failed_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = triage_json(capsys, RUNS / "clean.txt")
    assert (code, report["summary"]["failures"]) == (0, 0)
