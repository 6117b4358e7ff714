"""Why a pattern does or does not claim each failure of a log: for `poolctl patterns test`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from poolctl.logs.records import ParsedLog
from poolctl.model import Failure
from poolctl.patterns.loader import Negative, Pattern, PatternSet, Signal
from poolctl.patterns.regex import Timing
from poolctl.triage.classifier import Hit, Score, first_hit, pick, score
from poolctl.triage.engine import context_for
from poolctl.triage.facts import extract_facts
from poolctl.triage.fields import FailureView
from poolctl.triage.locate import BlockLines
from poolctl.yamlfile import key_path

Role = Literal["signal", "veto", "penalty"]


@dataclass(frozen=True)
class RegexTime:
    """The time one knowledge-base regex took in a run (`poolctl patterns test`)."""

    where: str  # `pattern-id signals[2].regex`
    engine: str  # re2, or re (RE2 could not run it)
    calls: int
    seconds: float


def slowest(patterns: PatternSet, times: Mapping[str, Timing]) -> list[RegexTime]:
    """The regexes that ran, slowest first, each named by its pattern and key path."""
    names: dict[str, tuple[str, str]] = {}
    for pattern in patterns:
        for loc, regex in pattern.regexes():
            names.setdefault(regex.pattern, (f"{pattern.id} {key_path(loc)}", regex.engine))
    rows = [
        RegexTime(*names.get(source, (source, "?")), spent.calls, spent.seconds)
        for source, spent in times.items()
    ]
    return sorted(rows, key=lambda r: -r.seconds)


Verdict = Literal["matches", "below threshold", "vetoed", "no signal", "outranked"]


@dataclass(frozen=True)
class RuleResult:
    """One rule of the pattern on one failure: the line it fired on, or None."""

    role: Role
    rule: Signal | Negative
    hit: Hit | None


@dataclass(frozen=True)
class Explanation:
    """How one pattern fared on one failure, and which pattern the whole knowledge base picks."""

    failure: Failure
    score: Score
    rules: tuple[RuleResult, ...]
    facts: dict[str, Any]
    winner: str | None  # the id of the pattern the whole knowledge base picks, or None

    @property
    def verdict(self) -> Verdict:
        if not self.score.hits:
            return "no signal"
        if self.score.vetoes:
            return "vetoed"
        if not self.score.qualifies:
            return "below threshold"
        if self.winner != self.score.pattern.id:
            return "outranked"
        return "matches"


def explain(pattern: Pattern, parsed: ParsedLog, patterns: PatternSet) -> list[Explanation]:
    """Every failure of `parsed`, scored by `pattern`, with each rule's outcome."""
    blocks = BlockLines.of(parsed)
    ctx = context_for(parsed)
    out = []
    for failure in parsed.failures:
        view = FailureView(failure, blocks)
        own = score(pattern, view, ctx)
        others = [score(p, view, ctx) for p in patterns if p.id != pattern.id]
        best, _ = pick([own, *others])
        facts: dict[str, Any] = own.facts if own.facts is not None else {}
        if own.hits and own.facts is None:
            facts, _ev = extract_facts(pattern, view, ctx)
        out.append(
            Explanation(
                failure,
                own,
                tuple(_rules(pattern, view, own)),
                facts,
                best.pattern.id if best else None,
            )
        )
    return out


def _rules(pattern: Pattern, view: FailureView, own: Score) -> Iterable[RuleResult]:
    by_rule = {id(h.rule): h for h in own.hits}
    for signal in pattern.signals:
        yield RuleResult("signal", signal, by_rule.get(id(signal)))
    for negative in pattern.negative:
        role: Role = "veto" if negative.veto else "penalty"
        yield RuleResult(role, negative, first_hit(negative, view))
