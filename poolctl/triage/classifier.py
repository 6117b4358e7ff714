"""Score every pattern on a failure; the best one above its threshold diagnoses it.

A pattern's confidence is the sum of the weights of its signals that fire (at most 1), less
the weights of its penalties; a veto sets it aside. The engine, not the pattern, stamps the id.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from poolctl.model import Diagnosis, Evidence, Hypothesis, Unclassified
from poolctl.patterns.loader import Cause, Negative, Pattern, Signal
from poolctl.patterns.regex import KbRegex
from poolctl.patterns.template import FIELD, Part, parsed_template
from poolctl.triage.block_hits import BlockHits
from poolctl.triage.compared import compared_spans, inside
from poolctl.triage.facts import FactContext, extract_facts
from poolctl.triage.fields import FailureView, Text, line_at
from poolctl.triage.hits import HitMemo


@dataclass(frozen=True)
class Hit:
    """One signal (or negative signal) that fired: the line it fired on and where that line is."""

    rule: Signal | Negative
    field: str
    quote: str
    origin: str
    matched: str


@dataclass(frozen=True)
class Score:
    """How one pattern scored on one failure (with the facts, when they were extracted)."""

    pattern: Pattern
    confidence: float
    hits: tuple[Hit, ...]
    vetoes: tuple[Hit, ...]
    penalties: tuple[Hit, ...]
    missed: tuple[Signal, ...]
    facts: dict[str, Any] | None = None
    fact_evidence: tuple[Evidence, ...] = ()

    @property
    def raw(self) -> float:
        """The sum of the fired weights before the cap and the penalties."""
        return sum(h.rule.weight for h in self.hits)

    @property
    def qualifies(self) -> bool:
        return not self.vetoes and self.confidence >= self.pattern.threshold - 1e-9

    def rank(self) -> tuple[float, float, int]:
        strongest = max((h.rule.weight for h in self.hits), default=0.0)
        return (self.confidence, strongest, -self.pattern.number)


def first_hit(rule: Signal | Negative, view: FailureView, *, cited: bool = True) -> Hit | None:
    """The first line of the rule's field its regex matches (the prefilter first). Not `cited`:
    the hit holds what matched as its quote, and no origin (a failure only counted)."""
    found = _first_match(rule, view)
    if found is None:
        return None
    _, text, at, matched = found
    if not cited:
        return Hit(rule, text.field, matched, "", matched)
    quote, origin = view.cite(text, line_at(text.value, at), matched)
    return Hit(rule, text.field, quote, origin, matched)


def _first_match(rule: Signal | Negative, view: FailureView) -> tuple[int, Text, int, str] | None:
    """Where the rule's regex first matches its field: the text's index among the field's texts,
    the text, where in it the match starts and what matched. It reads nothing but the field's
    texts (see `poolctl.triage.hits`)."""
    regex = rule.regex
    assert regex is not None
    if not view.may_match(regex, rule.field):
        return None
    check = getattr(regex, "may_match", None)
    for index, text in enumerate(view.texts(rule.field)):
        if check is not None and not check(text.value):
            continue
        m = regex.search(text.value)
        if m and (spans := compared_spans(text.value)) and inside(spans, m.start(), m.end()):
            # strings a test compared are its data: the first match outside them, if any
            outside = (x for x in regex.finditer(text.value) if not inside(spans, *x.span()))
            m = next(outside, None)
        if m:
            return index, text, m.start(), m.group(0)
    return None


_UNKNOWN = ("", "", -1, -1)  # not in the memo yet


def memo_hit(
    rule: Signal | Negative, view: FailureView, memo: HitMemo, *, cited: bool
) -> Hit | None:
    """`first_hit`, its outcome on the same texts of the rule's field remembered: a miss, or a
    hit (which text, which of its lines, what matched), comes from the memo; a hit to quote is
    placed on this failure (`FailureView.cite`: its line number is this failure's own)."""
    regex = rule.regex
    assert regex is not None
    answers = view.answers.get(rule.field)  # the memo's, read directly: the hot path
    if answers is None:
        answers = memo.answers(view, rule.field)
    if getattr(regex, "engine", "") != "re2":  # Python's re, or a stand-in: not remembered
        return first_hit(rule, view, cited=cited)
    found = answers.get(regex, _UNKNOWN)
    if found is None:
        return None
    if found is _UNKNOWN:
        match = _first_match(rule, view)
        if match is None:
            answers[regex] = None
            return None
        index, text, at, matched = match
        found = answers[regex] = (text.field, matched, index, at)
    field, matched, index, at = found
    if not cited:
        return Hit(rule, field, matched, "", matched)
    text = view.texts(rule.field)[index]
    quote, origin = view.cite(text, line_at(text.value, at), matched)
    return Hit(rule, field, quote, origin, matched)


@dataclass
class Known:
    """What the rules on `any` did on the first failure of a classification key (its own text,
    volatile parts stripped: `normalize.any_key`). Another failure with the same key runs only
    the signals that fired there (for its own quote), never the others."""

    signals: dict[int, frozenset[int]] = field(default_factory=dict)  # by pattern: fired
    negatives: dict[tuple[int, int], bool] = field(default_factory=dict)  # (pattern, negative)


def pattern_facts(
    pattern: Pattern, view: FailureView, ctx: FactContext
) -> tuple[dict[str, Any], list[Evidence]]:
    """`extract_facts`, once per failure and pattern: what a decision's key asks for (see
    `poolctl.triage.decisions`) is what its scoring and its diagnosis read again."""
    found = view.facts.get(id(pattern))
    if found is None:
        found = view.facts[id(pattern)] = extract_facts(pattern, view, ctx)
    return found


def fact_fires(signal: Signal, facts: dict[str, Any]) -> bool:
    """Whether fact signal `signal` fires on these facts: its fact is found, and not empty."""
    assert signal.fact is not None
    value = facts.get(signal.fact)
    return not (value is None or value is False or value in ("", []))


def _fact_hit(signal: Signal, view: FailureView, facts: dict[str, Any]) -> Hit | None:
    assert signal.fact is not None
    if not fact_fires(signal, facts):
        return None
    value = facts[signal.fact]
    quote = f"{signal.fact.replace('_', ' ')}: {_fmt(value)}"
    return Hit(signal, f"fact {signal.fact}", quote, view.failure.origin or "(facts)", quote)


def score(pattern: Pattern, view: FailureView, ctx: FactContext | None = None) -> Score:
    """Score `pattern` on the failure behind `view` (facts are extracted only when needed)."""
    hits: list[Hit] = []
    missed: list[Signal] = []
    for signal in pattern.signals:
        if signal.fact is None:
            hit = first_hit(signal, view)
            if hit is None:
                missed.append(signal)
            else:
                hits.append(hit)
    return _scored(pattern, view, ctx, hits, missed, lambda _, rule: first_hit(rule, view))


def _scored(
    pattern: Pattern,
    view: FailureView,
    ctx: FactContext | None,
    hits: list[Hit],
    missed: list[Signal],
    negative_hit: Callable[[int, Negative], Hit | None],
) -> Score:
    """The score from the regex signals' `hits` and `missed` ones: the fact signals, then the
    negative signals (`negative_hit(index, rule)`), when a signal fired."""
    fact_signals = [s for s in pattern.signals if s.fact is not None]
    facts: dict[str, Any] | None = None
    fact_evidence: tuple[Evidence, ...] = ()
    if hits and fact_signals:
        found, evidence = pattern_facts(pattern, view, ctx or FactContext())
        facts, fact_evidence = found, tuple(evidence)
        for signal in fact_signals:
            fact_hit = _fact_hit(signal, view, facts)
            (hits.append(fact_hit) if fact_hit else missed.append(signal))
    else:
        missed += fact_signals
    vetoes: list[Hit] = []
    penalties: list[Hit] = []
    if hits:
        for index, negative in enumerate(pattern.negative):
            neg = negative_hit(index, negative)
            if neg is not None:
                (vetoes if negative.veto else penalties).append(neg)
    total = min(1.0, sum(h.rule.weight for h in hits)) - sum(h.rule.weight for h in penalties)
    return Score(
        pattern,
        round(max(0.0, total), 3),
        tuple(hits),
        tuple(vetoes),
        tuple(penalties),
        tuple(missed),
        facts,
        fact_evidence,
    )


class ScoringPlan:
    """Every pattern's signals sorted once: those on `any` (run once per classification key)
    and the others (run on each failure, their regexes' outcomes remembered by the field's
    exact texts: `poolctl.triage.hits`)."""

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        self.patterns = tuple(patterns)
        ids = [p.id for p in self.patterns]
        self.index = {i: n for n, i in enumerate(ids) if ids.count(i) == 1}  # by pattern id
        self.on_any = [
            frozenset(i for i, s in enumerate(p.signals) if s.fact is None and s.field == "any")
            for p in self.patterns
        ]
        self.elsewhere = [
            frozenset(i for i, s in enumerate(p.signals) if s.fact is None and s.field != "any")
            for p in self.patterns
        ]
        self.regex_signals = [
            tuple((i, s) for i, s in enumerate(p.signals) if s.fact is None) for p in self.patterns
        ]
        self._runs: dict[tuple[int, frozenset[int] | None], tuple[tuple[int, Signal], ...]] = {}
        on_block = [s.regex for p in self.patterns for s in p.signals if s.field == "block"]
        on_block += [n.regex for p in self.patterns for n in p.negative if n.field == "block"]
        # what each regex did on the texts of a field, by those texts (on `block`, by line)
        self.memo = HitMemo(block=BlockHits(on_block))
        # a pattern none of whose signals fired: every signal missed, regex ones first
        self.none_fired = [
            tuple(s for s in p.signals if s.fact is None)
            + tuple(s for s in p.signals if s.fact is not None)
            for p in self.patterns
        ]

    def _run(self, index: int, recorded: frozenset[int] | None) -> tuple[tuple[int, Signal], ...]:
        """The regex signals of pattern `index` to run, in order: all but those on `any` that
        did not fire on the first failure of the key (`recorded`, when known)."""
        run = self._runs.get((index, recorded))
        if run is None:
            wanted = self.elsewhere[index] | (
                recorded if recorded is not None else self.on_any[index]
            )
            run = tuple((i, s) for i, s in self.regex_signals[index] if i in wanted)
            self._runs[(index, recorded)] = run
        return run

    def score_one(
        self,
        index: int,
        view: FailureView,
        ctx: FactContext,
        known: Known | None,
        *,
        cited: bool = True,
    ) -> Score:
        """`score` of pattern `index`, its `any` signals as `known` says when it does; not
        `cited`: its hits hold no quote of the log (`first_hit`)."""
        pattern = self.patterns[index]
        recorded = known.signals.get(index) if known is not None else None
        run = self._run(index, recorded)
        hits: list[Hit] = []
        fired: list[int] = []
        for i, signal in run:
            hit = memo_hit(signal, view, self.memo, cited=cited)
            if hit is not None:
                hits.append(hit)
                fired.append(i)
        if known is not None and recorded is None:
            known.signals[index] = frozenset(fired) & self.on_any[index]
        if not hits:
            return Score(pattern, 0.0, (), (), (), self.none_fired[index])
        missed = [s for i, s in self.regex_signals[index] if i not in fired]

        def negative_hit(i: int, negative: Negative) -> Hit | None:
            if known is None or negative.field != "any":
                return memo_hit(negative, view, self.memo, cited=cited)
            done = known.negatives.get((index, i))
            if done is False:
                return None
            hit = memo_hit(negative, view, self.memo, cited=cited)
            if done is None:
                known.negatives[(index, i)] = hit is not None
            return hit

        return _scored(pattern, view, ctx, hits, missed, negative_hit)


def _cause_hit(regex: KbRegex, view: FailureView) -> Evidence | None:
    if not view.may_match(regex, "everything"):
        return None
    for text in view.everything():
        if not regex.may_match(text.value):
            continue
        m = regex.search(text.value)
        if m:
            return Evidence(*view.cite(text, line_at(text.value, m.start()), m.group(0)))
    return None


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def merge_evidence(items: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """One entry per quoted line, its notes joined, in the order first quoted."""
    merged: dict[tuple[str, str], list[str]] = {}
    for e in items:
        notes = merged.setdefault((e.text, e.origin), [])
        if e.note and e.note not in notes:
            notes.append(e.note)
    return tuple(
        Evidence(text, origin, "; ".join(notes)) for (text, origin), notes in merged.items()
    )


def _fact_reason(pattern: Pattern, name: str, facts: dict[str, Any]) -> str:
    """Why a fact is true: a comparison spelled out with its operands, or the fact's value."""
    for fact in pattern.facts:
        if fact.name == name and fact.compare is not None:
            left, op, right = fact.compare
            lv = facts.get(left, left)
            rv = facts.get(right, right)
            return f"{left.replace('_', ' ')} {lv} {op} {right.replace('_', ' ')} {rv}"
    return f"{name.replace('_', ' ')}: {_fmt(facts[name])}"


def hypotheses(
    pattern: Pattern,
    view: FailureView,
    facts: dict[str, Any],
    fact_evidence: Sequence[Evidence] = (),
) -> tuple[Hypothesis, ...]:
    """Each candidate cause: confirmed by evidence in the log, ruled out by it, or untested."""
    out: list[Hypothesis] = []
    for cause in pattern.causes:
        against = _cause_hit(cause.against_regex, view) if cause.against_regex else None
        if against is not None:
            out.append(
                Hypothesis(cause.id, cause.text, "ruled-out", (against,), "the log shows otherwise")
            )
            continue
        support = _cause_hit(cause.evidence_regex, view) if cause.evidence_regex else None
        if support is not None:
            out.append(
                Hypothesis(cause.id, cause.text, "confirmed", (support,), "the log shows it")
            )
            continue
        if cause.evidence_fact is not None and facts.get(cause.evidence_fact):
            name = cause.evidence_fact
            shown = tuple(e for e in fact_evidence if e.note.startswith(f"{name} ="))
            reason = _fact_reason(pattern, name, facts)
            out.append(Hypothesis(cause.id, cause.text, "confirmed", shown, reason))
            continue
        if cause.hint_fact is not None and facts.get(cause.hint_fact):
            name = cause.hint_fact
            shown = tuple(e for e in fact_evidence if e.note.startswith(f"{name} ="))
            why = shown[0].text if shown else _fact_reason(pattern, name, facts)
            reason = f"{HINT}{why}; to tell: {cause.tell_apart}"
            out.append(Hypothesis(cause.id, cause.text, "untested", shown, reason))
            continue
        out.append(_no_evidence(cause))
    return tuple(out)


@functools.cache
def _no_evidence(cause: Cause) -> Hypothesis:
    """A cause the log says nothing about: one shared object, the same for every failure (a
    triage of thousands of failures held thousands of copies of the same sentence)."""
    return Hypothesis(
        cause.id,
        cause.text,
        "untested",
        (),
        f"no evidence for or against it in the log; to tell: {cause.tell_apart}",
    )


HINT = "not shown either way, but worth checking first: "


def likely_cause(hyps: Sequence[Hypothesis]) -> str:
    """The verdict on the candidates: the supported ones, or plainly that none is supported."""
    if not hyps:
        return ""
    confirmed = [h for h in hyps if h.status == "confirmed"]
    untested = [h for h in hyps if h.status == "untested"]
    if confirmed:
        first = confirmed[0]
        why = first.evidence[0].text if first.evidence else first.reason
        text = f"{first.title} (the log shows: {why})"
        if len(confirmed) > 1:
            text += "; also supported: " + "; ".join(h.title for h in confirmed[1:])
        if untested:
            text += f"; {len(untested)} other candidate(s) untested"
        return text
    verdict = (
        f"not determined from the log: none of the {len(hyps)} candidate causes has evidence "
        f"here ({len(untested)} untested, {len(hyps) - len(untested)} ruled out)"
    )
    hints = [h for h in untested if h.reason.startswith(HINT)]
    if hints:
        why = hints[0].reason.removeprefix(HINT).split("; to tell: ")[0]
        verdict += f"; worth checking first: {hints[0].title} ({why})"
    return verdict


def _present(value: Any) -> bool:
    return value is not None and value != [] and value != "" and value is not False


def render_template(template: str, facts: dict[str, Any]) -> str:
    """Fill a remediation template with facts.

    `{fact}` is the fact's value (a missing one reads `the fact`); `{fact|other|text}` the
    first present fact, else the last alternative as text; `{?fact:text}` keeps `text` only
    when the fact is present and true, `{!fact:text}` only when it is not.
    """
    return _render(parsed_template(template), facts)


def _render(parts: tuple[Part, ...], facts: dict[str, Any]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(_fill(part, facts) if "{" in part else part)
            continue
        sign, name, inner = part
        if _present(facts.get(name)) == (sign == "?"):
            out.append(_render(inner, facts))
    return "".join(out)


def _fill(text: str, facts: dict[str, Any]) -> str:
    def fill(m: re.Match[str]) -> str:
        name, fallback = m.group(1), m.group(2)
        alternatives = [name] + (fallback.split("|") if fallback is not None else [])
        for alt in alternatives:
            if _present(facts.get(alt)):
                return _fmt(facts[alt])
        if fallback is None:
            return "the " + name.replace("_", " ")
        return alternatives[-1]

    return FIELD.sub(fill, text)


_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")
MAX_RENDERED = 4096  # distinct renderings remembered; past them the memo starts again
_RENDERED: dict[tuple[str, tuple[str | None, ...]], str] = {}


@functools.cache
def _read_by(template: str) -> tuple[str, ...]:
    """Every name `template` looks up in the facts: each condition's, and each alternative of
    each `{fact|...}`, its last one (the text shown when none is present) too."""
    names: list[str] = []
    parts = list(parsed_template(template))
    while parts:
        part = parts.pop()
        if isinstance(part, str):
            for m in FIELD.finditer(part):
                names += [m.group(1), *(m.group(2).split("|") if m.group(2) is not None else ())]
        else:
            names.append(part[1])
            parts += part[2]
    return tuple(dict.fromkeys(names))


def remediation_text(template: str, facts: dict[str, Any]) -> str:
    """`render_template` with runs of spaces inside the text squeezed, once per template and
    what it shows of the facts: whether each name it reads is present, and its value as
    shown (`_fmt`): a diagnosis's remediation repeats over the failures of a pattern."""
    shown = tuple(
        _fmt(value) if _present(value := facts.get(name)) else None for name in _read_by(template)
    )
    found = _RENDERED.get((template, shown))
    if found is None:
        if len(_RENDERED) >= MAX_RENDERED:
            _RENDERED.clear()
        found = _RENDERED[(template, shown)] = _SPACES.sub(" ", render_template(template, facts))
    return found


def diagnose(best: Score, view: FailureView, ctx: FactContext) -> Diagnosis:
    """A Diagnosis from the winning score: evidence, facts, hypotheses, cause and remediation."""
    pattern = best.pattern
    if best.facts is not None:
        facts, fact_evidence = best.facts, list(best.fact_evidence)
    else:
        facts, fact_evidence = pattern_facts(pattern, view, ctx)
    raw = [
        Evidence(h.quote, h.origin, h.rule.why) for h in best.hits if h.rule.regex is not None
    ] + fact_evidence
    hyps = hypotheses(pattern, view, facts, fact_evidence)
    # what the signals it rests on cannot tell apart comes first: it bounds every cause
    caveats = [
        render_template(h.rule.caveat, facts)
        for h in best.hits
        if isinstance(h.rule, Signal) and h.rule.caveat
    ]
    return Diagnosis(
        pattern_id=pattern.id,
        pattern_number=pattern.number,
        title=pattern.title,
        confidence=best.confidence,
        evidence=merge_evidence(raw),
        facts=facts,
        cause="; ".join([*dict.fromkeys(caveats), likely_cause(hyps)]),
        remediation=remediation_text(pattern.remediation, facts),
        reproduce=pattern.reproduce,
        hypotheses=hyps,
    )


def shortfall(nearest: Score | None) -> Unclassified:
    """Unclassified, with the nearest pattern and why it fell short."""
    if nearest is None or (not nearest.hits):
        return Unclassified(None, 0.0, "no pattern's signals fire on this failure")
    p = nearest.pattern
    claims: dict[str, list[str]] = {}  # each quote's claims: two signals may read one line
    for h in nearest.hits:
        claims.setdefault(h.quote, []).append(h.rule.why)
    fired = "; ".join(f"{' and '.join(whys)} ({quote!r})" for quote, whys in claims.items())
    if nearest.vetoes:
        v = nearest.vetoes[0]
        why = f"{p.id} is set aside: {v.rule.why} ({v.quote!r}, {v.origin}); it had: {fired}"
    else:
        # a signal missed whose `why` a hit already shows is not wanting (two regexes of one
        # claim: a message saying no response came, a GenServer.call that timed out)
        shown = {h.rule.why for h in nearest.hits}
        missed = [s for s in nearest.missed if s.why not in shown]
        strongest = sorted(missed, key=lambda s: -s.weight)[:2]
        wanting = ", or ".join(f"that {s.why}" for s in strongest)  # each one missing
        why = (
            f"{p.id} scores {nearest.confidence:.2f}, under its threshold "
            f"{p.threshold:.2f}: only {fired}"
        )
        if nearest.penalties:
            why += "; lowered by " + "; ".join(h.rule.why for h in nearest.penalties)
        if wanting:
            why += f"; nothing shows {wanting}"
    return Unclassified(p.id, nearest.confidence, why)


def pick(scores: Iterable[Score]) -> tuple[Score | None, Score | None]:
    """The best qualifying score, and the nearest one (best overall) for an unclassified failure."""
    ordered = sorted(scores, key=lambda s: s.rank(), reverse=True)
    best = next((s for s in ordered if s.qualifies), None)
    nearest = next((s for s in ordered if s.hits), None)
    return best, nearest
