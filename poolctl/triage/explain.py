"""Why a pattern does or does not claim each failure of a log: for `poolctl patterns test`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from poolctl.errors import InputError
from poolctl.logs.records import ParsedLog
from poolctl.model import Failure
from poolctl.patterns.loader import Negative, Pattern, PatternSet, Signal
from poolctl.patterns.regex import Timing
from poolctl.triage.classifier import Hit, Score, first_hit, pick, score
from poolctl.triage.engine import context_for
from poolctl.triage.facts import FactContext, extract_facts
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
        with raising(pattern, failure.origin or failure.name):
            own = score(pattern, view, ctx)
            facts: dict[str, Any] = own.facts if own.facts is not None else {}
            if own.hits and own.facts is None:
                facts, _ev = extract_facts(pattern, view, ctx)
        others = scores_of((p for p in patterns if p.id != pattern.id), view, ctx)
        best, _ = pick([own, *others])
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


@contextlib.contextmanager
def raising(pattern: Pattern, on: str) -> Iterator[None]:
    """The pattern under test raised on a failure (a `transform: int` of a word, a regex out
    of time): the pattern file's error, in one line, where triage would skip the pattern."""
    try:
        yield
    except Exception as exc:
        raise InputError(
            f"pattern {pattern.id} raised {type(exc).__name__} on {on}: {exc}", where=pattern.path
        ) from None


def scores_of(patterns: Iterable[Pattern], view: FailureView, ctx: FactContext) -> list[Score]:
    """The scores of the other patterns; one that raises is left out, as triage leaves it."""
    out = []
    for other in patterns:
        with contextlib.suppress(Exception):
            out.append(score(other, view, ctx))
    return out


def _rules(pattern: Pattern, view: FailureView, own: Score) -> Iterable[RuleResult]:
    by_rule = {id(h.rule): h for h in own.hits}
    for signal in pattern.signals:
        yield RuleResult("signal", signal, by_rule.get(id(signal)))
    for negative in pattern.negative:
        role: Role = "veto" if negative.veto else "penalty"
        yield RuleResult(role, negative, first_hit(negative, view))
