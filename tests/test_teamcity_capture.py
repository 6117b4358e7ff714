"""A pytest run with the teamcity-messages plugin on (tests/fixtures/src/capture_teamcity.sh):
TeamCity's service messages, each failure's traceback again escaped on one line
(`##teamcity[testFailed … details='…|n…']`), are no lines of the run's: no quote comes from one,
and no diagnosis is the surer for one."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs
from poolctl.model import Diagnosis, Report
from poolctl.patterns import load_patterns
from poolctl.triage import triage

FIXTURES = Path(__file__).parent / "fixtures"
KB = load_patterns()


def report_for(name: str) -> Report:
    return triage(read_logs([str(FIXTURES / name)]), KB)


def test_no_quote_is_taken_from_a_service_message() -> None:
    report = report_for("pytest/teamcity/pool_suite.txt")
    assert len(report.findings) == 22
    quotes = [c.text for f in report.findings for c in f.failure.context]
    quotes += [
        e.text
        for f in report.findings
        if isinstance(f.outcome, Diagnosis)
        for e in f.outcome.evidence
    ]
    assert quotes
    assert [q for q in quotes if "##teamcity[" in q or "|n" in q] == []


def test_a_diagnosis_is_as_sure_as_without_the_plugin() -> None:
    # the service message of the pool that shut down named it again, escaped: it was quoted as
    # 'a nearby line shows a process being stopped', and the confidence rose from 0.8 to 0.9
    def confidence(name: str) -> float:
        found = [
            f.outcome
            for f in report_for(name).findings
            if f.failure.name == "test_health_check_during_reconfigure"
        ]
        assert len(found) == 1 and isinstance(found[0], Diagnosis)
        assert found[0].pattern_id == "pool-shutdown-during-checkout"
        return found[0].confidence

    assert confidence("pytest/teamcity/pool_suite.txt") == confidence("pytest/pool_suite.txt")
