"""Load the knowledge base: the builtin pattern files, then `--patterns DIR` overriding by id.

Each file is read by `poolctl.yamlfile` (safe loader, parsed once); a file that does not fit the
schema is a `PatternError` naming the file, the line and the key path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from poolctl.errors import InputError
from poolctl.patterns.schema import (
    COMPARE_RE,
    CauseSpec,
    ExamplesSpec,
    FactSpec,
    NegativeSpec,
    PatternSpec,
    SignalSpec,
)
from poolctl.yamlfile import load_yaml, validate


class PatternError(InputError):
    """A pattern file or folder that cannot be loaded."""


@dataclass(frozen=True)
class Signal:
    """A compiled signal: a `regex` on `field`, or a `fact` that must be found."""

    field: str
    regex: re.Pattern[str] | None
    weight: float
    why: str
    fact: str | None = None

    @classmethod
    def of(cls, spec: SignalSpec) -> Signal:
        regex = re.compile(spec.regex) if spec.regex is not None else None
        return cls(spec.field, regex, spec.weight, spec.why, spec.fact)


@dataclass(frozen=True)
class Negative:
    """A compiled negative signal: a veto, or a penalty of `weight`."""

    field: str
    regex: re.Pattern[str]
    veto: bool
    weight: float
    why: str

    @classmethod
    def of(cls, spec: NegativeSpec) -> Negative:
        return cls(spec.field, re.compile(spec.regex), spec.veto, spec.weight, spec.why)


@dataclass(frozen=True)
class Fact:
    """A compiled fact extractor (see `FactSpec`)."""

    name: str
    field: str
    regex: re.Pattern[str] | None
    group: str
    aggregate: str
    transform: str | None
    compare: tuple[str, str, str] | None
    builtin: str | None
    format: str | None = None

    @classmethod
    def of(cls, spec: FactSpec) -> Fact:
        compare = None
        if spec.compare is not None:
            m = COMPARE_RE.match(spec.compare)
            assert m is not None
            compare = (m.group(1), m.group(2), m.group(3))
        return cls(
            name=spec.name,
            field=spec.field,
            regex=re.compile(spec.regex) if spec.regex is not None else None,
            group=spec.group or spec.name,
            aggregate=spec.aggregate,
            transform=spec.transform,
            compare=compare,
            builtin=spec.builtin,
            format=spec.format,
        )


@dataclass(frozen=True)
class Cause:
    """A compiled candidate cause."""

    id: str
    text: str
    tell_apart: str
    evidence_regex: re.Pattern[str] | None
    evidence_fact: str | None
    against_regex: re.Pattern[str] | None
    hint_fact: str | None = None
    title: str = ""

    @classmethod
    def of(cls, spec: CauseSpec) -> Cause:
        return cls(
            id=spec.id,
            title=spec.title.strip(),
            text=spec.text.strip(),
            tell_apart=spec.tell_apart.strip(),
            evidence_regex=re.compile(spec.evidence_regex) if spec.evidence_regex else None,
            evidence_fact=spec.evidence_fact,
            against_regex=re.compile(spec.against_regex) if spec.against_regex else None,
            hint_fact=spec.hint_fact,
        )


@dataclass(frozen=True)
class Pattern:
    """One knowledge-base entry, compiled and ready for the classifier."""

    id: str
    number: int
    title: str
    summary: str
    rationale: str
    example: str
    threshold: float
    signals: tuple[Signal, ...]
    negative: tuple[Negative, ...]
    facts: tuple[Fact, ...]
    causes: tuple[Cause, ...]
    remediation: str
    reproduce: str
    examples: ExamplesSpec | None
    path: str  # the file it came from

    @classmethod
    def of(cls, spec: PatternSpec, path: str) -> Pattern:
        return cls(
            id=spec.id,
            number=spec.number,
            title=spec.title,
            summary=spec.summary.strip(),
            rationale=spec.rationale.strip(),
            example=spec.example.rstrip(),
            threshold=spec.threshold,
            signals=tuple(Signal.of(s) for s in spec.signals),
            negative=tuple(Negative.of(n) for n in spec.negative),
            facts=tuple(Fact.of(f) for f in spec.facts),
            causes=tuple(Cause.of(c) for c in spec.causes),
            remediation=spec.remediation.strip(),
            reproduce=spec.reproduce,
            examples=spec.examples,
            path=path,
        )

    def regexes(self) -> Iterator[str]:
        """Every positive signal's regex source (the benchmark's grep baseline uses them)."""
        for s in self.signals:
            if s.regex is not None:
                yield s.regex.pattern


@dataclass(frozen=True)
class PatternSet:
    """The knowledge base: patterns by id, iterated in number order."""

    patterns: tuple[Pattern, ...]
    sources: tuple[str, ...] = field(default=())  # folders read, builtin first

    def __iter__(self) -> Iterator[Pattern]:
        return iter(self.patterns)

    def __len__(self) -> int:
        return len(self.patterns)

    def get(self, pattern_id: str) -> Pattern:
        """The pattern with this id or number (`3`, `p3`, `checkout-timeout-waiters`)."""
        wanted = pattern_id.lower().removeprefix("p")
        for p in self.patterns:
            if pattern_id == p.id or wanted == str(p.number):
                return p
        known = ", ".join(f"{p.number} {p.id}" for p in self.patterns)
        raise PatternError(f"no pattern {pattern_id!r} (known: {known})")


def builtin_dir() -> Path:
    """The folder of the patterns shipped in the package."""
    return Path(str(resources.files("poolctl.patterns") / "builtin"))


def load_file(path: Path) -> Pattern:
    """Read and validate one pattern file (parsed once; errors name file:line and key path)."""
    doc = load_yaml(path, PatternError)
    if not isinstance(doc.data, dict):
        raise doc.error((), "a pattern file must be a YAML mapping")
    spec = validate(doc, PatternSpec)
    problems = spec.reference_errors()
    if problems:
        where_in, msg = problems[0]
        raise doc.error(where_in, msg)
    return Pattern.of(spec, str(path))


def _read_dir(folder: Path) -> list[Pattern]:
    if not folder.is_dir():
        raise PatternError("not a folder of pattern files", where=str(folder))
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not files:
        raise PatternError("no *.yaml pattern files in this folder", where=str(folder))
    return [load_file(f) for f in files]


def load_patterns(extra: Iterable[str | Path] = (), *, builtin: bool = True) -> PatternSet:
    """The builtin patterns, then each folder in `extra` adding patterns or overriding by id."""
    by_id: dict[str, Pattern] = {}
    sources: list[str] = []
    folders = ([builtin_dir()] if builtin else []) + [Path(d) for d in extra]
    for folder in folders:
        sources.append(str(folder))
        seen_here: dict[str, str] = {}
        for pattern in _read_dir(folder):
            if pattern.id in seen_here:
                raise PatternError(
                    f"pattern id {pattern.id!r} is also defined in {seen_here[pattern.id]}",
                    where=pattern.path,
                )
            seen_here[pattern.id] = pattern.path
            by_id[pattern.id] = pattern
    numbers: dict[int, str] = {}
    for p in by_id.values():
        if p.number in numbers:
            raise PatternError(
                f"pattern number {p.number} is used by both {numbers[p.number]!r} and {p.id!r}",
                where=p.path,
            )
        numbers[p.number] = p.id
    ordered = tuple(sorted(by_id.values(), key=lambda p: p.number))
    return PatternSet(ordered, tuple(sources))


@functools.cache
def builtin_patterns() -> PatternSet:
    """The builtin knowledge base, read once per process (it is immutable)."""
    return load_patterns()
