"""The scenario classifier against the knowledge base: every rule produces a pattern the YAML
defines (a renamed id fails here, loudly), and what the rules leave unclassified goes to the
patterns no rule reads, the user's own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from poolctl.model import Diagnosis, Failure, Finding, Unclassified
from poolctl.patterns import builtin_dir, builtin_patterns, load_patterns
from poolctl.scenario.classify import (
    UnknownRulePattern,
    check_rules,
    offer_to_other_patterns,
    produced,
    rules,
)

QUOTA_PATTERN = """\
id: quota-exceeded
number: 8
title: The tenant's quota is used up
summary: The worker rejects requests once the tenant's quota is used up.
signals:
  - regex: 'quota exceeded for tenant \\w+'
    weight: 0.9
    why: the worker says the tenant's quota is used up
facts:
  - name: tenant
    regex: 'quota exceeded for tenant (?P<tenant>\\w+)'
remediation: Raise the quota of tenant {tenant}.
"""


def user_kb(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "quota.yaml").write_text(QUOTA_PATTERN)
    return folder


def test_the_rules_produce_exactly_the_builtin_patterns() -> None:
    check_rules(builtin_patterns())
    assert {p.id for p in builtin_patterns()} == produced()
    unclassified = {
        "steps that could not run",
        "workers that could not start",
        "worker inits raised",  # an error of poolctl's own, no pattern of the worker's
        "requests answered twice",
    }
    assert all(rule.produces for rule in rules() if rule.name not in unclassified)


def test_a_pattern_renamed_in_its_yaml_fails_the_check(tmp_path: Path) -> None:
    folder = tmp_path / "builtin"
    shutil.copytree(builtin_dir(), folder)
    p3 = folder / "p3-checkout-timeout-waiters.yaml"
    p3.write_text(p3.read_text().replace("id: checkout-timeout-waiters", "id: checkout-waiters"))
    renamed = load_patterns([folder], builtin=False)
    with pytest.raises(UnknownRulePattern) as err:
        check_rules(renamed)
    message = str(err.value)
    assert "'checkouts timed out' produces pattern 'checkout-timeout-waiters'" in message
    assert "checkout-waiters" in message


def failure(message: str) -> Failure:
    return Failure(source="scenario", name=f"s: {message}", kind="worker-error", message=message)


def test_what_the_rules_leave_unclassified_goes_to_the_users_patterns(tmp_path: Path) -> None:
    kb = load_patterns([user_kb(tmp_path)])
    left = Finding(failure("quota exceeded for tenant acme"), Unclassified(None, 0.0, "no rule"))
    other = Finding(failure("something else"), Unclassified(None, 0.0, "no rule"))
    classified = offer_to_other_patterns([left, other], kb)
    claimed, kept = classified.findings
    assert isinstance(claimed.outcome, Diagnosis) and claimed.failure is left.failure
    assert claimed.outcome.pattern_id == "quota-exceeded"
    assert claimed.outcome.remediation == "Raise the quota of tenant acme."
    assert kept is other  # unclaimed: the rule's own reason stays
    assert classified.notes == []


def test_builtin_patterns_do_not_reclassify_what_the_rules_read() -> None:
    # The trace rules own the builtin patterns: their wording signals are not applied again.
    left = Finding(failure("Program ID is required"), Unclassified(None, 0.0, "no rule"))
    assert offer_to_other_patterns([left], builtin_patterns()).findings == [left]
