"""A kept failure decided by the same things as one before it (`poolctl.triage.decisions`: its
`any_key`, the texts of its other fields, which rules on its block and on what it says fire, and
which fact signals fire on its own facts when a pattern that fired extracts them) is
scored by the pattern that claims it alone (or, when none does, the nearest), for its quotes and
facts: the report is the one scoring every pattern on every failure makes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from poolctl.logs import read_logs
from poolctl.model import Diagnosis
from poolctl.patterns import load_patterns
from poolctl.patterns.loader import Pattern
from poolctl.triage import classifier
from poolctl.triage.classifier import ScoringPlan
from poolctl.triage.engine import Triage
from poolctl.triage.facts import FactContext, extract_facts
from poolctl.triage.fields import FailureView

FIXTURES = Path(__file__).parent / "fixtures"


def _scorings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The index of the pattern each scoring of a failure scores, in order, from now on."""
    scored: list[int] = []
    score_one = ScoringPlan.score_one

    def counted(self: ScoringPlan, index: int, *args: Any, **kwargs: Any) -> Any:
        scored.append(index)
        return score_one(self, index, *args, **kwargs)

    monkeypatch.setattr(ScoringPlan, "score_one", counted)
    return scored


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
    scored = _scorings(monkeypatch)
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
    scored = _scorings(monkeypatch)
    report = Triage(kb).report(read_logs(paths))
    every = Triage(kb)
    every.classifier.decisions.enabled = False  # every pattern scored on every failure
    assert every.report(read_logs(paths)) == report
    fast = len(scored) - len(report.findings) * len(kb)  # the second triage scored them all
    assert fast <= len(report.findings) * len(kb) * 3 // 4, (fast, len(report.findings))


def test_a_decision_resting_on_facts_is_remembered_with_which_fact_signals_fire(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pattern-4 failure's decision rests on its facts too (`nearest_key`, `fixture_owner`):
    the capture given twice, the second's are scored by their pattern alone, each with its own
    facts, extracted once for the key and the diagnosis."""
    paths = [str(FIXTURES / "exunit" / "pool_suite.log")] * 2
    kb = load_patterns([])
    p4 = next(i for i, p in enumerate(kb) if p.id == "fixture-key-mismatch")
    scored: list[tuple[int, int]] = []  # (the failure's id(), the pattern's index)
    extracted: list[tuple[int, str]] = []
    score_one = ScoringPlan.score_one

    def counted(self: ScoringPlan, index: int, view: FailureView, *a: Any, **k: Any) -> Any:
        scored.append((id(view.failure), index))
        return score_one(self, index, view, *a, **k)

    def facts(pattern: Pattern, view: FailureView, ctx: FactContext) -> Any:
        extracted.append((id(view.failure), pattern.id))
        return extract_facts(pattern, view, ctx)

    monkeypatch.setattr(ScoringPlan, "score_one", counted)
    monkeypatch.setattr(classifier, "extract_facts", facts)  # what `pattern_facts` calls
    report = Triage(kb).report(read_logs(paths))
    half = len(report.findings) // 2
    second = [
        f
        for f in report.findings[half:]
        if isinstance(f.outcome, Diagnosis) and f.outcome.pattern_id == "fixture-key-mismatch"
    ]
    assert second
    for finding in second:
        assert [i for f, i in scored if f == id(finding.failure)] == [p4]
        assert [p for f, p in extracted if f == id(finding.failure)] == ["fixture-key-mismatch"]
    every = Triage(kb)
    every.classifier.decisions.enabled = False  # every pattern scored on every failure
    assert every.report(read_logs(paths)) == report
