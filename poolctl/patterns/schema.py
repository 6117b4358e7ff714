"""The declarative schema of a pattern file, validated with pydantic; errors name file, line, key.

A pattern file is YAML with exactly the keys below (unknown keys are errors, as in semgrep's
rule schema). `loader.py` turns a validated `PatternSpec` into a compiled `Pattern`.

A folder of pattern files may hold `_shared.yaml` (`SharedSpec`): negative signals written
once and taken by every pattern of the knowledge base, the builtin ones and those of each
`--patterns` folder alike, ahead of the pattern's own; a later folder's entry replaces an
earlier one of the same id, and a pattern leaves one out with `skip_shared: [id]`.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from poolctl.model import Source
from poolctl.patterns.template import fact_names
from poolctl.yamlfile import did_you_mean

# A signal or fact reads one of these: a Failure field, one detail, all details, the
# stacktrace, the related log lines and captured output (`context`), the failure as printed
# (`block`), or `any` (what the failure itself says: kind, message and parsed details, not its
# name, source code, stack trace or captured output). Facts may also read `related`: the
# context plus every line of the log that names the failure's pool (fact `pool`).
FIELD_RE = re.compile(
    r"^(message|kind|name|group|location|details|stacktrace|context|block|related|any)$"
    r"|^details\.[\w -]+$"
)
ID_RE = r"^[a-z][a-z0-9-]*$"

Aggregate = Literal["first", "nearest", "count", "distinct", "all", "max"]
Builtin = Literal["key-comparison", "pool-activity"]
Transform = Literal["snake", "lower", "strip-colon", "int"]


class _Strict(BaseModel):
    # no NaN or infinity (`.nan` for a weight was told "less than or equal to 1")
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class CheckedSpec(_Strict):
    """A file's schema whose names must point somewhere once the file is valid."""

    def reference_errors(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Names that point nowhere: (key path, message) for each."""
        return []


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


def _check_field(value: str) -> str:
    if not FIELD_RE.match(value):
        raise ValueError(
            f"unknown field {value!r}: use message, kind, name, group, location, details, "
            "details.<key>, stacktrace, context, block, related (facts only) or any"
        )
    return value


def _check_signal_field(value: str) -> str:
    if value == "related":
        raise ValueError("`related` is for facts; a signal reads `context` instead")
    return _check_field(value)


class SignalSpec(_Strict):
    """A regex on one field, or a fact that must be found; when it fires, its weight counts.

    A `fact` signal only counts when a regex signal of the same pattern fired too.
    """

    field: str = "any"
    regex: str | None = None
    fact: str | None = None
    weight: float = Field(gt=0, le=1)
    why: str
    # what a diagnosis that rests on this signal must say it did not tell apart (a template
    # with the pattern's facts, as the remediation)
    caveat: str | None = None

    _field = field_validator("field")(_check_signal_field)

    @field_validator("regex")
    @classmethod
    def _regex_ok(cls, value: str | None) -> str | None:
        return None if value is None else _check_regex(value)

    @model_validator(mode="after")
    def _one_kind(self) -> SignalSpec:
        if (self.regex is None) == (self.fact is None):
            raise ValueError("a signal needs exactly one of `regex` or `fact`")
        return self


class NegativeSpec(_Strict):
    """A regex that vetoes the pattern (`veto: true`) or lowers its score by `weight`."""

    field: str = "any"
    regex: str
    veto: bool = False
    weight: float = Field(default=0.0, ge=0, le=1)
    why: str

    _field = field_validator("field")(_check_signal_field)
    _regex = field_validator("regex")(_check_regex)

    @model_validator(mode="after")
    def _veto_or_weight(self) -> NegativeSpec:
        if not self.veto and self.weight == 0:
            raise ValueError("a negative signal needs `veto: true` or a `weight` to subtract")
        return self


class SharedNegativeSpec(NegativeSpec):
    """A negative signal of `_shared.yaml`, named by `id` so that a pattern may leave it out."""

    id: str = Field(pattern=ID_RE)


class SharedSpec(CheckedSpec):
    """A pattern folder's `_shared.yaml`: negative signals that every pattern of the knowledge
    base takes, before its own (a pattern leaves one out by listing its id in `skip_shared`)."""

    negative: list[SharedNegativeSpec] = Field(min_length=1)

    def reference_errors(self) -> list[tuple[tuple[str | int, ...], str]]:
        """An id given twice: (key path, message) for each."""
        seen: set[str] = set()
        errors: list[tuple[tuple[str | int, ...], str]] = []
        for i, negative in enumerate(self.negative):
            if negative.id in seen:
                errors.append((("negative", i, "id"), f"duplicate shared id {negative.id!r}"))
            seen.add(negative.id)
        return errors


class FactSpec(_Strict):
    """Extract a fact: a regex's named group, a comparison of two facts, or a builtin extractor."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    field: str = "any"
    regex: str | None = None
    group: str | None = None  # the named group to keep (default: the one named like the fact)
    # or the value built from the regex's named groups: `{host}:{port}`, or a fixed `Redis`
    format: str | None = None
    # a match on a line this regex also matches is passed over (`test timed out after 600ms`
    # is ExUnit's own timeout of the test, not the checkout's that a `timeout` fact wants)
    unless: str | None = None
    aggregate: Aggregate = "first"
    transform: Transform | None = None
    compare: str | None = None  # "waiters > pool_size"
    builtin: Builtin | None = None

    _field = field_validator("field")(_check_field)

    @field_validator("regex", "unless")
    @classmethod
    def _regex_ok(cls, value: str | None) -> str | None:
        return None if value is None else _check_regex(value)

    @field_validator("compare")
    @classmethod
    def _compare_ok(cls, value: str | None) -> str | None:
        if value is not None and not COMPARE_RE.match(value):
            raise ValueError(
                "compare must read `fact OP fact_or_number`, OP one of > >= < <= == !="
            )
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> FactSpec:
        kinds = [k for k in (self.regex, self.compare, self.builtin) if k is not None]
        if len(kinds) != 1:
            raise ValueError("a fact needs exactly one of `regex`, `compare` or `builtin`")
        if self.regex is not None and self.aggregate != "count":
            groups = re.compile(self.regex).groupindex
            if self.format is not None:
                for name in FORMAT_FIELD_RE.findall(self.format):
                    if name not in groups:
                        raise ValueError(f"format names {{{name}}}: no (?P<{name}>...) in regex")
            elif (self.group or self.name) not in groups:
                raise ValueError(f"regex has no named group (?P<{self.group or self.name}>...)")
        if self.format is not None and self.regex is None:
            raise ValueError("`format` builds a value from a `regex`'s groups")
        return self


FORMAT_FIELD_RE = re.compile(r"\{(\w+)\}")
COMPARE_RE = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*(>=|<=|==|!=|>|<)\s*([a-z][a-z0-9_]*|\d+)\s*$")


class CauseSpec(_Strict):
    """A candidate root cause; supported only when its evidence shows in the log."""

    id: str = Field(pattern=ID_RE)
    title: str = ""  # a short name (the no-answer engine titles its hypotheses with it)
    text: str
    tell_apart: str
    evidence_regex: str | None = None  # on the failure and its context
    evidence_fact: str | None = None  # a fact that must be truthy
    hint_fact: str | None = None  # a fact that makes it worth checking first (still untested)
    against_regex: str | None = None  # when it fires, the cause is ruled out

    @field_validator("evidence_regex", "against_regex")
    @classmethod
    def _regex_ok(cls, value: str | None) -> str | None:
        return None if value is None else _check_regex(value)


class ExampleSpec(_Strict):
    """A failure written by hand (a copy of a real one) for the pattern's rule tests."""

    source: Source = "exunit"
    note: str = ""
    name: str = "example"
    group: str = ""
    location: str = ""
    kind: str = ""
    message: str = ""
    details: dict[str, str] = Field(default_factory=dict)
    stacktrace: list[str] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)
    facts: dict[str, str | int | bool | list[str]] = Field(default_factory=dict)  # must be found


class ExamplesSpec(_Strict):
    """semgrep-style rule tests: failures that must match and failures that must not."""

    match: list[ExampleSpec] = Field(min_length=1)
    no_match: list[ExampleSpec] = Field(min_length=1)


class PatternSpec(CheckedSpec):
    """One knowledge-base entry, as written in YAML."""

    id: str = Field(pattern=ID_RE)
    number: int = Field(ge=1)
    title: str
    summary: str
    rationale: str = ""
    example: str = ""
    threshold: float = Field(default=0.5, gt=0, le=1)
    signals: list[SignalSpec] = Field(min_length=1)
    negative: list[NegativeSpec] = Field(default_factory=list)
    skip_shared: list[str] = Field(default_factory=list)  # ids of `_shared.yaml` it leaves out
    facts: list[FactSpec] = Field(default_factory=list)
    causes: list[CauseSpec] = Field(default_factory=list)
    remediation: str  # a template (`patterns.template`) naming its facts or ENGINE_FACTS
    reproduce: str = ""
    examples: ExamplesSpec | None = None

    def reference_errors(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Names that point nowhere: (key path, message) for each."""
        names = {f.name for f in self.facts}
        for f in self.facts:
            if f.builtin is not None:
                names |= BUILTIN_FACTS[f.builtin]
        errors: list[tuple[tuple[str | int, ...], str]] = []
        for i, fact in enumerate(self.facts):
            if fact.compare is not None:
                m = COMPARE_RE.match(fact.compare)
                assert m is not None
                for operand in (m.group(1), m.group(3)):
                    if not operand.isdigit() and operand not in names:
                        errors.append((("facts", i, "compare"), f"unknown fact {operand!r}"))
        for i, signal in enumerate(self.signals):
            if signal.fact is not None and signal.fact not in names:
                errors.append((("signals", i, "fact"), f"unknown fact {signal.fact!r}"))
        if all(s.fact is not None for s in self.signals):
            errors.append((("signals",), "at least one signal needs a `regex`"))
        for i, cause in enumerate(self.causes):
            for key in ("evidence_fact", "hint_fact"):
                name = getattr(cause, key)
                if name is not None and name not in names:
                    errors.append((("causes", i, key), f"unknown fact {name!r}"))
        for name in fact_names(self.remediation):
            if name not in names and name not in ENGINE_FACTS:
                errors.append(
                    (
                        ("remediation",),
                        f"unknown fact {name!r}: no fact of the pattern extracts it and the "
                        f"engine never gives it{did_you_mean(name, names | ENGINE_FACTS)}",
                    )
                )
        seen: set[str] = set()
        for i, cause in enumerate(self.causes):
            if cause.id in seen:
                errors.append((("causes", i, "id"), f"duplicate cause id {cause.id!r}"))
            seen.add(cause.id)
        return errors


# the facts each builtin extractor may set
BUILTIN_FACTS: dict[str, set[str]] = {
    "key-comparison": {
        "failed_at",
        "expected_by",
        "renames",
        "given_keys",
        "provided_keys",
        "expected_keys",
        "keys_source",
        "missing_key",
        "missing_keys",
        "nearest_key",
        "fixture_owner",
        "suggested_keys",
    },
    "pool-activity": {"pool_seen", "wrong_process", "pools_seen"},
}

# the facts a scenario rule (and the no-answer engine it may consult) gives a pattern's
# remediation besides the pattern's own: a pattern's template may name them
# fmt: off
ENGINE_FACTS: frozenset[str] = frozenset({
    "actual_adapter", "answered_after_s", "answered_before_exit", "args_given",
    "callers_dropped", "callers_failed", "calls_after_stop",
    "calls_failed_when_the_pool_gave_up", "capacity", "checkout_timeout",
    "checkout_timeouts_caused", "checkouts", "checkouts_granted", "command",
    "concurrent_callers", "detail", "diagnosis_s", "elapsed_at_failure_s", "evidence_files",
    "exited_at_s", "expected", "expected_adapter", "expected_key", "expected_path",
    "experiments", "failed_inits", "field", "field_key", "finished_in_grace", "framing",
    "gave_up_at_s", "given_keys", "got", "in_flight", "init_seconds_max", "init_timeout",
    "inits", "lazy", "max_overflow", "missing_field", "missing_fields", "missing_key", "mode",
    "nearest_key",
    "overflow", "pid", "pool", "pool_size", "process", "provided_keys", "reason", "rejections",
    "replaced", "request_bytes", "requests_unanswered", "responses", "running_program", "service",
    "shutdown_at_s",
    "starting_at_timeout", "state", "stderr_mode", "stdin_closed", "stdin_unread_bytes",
    "stdout_bytes", "step", "timeout", "timeout_s", "timeouts", "waited_s", "waiters",
    "waiting", "worker", "workers",
})
# fmt: on
