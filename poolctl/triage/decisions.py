"""Which pattern claims a failure, remembered by everything that decides it.

A failure past the cap is only counted (`Classifier.pattern_of`); a kept one decided like one
before it is scored by the pattern that claims it alone, or by the nearest when none does
(`Classifier.outcome`: for its quotes and facts). The pattern that claims it and
the nearest one follow from which rules fire (their weights: nothing they quote), from what
`Known` remembers for its `any_key`, and from facts when a fired pattern extracts them. Failures
past the cap by the ten thousand say the same thing in the same words but for their `block`
(whose first line names the test) and the pids in what they say (`any`). So a decision is
remembered under a key that holds, exactly: the `any_key`; the texts of every other field a rule
reads; which regexes on `block` fire; which of the signals on `any` that `Known` still runs
(those that fired on the key's first failure) fire. These decide which patterns have a signal
that fired, and so which negative signals on `any` run: which of those fire completes the key.
The regexes in the key run on the failure itself, its lines and words being its own: the
decision then depends on nothing the key leaves out. Nothing is normalized. A failure whose
other fields' texts are new (a pid in a stack frame, a time in a context line) is looked up
again by which rules on those fields fire (`Decisions.rules_key`): they read nothing else, so
that key is as exact.

A pattern that fired and has fact signals (`fixture_owner`, `nearest_key`) extracts its facts,
which read the whole failure and the log around it: which of its fact signals fire completes the
key too, and a failure looks the decision up with its own facts, extracted for the lookup and
kept for its scoring and diagnosis (`classifier.pattern_facts`), never another failure's.

Remembered only once `Known` holds every pattern's signals for the key (the key's first failure
runs them all), when no pattern raised, and when every regex is on RE2, the facts' regexes of
the patterns whose facts decide included (a fallback `re` regex has a time budget of the
failure's own).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from poolctl.patterns.loader import Negative, Pattern, Signal
from poolctl.triage.classifier import Known, Score, fact_fires, memo_hit, pattern_facts
from poolctl.triage.facts import FactContext
from poolctl.triage.fields import FailureView
from poolctl.triage.hits import MAX_CHARS, HitMemo

Decision = tuple[str | None, str]  # the claiming pattern (None: unclassified), the nearest one
Key = tuple[str, tuple[tuple[str, ...], ...], tuple[bool, ...]]
RulesKey = tuple[str, tuple[bool, ...], tuple[bool, ...]]  # see `Decisions.rules_key`
Rules = tuple[Signal | Negative, ...]


class _Taken:
    """The decisions under one key: the negative signals on `any` that ran, the patterns whose
    facts were extracted, and by which of those negatives and fact signals fired, the decision."""

    def __init__(self, negatives: Rules, facted: tuple[Pattern, ...]) -> None:
        self.negatives = negatives
        self.facted = facted
        self.by_fired: dict[tuple[tuple[bool, ...], tuple[bool, ...]], Decision] = {}


class Decisions:
    """The decisions taken, by what decided them (`key`)."""

    def __init__(self, patterns: Sequence[Pattern], max_chars: int = MAX_CHARS) -> None:
        rules: list[Signal | Negative] = []
        for pattern in patterns:
            rules += [r for r in pattern.signals if r.regex is not None]
            rules += pattern.negative
        self.enabled = all(getattr(r.regex, "engine", "") == "re2" for r in rules)
        # by pattern (its id()): whether all its facts' regexes are on RE2
        self._facts_on_re2 = {
            id(p): all(
                getattr(regex, "engine", "") == "re2"
                for fact in p.facts
                for regex in (fact.regex, fact.unless)
                if regex is not None
            )
            for p in patterns
        }
        self.fields = tuple(sorted({r.field for r in rules} - {"block", "any"}))
        self.patterns = tuple(patterns)
        self.on_block = _one_per_regex(r for r in rules if r.field == "block")
        self.on_fields = _one_per_regex(r for r in rules if r.field in self.fields)
        self._on_any: dict[int, Rules] = {}  # by `Known`: the signals on `any` it runs
        self._taken: dict[Key, _Taken] = {}
        self._by_rules: dict[RulesKey, _Taken] = {}  # the same, by `rules_key`
        self._chars = 0
        self._max_chars = max_chars

    def key(self, view: FailureView, any_key: str, known: Known, memo: HitMemo) -> Key | None:
        """What decides `view`'s failure, exactly (None: nothing is remembered)."""
        if not self.enabled or len(known.signals) < len(self.patterns):
            return None
        texts = tuple(tuple(t.value for t in view.texts(field)) for field in self.fields)
        return (any_key, texts, _fired(self.on_block + self._any_rules(known), view, memo))

    def _any_rules(self, known: Known) -> Rules:
        """The signals on `any` that run on a failure of `known`'s key."""
        found = self._on_any.get(id(known))  # a `Known` lives as long as its classifier
        if found is None:
            recorded = (
                p.signals[i] for n, p in enumerate(self.patterns) for i in sorted(known.signals[n])
            )
            found = self._on_any[id(known)] = _one_per_regex(recorded)
        return found

    def rules_key(self, key: Key, view: FailureView, memo: HitMemo) -> RulesKey:
        """`key` with which rules on the other fields fire in place of their texts: as exact
        (those rules read nothing else), for a failure whose texts differ from every one before
        it by a pid in a stack frame or a time in a context line."""
        return (key[0], _fired(self.on_fields, view, memo), key[2])

    def get(
        self, key: Key | None, view: FailureView, memo: HitMemo, ctx: FactContext
    ) -> Decision | None:
        if key is None:
            return None
        taken = self._taken.get(key)
        if taken is None:
            taken = self._by_rules.get(self.rules_key(key, view, memo))
            if taken is None:
                return None
            self._keep(key, taken)
        try:
            facts = _facts_fired(taken.facted, view, ctx)
        except Exception:  # scoring every pattern says which pattern raised, as it always did
            return None
        return taken.by_fired.get((_fired(taken.negatives, view, memo), facts))

    def _keep(self, key: Key, taken: _Taken) -> None:
        size = len(key[0]) + sum(len(value) for texts in key[1] for value in texts)
        if self._chars + size > self._max_chars:  # bounded memory: forget, start again
            self._taken.clear()
            self._by_rules.clear()
            self._chars = 0
        self._taken[key] = taken
        self._chars += size

    def remember(
        self,
        key: Key | None,
        decision: Decision,
        scores: Sequence[Score],
        view: FailureView,
        memo: HitMemo,
    ) -> None:
        """Keep `decision` (see the module's docstring for when)."""
        if key is None or len(scores) < len(self.patterns):
            return
        facted = tuple(s.pattern for s in scores if s.facts is not None)
        if not all(self._facts_on_re2[id(p)] for p in facted):
            return
        taken = self._taken.get(key)
        if taken is not None and tuple(map(id, taken.facted)) != tuple(map(id, facted)):
            return  # the same key fires the same patterns: a pattern set changed under it
        if taken is None:
            by_rules = self.rules_key(key, view, memo)
            taken = self._by_rules.get(by_rules)
            if taken is None:
                ran = (n for s in scores if s.hits for n in s.pattern.negative if n.field == "any")
                taken = _Taken(_one_per_regex(ran), facted)
            self._keep(key, taken)
            self._by_rules[by_rules] = taken
        facts = tuple(
            fact_fires(signal, s.facts)
            for s in scores
            if s.facts is not None
            for signal in s.pattern.signals
            if signal.fact is not None
        )
        taken.by_fired[(_fired(taken.negatives, view, memo), facts)] = decision


def _fired(rules: Rules, view: FailureView, memo: HitMemo) -> tuple[bool, ...]:
    return tuple(memo_hit(r, view, memo, cited=False) is not None for r in rules)


def _facts_fired(
    patterns: Sequence[Pattern], view: FailureView, ctx: FactContext
) -> tuple[bool, ...]:
    """Which fact signals of `patterns` fire on the failure's own facts, in order."""
    out: list[bool] = []
    for pattern in patterns:
        facts = pattern_facts(pattern, view, ctx)[0]
        out += [fact_fires(s, facts) for s in pattern.signals if s.fact is not None]
    return tuple(out)


def _one_per_regex(rules: Iterable[Signal | Negative]) -> Rules:
    """The first rule of each regex: the same regex on the same field fires alike."""
    first: dict[object, Signal | Negative] = {}
    for rule in rules:
        first.setdefault((rule.regex, rule.field), rule)
    return tuple(first.values())
