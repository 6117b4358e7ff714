"""The negative signals a knowledge base shares: a pattern folder's `_shared.yaml`.

A signal that holds for every pattern alike (the test's code compares with a literal it wrote,
so the words the signals read there are the test's own, not the worker's) is written once, in
`_shared.yaml`, instead of in each pattern file. Every pattern of the knowledge base takes the
shared negative signals of every folder read (the builtin one first, then each `--patterns`
folder, a later entry replacing an earlier one of the same id), ahead of its own, unless it
names one in `skip_shared`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from poolctl.patterns.loader import Negative, Pattern, PatternError, engine_notes, read_spec


@dataclass(frozen=True)
class Shared:
    """The compiled `_shared.yaml` of one folder."""

    path: str
    negative: tuple[Negative, ...]  # each names its entry's id in `shared`
    engine_notes: tuple[str, ...] = ()


def compile_shared(path: str) -> Shared:
    """Validate and compile a `_shared.yaml` (errors name file:line and key path)."""
    from poolctl.patterns.schema import SharedSpec

    doc, spec = read_spec(path, SharedSpec, "a _shared.yaml file")
    negative = tuple(dataclasses.replace(Negative.of(n), shared=n.id) for n in spec.negative)
    regexes = ((("negative", i, "regex"), n.regex) for i, n in enumerate(negative))
    return Shared(path, negative, tuple(engine_notes("shared", regexes, doc)))


def with_shared(patterns: Iterable[Pattern], shared: Sequence[Shared]) -> list[Pattern]:
    """Each pattern with the shared negative signals it does not skip, ahead of its own; a
    skipped id that no `_shared.yaml` holds is an error at the pattern's `skip_shared` line."""
    by_id: dict[str, Negative] = {}
    for one in shared:
        for negative in one.negative:
            by_id[negative.shared] = negative  # a later folder's replaces, in the same place
    out: list[Pattern] = []
    for p in patterns:
        unknown = [name for name in p.skip_shared if name not in by_id]
        if unknown:
            known = ", ".join(by_id) or "none"
            raise PatternError(
                f"skip_shared: no shared negative signal {unknown[0]!r} (known: {known})",
                where=f"{p.path}:{p.skip_shared_line}",
            )
        taken = tuple(n for name, n in by_id.items() if name not in p.skip_shared)
        out.append(dataclasses.replace(p, negative=taken + p.negative) if taken else p)
    return out
