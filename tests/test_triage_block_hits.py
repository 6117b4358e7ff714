"""The rules on `block`, remembered line by line (poolctl/triage/block_hits.py): each finds what
a search of the failure's lines finds, quoted alike, and a line seen on a failure before is not
searched again (thousands of failures print the same code lines and frames)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.patterns import builtin_patterns
from poolctl.patterns.loader import Negative, Signal
from poolctl.patterns.regex import timing
from poolctl.triage.block_hits import ENTRY_CHARS, BlockHits
from poolctl.triage.classifier import ScoringPlan, first_hit, memo_hit
from poolctl.triage.fields import FailureView
from poolctl.triage.locate import BlockLines

FIXTURES = Path(__file__).parent / "fixtures"
PYTEST = FIXTURES / "pytest" / "pool_suite_verbose.txt"  # `pytest -vv`, captured
EXUNIT = FIXTURES / "exunit" / "pool_suite.log"  # `mix test`, captured


def _block_rules() -> list[Signal | Negative]:
    patterns = builtin_patterns()
    signals: list[Signal | Negative] = [s for p in patterns for s in p.signals]
    rules = signals + [n for p in patterns for n in p.negative]
    return [rule for rule in rules if rule.field == "block" and rule.regex is not None]


@pytest.mark.parametrize("log", [PYTEST, EXUNIT], ids=["pytest", "exunit"])
def test_each_rule_finds_and_quotes_what_a_search_of_the_lines_does(log: Path) -> None:
    parsed = read_logs([str(log)])
    blocks = BlockLines.of(parsed)
    plan = ScoringPlan(list(builtin_patterns()))
    fired = 0
    for failure in parsed.failures * 2:  # the second time, every line from the memo
        for rule in _block_rules():
            remembered = memo_hit(rule, FailureView(failure, blocks), plan.memo, cited=True)
            assert remembered == first_hit(rule, FailureView(failure, blocks))
            fired += remembered is not None
    assert fired > 0


def test_a_line_seen_on_a_failure_before_is_not_searched_again() -> None:
    parsed = read_logs([str(PYTEST)])
    blocks = BlockLines.of(parsed)
    plan = ScoringPlan(list(builtin_patterns()))
    rules = _block_rules()
    patterns = {rule.regex.pattern for rule in rules if rule.regex is not None}

    def searched() -> set[str]:
        with timing() as spent:
            for failure in parsed.failures:  # each failure's own view: nothing kept in it
                view = FailureView(failure, blocks)
                for rule in rules:
                    memo_hit(rule, view, plan.memo, cited=False)
        return {pattern for pattern, t in spent.items() if t.calls} & patterns

    assert searched()  # the first time, lines that hold a regex's literals are searched
    assert searched() == set()


def test_past_its_bound_the_memo_starts_again() -> None:
    regex = next(
        rule.regex
        for rule in _block_rules()
        if rule.regex is not None and "socket.socket(" in rule.regex.literals
    )
    lines = [f"s{n} = socket.socket(AF_INET)" for n in range(3)]  # searched: no AF_UNIX
    hits = BlockHits([regex], max_chars=2 * (ENTRY_CHARS + len(lines[0])))

    def searches(batch: list[str]) -> int:
        with timing() as spent:
            assert set(hits.answers(batch).values()) == {None}
        return spent[regex.pattern].calls if regex.pattern in spent else 0

    assert searches(lines[:2]) == 2
    assert searches(lines[:2]) == 0  # remembered
    assert searches(lines[2:]) == 1  # past the bound: the memo forgets, then holds this one
    assert searches(lines[:1]) == 1
