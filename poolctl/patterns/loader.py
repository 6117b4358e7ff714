"""Load the knowledge base: the builtin pattern files, then `--patterns DIR` overriding by id.

A folder's `_shared.yaml` is no pattern: its negative signals are taken by every pattern of
the knowledge base (`poolctl.patterns.shared`).

Each file is read by `poolctl.yamlfile` (safe loader, libyaml where installed) and compiled once
per process: a file read again with the same content is the same `Pattern`. A file that does
not fit the schema is a `PatternError` naming the file, the line and the key path. Regexes run
on RE2 (`poolctl.patterns.regex`); one RE2 refuses is named in `Pattern.engine_notes`, with the
file, the line and the reason, and runs on Python's re within a time budget.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from poolctl.errors import InputError
from poolctl.patterns import cache
from poolctl.patterns.regex import BUDGET, KbRegex, compile_regex
from poolctl.yamlbytes import read_document

if TYPE_CHECKING:  # the schema (pydantic) is imported only to compile a file the cache lacks
    from poolctl.patterns.schema import (
        CauseSpec,
        CheckedSpec,
        ExamplesSpec,
        FactSpec,
        NegativeSpec,
        PatternSpec,
        SignalSpec,
    )
    from poolctl.patterns.shared import Shared
    from poolctl.yamlfile import YamlDocument

S = TypeVar("S", bound="CheckedSpec")

SHARED_FILE = "_shared.yaml"  # a folder's negative signals that every pattern takes


class PatternError(InputError):
    """A pattern file or folder that cannot be loaded."""


@dataclass(frozen=True)
class Signal:
    """A compiled signal: a `regex` on `field`, or a `fact` that must be found."""

    field: str
    regex: KbRegex | None
    weight: float
    why: str
    fact: str | None = None
    caveat: str | None = None  # said in the diagnosis when the signal fired

    @classmethod
    def of(cls, spec: SignalSpec) -> Signal:
        regex = compile_regex(spec.regex) if spec.regex is not None else None
        caveat = " ".join(spec.caveat.split()) if spec.caveat else None
        return cls(spec.field, regex, spec.weight, spec.why, spec.fact, caveat)


@dataclass(frozen=True)
class Negative:
    """A compiled negative signal: a veto, or a penalty of `weight`."""

    field: str
    regex: KbRegex
    veto: bool
    weight: float
    why: str
    shared: str = ""  # the id of the `_shared.yaml` entry it comes from ("": the pattern's own)

    @classmethod
    def of(cls, spec: NegativeSpec) -> Negative:
        return cls(spec.field, compile_regex(spec.regex), spec.veto, spec.weight, spec.why)


@dataclass(frozen=True)
class Fact:
    """A compiled fact extractor (see `FactSpec`)."""

    name: str
    field: str
    regex: KbRegex | None
    group: str
    aggregate: str
    transform: str | None
    compare: tuple[str, str, str] | None
    builtin: str | None
    format: str | None = None
    unless: KbRegex | None = None  # a match on a line this matches is passed over

    @classmethod
    def of(cls, spec: FactSpec) -> Fact:
        from poolctl.patterns.schema import COMPARE_RE

        compare = None
        if spec.compare is not None:
            m = COMPARE_RE.match(spec.compare)
            assert m is not None
            compare = (m.group(1), m.group(2), m.group(3))
        return cls(
            name=spec.name,
            field=spec.field,
            regex=compile_regex(spec.regex) if spec.regex is not None else None,
            group=spec.group or spec.name,
            aggregate=spec.aggregate,
            transform=spec.transform,
            compare=compare,
            builtin=spec.builtin,
            format=spec.format,
            unless=compile_regex(spec.unless) if spec.unless is not None else None,
        )


@dataclass(frozen=True)
class Cause:
    """A compiled candidate cause."""

    id: str
    text: str
    tell_apart: str
    evidence_regex: KbRegex | None
    evidence_fact: str | None
    against_regex: KbRegex | None
    hint_fact: str | None = None
    title: str = ""

    @classmethod
    def of(cls, spec: CauseSpec) -> Cause:
        return cls(
            id=spec.id,
            title=spec.title.strip(),
            text=spec.text.strip(),
            tell_apart=spec.tell_apart.strip(),
            evidence_regex=compile_regex(spec.evidence_regex) if spec.evidence_regex else None,
            evidence_fact=spec.evidence_fact,
            against_regex=compile_regex(spec.against_regex) if spec.against_regex else None,
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
    examples_data: dict[str, Any] | None  # the `examples:` as validated, in plain data
    path: str  # the file it came from
    # `file:line: key: ...` for each regex RE2 refuses (it runs on Python's re, within a budget)
    engine_notes: tuple[str, ...] = ()
    id_line: int = 0  # the lines of its `id:` and `number:` keys, to name a clash with another
    number_line: int = 0
    skip_shared: tuple[str, ...] = ()  # the shared negative signals it leaves out, by id
    skip_shared_line: int = 0

    @functools.cached_property
    def examples(self) -> ExamplesSpec | None:
        """The pattern's rule tests, as models when first asked for (a triage never asks)."""
        if self.examples_data is None:
            return None
        from poolctl.patterns.schema import ExamplesSpec

        return ExamplesSpec.model_validate(self.examples_data)

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
            examples_data=spec.examples.model_dump() if spec.examples is not None else None,
            path=path,
            skip_shared=tuple(spec.skip_shared),
        )

    def regexes(self) -> Iterator[tuple[tuple[str | int, ...], KbRegex]]:
        """Every regex of the pattern with its key path in the file (`signals`, 2, `regex`)."""
        for i, s in enumerate(self.signals):
            if s.regex is not None:
                yield ("signals", i, "regex"), s.regex
        own = (n for n in self.negative if not n.shared)
        for i, n in enumerate(own):
            yield ("negative", i, "regex"), n.regex
        for n in self.negative:
            if n.shared:  # where it is written: `_shared.yaml`'s entry of this id
                yield ("shared", n.shared, "regex"), n.regex
        for i, f in enumerate(self.facts):
            if f.regex is not None:
                yield ("facts", i, "regex"), f.regex
            if f.unless is not None:
                yield ("facts", i, "unless"), f.unless
        for i, c in enumerate(self.causes):
            for key, regex in (
                ("evidence_regex", c.evidence_regex),
                ("against_regex", c.against_regex),
            ):
                if regex is not None:
                    yield ("causes", i, key), regex


@dataclass(frozen=True)
class PatternSet:
    """The knowledge base: patterns by id, iterated in number order."""

    patterns: tuple[Pattern, ...]
    sources: tuple[str, ...] = field(default=())  # folders read, builtin first
    shared_notes: tuple[str, ...] = ()  # the engine notes of the `_shared.yaml` files read

    def __iter__(self) -> Iterator[Pattern]:
        return iter(self.patterns)

    def __len__(self) -> int:
        return len(self.patterns)

    def engine_notes(self, *, builtin: bool = False) -> list[str]:
        """The notes of the regexes RE2 refuses (of the user's patterns only, unless `builtin`)."""
        home = str(builtin_dir())
        own = [
            note
            for p in self.patterns
            if builtin or not p.path.startswith(home)
            for note in p.engine_notes
        ]
        return own + [n for n in self.shared_notes if builtin or not n.startswith(home)]

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
    """Read and validate one pattern file (errors name file:line and key path); compiled once
    per process for the same content."""
    compiled = _compiled(str(path), read_document(path, PatternError))
    assert isinstance(compiled, Pattern)
    return compiled


def load_shared(path: Path) -> Shared:
    """Read and validate a folder's `_shared.yaml`, compiled once per process as a pattern is."""
    from poolctl.patterns.shared import Shared

    compiled = _compiled(str(path), read_document(path, PatternError))
    assert isinstance(compiled, Shared)
    return compiled


@functools.lru_cache(maxsize=256)
def _compiled(path: str, content: bytes) -> Pattern | Shared:
    """The pattern (or shared signals) in `path`, whose bytes are `content` (the cache key: an
    edited file is new), from the disk cache when an earlier run compiled the same file."""
    from poolctl.patterns.shared import Shared, compile_shared

    found = cache.get(path, content)
    if isinstance(found, (Pattern, Shared)):
        return found
    compiled = compile_shared(path) if Path(path).name == SHARED_FILE else _compile(path, content)
    cache.put(path, content, compiled)
    return compiled


def _compile(path: str, content: bytes) -> Pattern:
    from poolctl.patterns.schema import PatternSpec

    doc, spec = read_spec(path, PatternSpec, "a pattern file")
    pattern = Pattern.of(spec, path)
    return dataclasses.replace(
        pattern,
        engine_notes=tuple(engine_notes(f"pattern {pattern.id}", pattern.regexes(), doc)),
        id_line=doc.line_of(("id",)),
        number_line=doc.line_of(("number",)),
        skip_shared_line=doc.line_of(("skip_shared",)),
    )


def load_yaml(path: Path, error_type: type[InputError]) -> YamlDocument:
    """The parsed file (`poolctl.yamlfile.load_yaml`): the YAML parser is imported only for a
    file the cache does not hold compiled."""
    from poolctl import yamlfile

    return yamlfile.load_yaml(path, error_type)


def read_spec(path: str, model: type[S], what: str) -> tuple[YamlDocument, S]:
    """The file at `path` as a `model`, its names that point nowhere refused; every error
    names the file, the line and the key path."""
    from poolctl.yamlfile import validate

    doc = load_yaml(Path(path), PatternError)
    if not isinstance(doc.data, dict):
        raise doc.error((), f"{what} must be a YAML mapping")
    spec = validate(doc, model)
    problems = spec.reference_errors()
    if problems:
        where_in, msg = problems[0]
        raise doc.error(where_in, msg)
    return doc, spec


def engine_notes(
    owner: str, regexes: Iterable[tuple[tuple[str | int, ...], KbRegex]], doc: YamlDocument
) -> Iterator[str]:
    """A note for each regex RE2 refuses, naming the file, the line and the key path."""
    from poolctl.yamlfile import key_path

    for loc, regex in regexes:
        if regex.engine != "re2":
            line = doc.line_of(loc)
            yield (
                f"{doc.path}:{line}: {owner}: {key_path(loc)}: RE2 cannot run it "
                f"({regex.fallback}); it runs on Python's re, at most {BUDGET * 1000:.0f} ms a "
                "failure"
            )


def _read_dir(folder: Path) -> tuple[list[Pattern], Shared | None]:
    """The patterns of a folder, and its shared negative signals if it has `_shared.yaml`."""
    if not folder.exists():
        raise PatternError(
            "does not exist (a folder of pattern files is expected)", where=str(folder)
        )
    if not folder.is_dir():
        raise PatternError("not a folder of pattern files", where=str(folder))
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not files:
        raise PatternError("no *.yaml pattern files in this folder", where=str(folder))
    shared = folder / SHARED_FILE
    patterns = [load_file(f) for f in files if f.name != SHARED_FILE]
    return patterns, load_shared(shared) if shared.is_file() else None


def load_patterns(extra: Iterable[str | Path] = (), *, builtin: bool = True) -> PatternSet:
    """The builtin patterns, then each folder in `extra` adding patterns or overriding by id;
    every pattern takes the shared negative signals of every folder read."""
    from poolctl.patterns.shared import with_shared

    by_id: dict[str, Pattern] = {}
    sources: list[str] = []
    shared: list[Shared] = []
    folders = ([builtin_dir()] if builtin else []) + [Path(d) for d in extra]
    for folder in folders:
        sources.append(str(folder))
        seen_here: dict[str, Pattern] = {}
        patterns, shared_here = _read_dir(folder)
        shared += [shared_here] if shared_here is not None else []
        for pattern in patterns:
            first = seen_here.get(pattern.id)
            if first is not None:
                raise PatternError(
                    f"pattern id {pattern.id!r} is also defined at {first.path}:{first.id_line}",
                    where=f"{pattern.path}:{pattern.id_line}",
                )
            seen_here[pattern.id] = pattern
            by_id[pattern.id] = pattern
    numbers: dict[int, Pattern] = {}
    for p in by_id.values():
        first = numbers.get(p.number)
        if first is not None:
            raise PatternError(
                f"pattern number {p.number} is used by both {first.id!r} "
                f"({first.path}:{first.number_line}) and {p.id!r}",
                where=f"{p.path}:{p.number_line}",
            )
        numbers[p.number] = p
    ordered = tuple(sorted(with_shared(by_id.values(), shared), key=lambda p: p.number))
    notes = tuple(note for s in shared for note in s.engine_notes)
    return PatternSet(ordered, tuple(sources), notes)


@functools.cache
def builtin_patterns() -> PatternSet:
    """The builtin knowledge base, read once per process (it is immutable)."""
    return load_patterns()
