"""An ExUnit test that prints another runner's verdict (`3 failed`, `10 examples, 2 failures`,
`FAIL<tab>pkg<tab>0.002s`) or ExUnit's own closing line prints it among its run's progress
marks: the test's output, not another run. Real captures of
`tests/fixtures/src/exunit_printed_verdicts` (see the fixtures' README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.records import ParsedLog

CAPTURES = Path(__file__).parent / "fixtures" / "exunit" / "printed_verdicts"


def parsed(name: str) -> ParsedLog:
    path = str(CAPTURES / name)
    out = read_logs([path])
    assert out.formats == {path: "exunit"}
    return out


@pytest.mark.parametrize("name", ["passing.log", "script.log"])
def test_a_passing_run_whose_test_printed_verdicts_is_clean(name: str) -> None:
    out = parsed(name)
    assert not out.failures and not out.skipped
    assert [(s.source, s.failures) for s in out.summaries] == [("closing line", 0)]


def test_a_failing_run_counts_its_own_failure_only() -> None:
    out = parsed("failing.log")
    assert [f.name for f in out.failures] == ["test fails after reporting a child run"]
    assert out.failures[0].message == "the child run failed"
    assert [(s.source, s.failures, s.read) for s in out.summaries] == [("closing line", 1, 1)]
    assert not out.skipped


def test_a_verdict_before_mix_compiles_is_another_run() -> None:
    """A failed unittest run, then Mix compiling and a passing run whose test prints verdicts:
    unittest's verdict is read (it came before the run began), the printed ones are not; so is
    unittest's failure block, before any of mix test's (`tests/test_before_mix.py`)."""
    out = parsed("unittest_then_mix.log")
    runs = [(s.line, s.source, s.failures, s.read) for s in out.summaries]
    assert runs == [
        (14, "closing line", None, 0),
        (16, "unittest", 1, 1),
        (33, "closing line", 0, 0),
    ]
    assert [(f.source, f.name) for f in out.failures] == [("unittest", "test_child_run")]
    assert out.skipped == []


def test_a_verdict_before_a_command_echoed_is_another_run() -> None:
    """The same, Mix having compiled already (no line of Mix's opens the run), each command
    echoed before it ran (`$ mix test …`, as a CI job's log shows it): unittest's verdict came
    before the run began."""
    out = parsed("unittest_then_mix_echoed.log")
    runs = [(s.line, s.source, s.failures, s.read) for s in out.summaries]
    assert runs == [
        (15, "closing line", None, 0),
        (17, "unittest", 1, 1),
        (32, "closing line", 0, 0),
    ]
    assert [(f.source, f.name) for f in out.failures] == [("unittest", "test_child_run")]
    assert out.skipped == []
