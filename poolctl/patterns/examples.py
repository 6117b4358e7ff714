"""Turn a pattern's `examples:` into `Failure` records (its semgrep-style rule tests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from poolctl.model import ContextLine, Failure
from poolctl.patterns.loader import Pattern
from poolctl.patterns.schema import ExampleSpec

Expect = Literal["match", "no_match"]


def to_failure(example: ExampleSpec, where: str = "example") -> Failure:
    """A Failure holding exactly the example's fields; context lines are numbered from 1."""
    return Failure(
        source=example.source,
        name=example.name,
        group=example.group,
        location=example.location,
        kind=example.kind,
        message=example.message,
        details=dict(example.details),
        stacktrace=tuple(example.stacktrace),
        context=tuple(ContextLine(i + 1, text) for i, text in enumerate(example.context)),
        input_file=where,
    )


def walk(pattern: Pattern) -> Iterator[tuple[Expect, int, ExampleSpec]]:
    """Every example of `pattern`: whether it must match, its index, and the example."""
    if pattern.examples is None:
        return
    for i, ex in enumerate(pattern.examples.match):
        yield "match", i, ex
    for i, ex in enumerate(pattern.examples.no_match):
        yield "no_match", i, ex
