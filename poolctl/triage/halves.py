"""A large triage's failures classified in two halves, the second on the machine's other CPU.

Classifying the kept failures (scoring every pattern, the winner's facts and diagnosis) is a
third of a large triage's time, on one core. With `MIN_FAILURES` failures or more and a second
CPU (`poolctl.forked.can_fork`), a forked copy of the triage classifies the second half while
the triage classifies the first; the child hands back its outcomes and the pattern errors it
met, pickled in a file. Each failure's outcome depends on the failure, the log's context and
the patterns only (what the classifier remembers is what it would compute again): the halves'
outcomes are those of one pass. The errors are merged as one pass would have met them: the
first half's, then the second's. A child that fails, for whatever reason, leaves its half to
the triage.

What the classifier learns on the first failure of a classification key (`normalize.any_key`:
the rules on `any` that fire, the other fields' regex outcomes, the regexes compiled) costs
more than classifying the failures after it. A key both halves hold is learnt once, before the
fork, on its first failure (`_learn`): the child inherits it instead of learning it again.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from poolctl.forked import Forked, can_fork
from poolctl.model import Diagnosis, Failure, Unclassified
from poolctl.triage.facts import FactContext
from poolctl.triage.fields import FailureView
from poolctl.triage.locate import BlockLines
from poolctl.triage.normalize import any_key

if TYPE_CHECKING:
    from poolctl.triage.engine import Classifier

# below this many failures a fork and the pickling cost more than the half they take
MIN_FAILURES = 400

Outcome = Diagnosis | Unclassified


def _classify(
    classifier: Classifier,
    failures: Sequence[Failure],
    keys: Sequence[str],
    blocks: BlockLines,
    ctx: FactContext,
) -> list[Outcome]:
    return [
        classifier.outcome(FailureView(failure, blocks), ctx, key)
        for failure, key in zip(failures, keys, strict=True)
    ]


def _learn(
    classifier: Classifier,
    failures: Sequence[Failure],
    keys: Sequence[str],
    blocks: BlockLines,
    ctx: FactContext,
    half: int,
) -> None:
    """Classify the first failure of each key the second half shares with the first, for what
    the classifier remembers of it: its outcome is dropped (it is classified again in its turn,
    with the same outcome) and so are the pattern errors met (met again then, in order)."""
    shared = set(keys[:half]) & set(keys[half:])
    errors = classifier.errors.by_pattern
    kept = {pattern_id: list(where) for pattern_id, where in errors.items()}
    for failure, key in zip(failures[:half], keys[:half], strict=True):
        if key in shared:
            shared.discard(key)
            classifier.outcome(FailureView(failure, blocks), ctx, key)
    classifier.errors.by_pattern = kept


def _second_half(
    classifier: Classifier,
    failures: Sequence[Failure],
    keys: Sequence[str],
    blocks: BlockLines,
    ctx: FactContext,
    out: IO[bytes],
) -> None:
    """The child's work: the outcomes, and the errors added meanwhile (by pattern, in order)."""
    errors = classifier.errors.by_pattern
    before = {pattern_id: len(where) for pattern_id, where in errors.items()}
    outcomes = _classify(classifier, failures, keys, blocks, ctx)
    added = {
        pattern_id: where[before.get(pattern_id, 0) :]
        for pattern_id, where in errors.items()
        if len(where) > before.get(pattern_id, 0)
    }
    pickle.dump((outcomes, added), out, pickle.HIGHEST_PROTOCOL)


def outcomes(
    classifier: Classifier,
    failures: Sequence[Failure],
    signed: Sequence[str],
    blocks: BlockLines,
    ctx: FactContext,
    *,
    forks: bool,
) -> list[Outcome]:
    """Each failure's outcome, in order; the pattern errors in `classifier.errors`. With
    `forks` (poolctl the program), the second half of many in a forked process."""
    keys = [any_key(failure, sig) for failure, sig in zip(failures, signed, strict=True)]
    if not forks or len(failures) < MIN_FAILURES or not can_fork():
        return _classify(classifier, failures, keys, blocks, ctx)
    half = len(failures) // 2
    rest, rest_keys = failures[half:], keys[half:]
    _learn(classifier, failures, keys, blocks, ctx, half)
    with Forked() as forked:
        forked.start(lambda out: _second_half(classifier, rest, rest_keys, blocks, ctx, out))
        first = _classify(classifier, failures[:half], keys[:half], blocks, ctx)
        file = forked.wait()
        try:
            second, added = pickle.load(file) if file is not None else (None, {})
        except (EOFError, pickle.UnpicklingError):
            second, added = None, {}
    if second is None:  # the child did not finish: its half is classified here
        return first + _classify(classifier, rest, rest_keys, blocks, ctx)
    for pattern_id, where in added.items():
        classifier.errors.by_pattern.setdefault(pattern_id, []).extend(where)
    return first + list(second)
