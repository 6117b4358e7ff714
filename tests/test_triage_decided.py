"""A kept failure decided by the same things as one before it (`poolctl.triage.decisions`: its
`any_key`, the texts of its other fields, which rules on its block and on what it says fire) is
scored by the pattern that claims it alone (or, when none does, the nearest), for its quotes and
facts: the report is the one scoring every pattern on every failure makes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from poolctl.logs import read_logs
from poolctl.patterns import load_patterns
from poolctl.triage.classifier import ScoringPlan
from poolctl.triage.engine import Triage

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("logs", "decided"),
    [
        # a capture given twice: the second's failures are decided by the first's
        (["exunit/pool_suite.log"] * 2, True),
        (["pytest/pool_suite_verbose.txt"] * 2, True),
        # two runs of one suite (the second coloured): their pids and pools differ
        (["exunit/pool_suite.log", "exunit/pool_suite_color.log"], False),
    ],
)
def test_a_decided_failure_is_scored_by_its_pattern_alone(
    logs: list[str], decided: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [str(FIXTURES / log) for log in logs]
    kb = load_patterns([])
    scored: list[int] = []
    score_one = ScoringPlan.score_one

    def counted(self: ScoringPlan, index: int, *args: Any, **kwargs: Any) -> Any:
        scored.append(index)
        return score_one(self, index, *args, **kwargs)

    monkeypatch.setattr(ScoringPlan, "score_one", counted)
    report = Triage(kb).report(read_logs(paths))
    fast = len(scored)
    scored.clear()
    every = Triage(kb)
    every.classifier.decisions.enabled = False  # every pattern scored on every failure
    whole = every.report(read_logs(paths))
    assert report == whole
    assert len(scored) == len(whole.findings) * len(kb)
    if decided:
        assert fast <= len(scored) * 3 // 4, (fast, len(scored))


@pytest.mark.parametrize(
    "second", ["exunit/pool_suite_color.log", "exunit/pool_suite_seed_trace.log"]
)
def test_a_failure_whose_other_fields_differ_by_pids_is_decided_by_the_rules_that_fire(
    second: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs of one suite: their stack traces and context lines differ by pids and times,
    not by which rules on them fire (`Decisions.rules_key`): the second run's failures are
    decided by the first's."""
    paths = [str(FIXTURES / "exunit" / "pool_suite.log"), str(FIXTURES / second)]
    kb = load_patterns([])
    scored: list[int] = []
    score_one = ScoringPlan.score_one

    def counted(self: ScoringPlan, index: int, *args: Any, **kwargs: Any) -> Any:
        scored.append(index)
        return score_one(self, index, *args, **kwargs)

    monkeypatch.setattr(ScoringPlan, "score_one", counted)
    report = Triage(kb).report(read_logs(paths))
    every = Triage(kb)
    every.classifier.decisions.enabled = False  # every pattern scored on every failure
    assert every.report(read_logs(paths)) == report
    fast = len(scored) - len(report.findings) * len(kb)  # the second triage scored them all
    assert fast <= len(report.findings) * len(kb) * 3 // 4, (fast, len(report.findings))
