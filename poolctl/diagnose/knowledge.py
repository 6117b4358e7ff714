"""The engine's side of the knowledge base: which pattern it diagnoses, and the titles.

The engine names no pattern: the one it diagnoses is the pattern whose `causes:` are the
registered hypotheses (pattern 1 in the builtin YAML). Its id, number and
title, each hypothesis' title and the order the verdict prefers them come from that YAML. A
user `--patterns DIR` may override the pattern's texts; the builtin one fills what it leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass

from poolctl.patterns.loader import Pattern, PatternError, PatternSet, builtin_patterns

from .hypotheses import registered
from .judgement import Judge


@dataclass(frozen=True)
class Registered:
    """One hypothesis as the engine runs it: its cause id, its title, its judge."""

    id: str
    title: str
    judge: Judge


def _cause_ids(pattern: Pattern) -> set[str]:
    return {c.id for c in pattern.causes}


def _home(patterns: PatternSet) -> Pattern:
    """The pattern sharing the most cause ids with the registered hypotheses."""
    ids = set(registered())
    best = max(patterns, key=lambda p: len(ids & _cause_ids(p)))
    if not ids & _cause_ids(best):
        raise LookupError(
            f"no pattern lists the engine's hypotheses ({', '.join(sorted(ids))}) as its causes"
        )
    return best


def no_answer_pattern(patterns: PatternSet | None = None) -> Pattern:
    """The pattern of a worker that started but never answered, from `patterns` (a user's
    folder may override its texts) or the builtin knowledge base."""
    home = _home(builtin_patterns())
    if patterns is None:
        return home
    try:
        return patterns.get(home.id)
    except PatternError:
        return home


def hypotheses(pattern: Pattern) -> list[Registered]:
    """Every registered hypothesis, in the order of the pattern's causes, with its title.

    A cause the given pattern lacks takes its title from the builtin pattern; a hypothesis no
    pattern lists comes last, titled by its id (a test forbids both in the builtin YAML).
    """
    judges = registered()
    builtin = _home(builtin_patterns())
    order = [c.id for c in pattern.causes] + [c.id for c in builtin.causes]
    rank = {cid: i for i, cid in reversed(list(enumerate(order)))}
    titles = {c.id: c.title for c in builtin.causes if c.title}
    titles.update({c.id: c.title for c in pattern.causes if c.title})
    ordered = sorted(judges, key=lambda cid: rank.get(cid, len(order)))
    return [Registered(cid, titles.get(cid, cid), judges[cid]) for cid in ordered]


__all__ = ["Registered", "builtin_patterns", "hypotheses", "no_answer_pattern"]
