"""A JUnit failure's body that is a pytest traceback is parsed as pytest output into a scratch
log; that output holds no session start, so how its "run" ended (a shell's `Killed`, a test's
start as its last line) is not looked for in its last lines: that was a tenth of a body's parse,
on a report of 6,800 failures. A real run's log cut short still says how it ended. Real
captures: tests/fixtures/junit/pytest_xunit2.xml (pytest --junitxml) and
tests/fixtures/pytest/cut_short/killed.txt (a pytest run killed by the shell)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs, run_end_lines
from poolctl.logs.records import Lines

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_junit_body_is_not_searched_for_how_a_run_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    looked: list[Lines] = []
    runners_last = run_end_lines.runners_last

    def recording(tail: Lines) -> tuple[int, str] | None:
        looked.append(tail)
        return runners_last(tail)

    monkeypatch.setattr(run_end_lines, "runners_last", recording)
    parsed = read_logs([str(FIXTURES / "junit" / "pytest_xunit2.xml")])
    assert parsed.failures[0].location == "check_adapters.py:9"  # its body read as pytest's
    assert looked == []


def test_a_pytest_run_cut_short_still_says_how_it_ended() -> None:
    parsed = read_logs([str(FIXTURES / "pytest" / "cut_short" / "killed.txt")])
    [run] = parsed.summaries
    assert run.text.endswith("and stop in a test that printed no result)")
