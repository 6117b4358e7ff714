"""The core records every part of poolctl speaks: Failure, Evidence, Diagnosis, Report.

A triaged test log, a scenario run, a failed ping and a doctor run all end as one `Report`,
and every writer (terminal, Markdown, JSON, JUnit) renders that one model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Source = Literal["exunit", "pytest", "junit", "scenario", "ping", "doctor"]
HypothesisStatus = Literal["confirmed", "ruled-out", "untested"]
CheckStatus = Literal["ok", "warn", "fail"]
ReportKind = Literal["triage", "scenario", "ping", "doctor"]


@dataclass(frozen=True)
class Evidence:
    """One quoted fact and where it came from."""

    text: str  # the quote: a log line, a byte string, a stderr line, an event
    origin: str  # "run.log:12", "workers/w1.stderr.log", "stdout bytes 0-11", "event 17"
    note: str = ""  # what it shows


@dataclass(frozen=True)
class Hypothesis:
    """One candidate explanation, tested against evidence or reported as untested."""

    id: str
    title: str
    status: HypothesisStatus
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""  # why it is ruled out, or why it could not be tested


@dataclass(frozen=True)
class ContextLine:
    """A log line related to a failure: near it, or naming the same pool, pid or session."""

    line: int
    text: str
    why: str = "nearby"


@dataclass(frozen=True)
class Failure:
    """One failed test, scenario step or ping, and where in the input it came from."""

    source: Source
    name: str
    group: str = ""  # module or class
    location: str = ""  # test file:line
    kind: str = ""  # exception or assertion type
    message: str = ""
    details: Mapping[str, str] = field(default_factory=dict)  # code, left, right, arguments…
    stacktrace: tuple[str, ...] = ()
    context: tuple[ContextLine, ...] = ()
    input_file: str = ""
    line_start: int = 0
    line_end: int = 0

    @property
    def origin(self) -> str:
        """`file:start-end` of the failure in its input."""
        if not self.input_file:
            return ""
        if self.line_end and self.line_end != self.line_start:
            return f"{self.input_file}:{self.line_start}-{self.line_end}"
        return f"{self.input_file}:{self.line_start}"


@dataclass(frozen=True)
class Diagnosis:
    """A failure assigned to a known pattern, with the evidence and the fix."""

    pattern_id: str
    pattern_number: int
    title: str
    confidence: float  # 0..1
    evidence: tuple[Evidence, ...]
    facts: Mapping[str, Any] = field(default_factory=dict)
    cause: str = ""  # the likely root cause among the candidates, and why
    remediation: str = ""
    reproduce: str = ""  # how to reproduce: a bundled scenario or a command
    hypotheses: tuple[Hypothesis, ...] = ()


@dataclass(frozen=True)
class Unclassified:
    """A failure no pattern claims: the nearest pattern and why it fell short."""

    nearest: str | None
    score: float
    why: str


@dataclass(frozen=True)
class Finding:
    """A failure and what poolctl concluded about it."""

    failure: Failure
    outcome: Diagnosis | Unclassified


@dataclass(frozen=True)
class Check:
    """One `doctor` check: a mark, a one-line summary, a remedy and the evidence behind it."""

    section: str
    name: str
    status: CheckStatus
    summary: str
    remedy: str = ""
    evidence: tuple[Evidence, ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True)
class RunCount:
    """One run as its runner counted it (a closing line, a JUnit suite), and what was read."""

    file: str
    start: int  # the run's first line
    line: int  # its closing line (a JUnit suite: its last line)
    text: str
    counted: int
    read: int

    @property
    def unread(self) -> int:
        return max(0, self.counted - self.read)


@dataclass(frozen=True)
class UnreadRegion:
    """Lines of an input where failures a runner counted may be, that were not read."""

    file: str
    start: int
    end: int
    why: str

    @property
    def origin(self) -> str:
        """`file:start-end` (or `file:start`)."""
        span = f"{self.start}" if self.end <= self.start else f"{self.start}-{self.end}"
        return f"{self.file}:{span}"


@dataclass(frozen=True)
class Coverage:
    """The failures the runners counted, how many were read, and where the others may be."""

    counted: int  # the runners' own failure counts, summed over their runs
    read: int  # ... of them read as failures
    runs: tuple[RunCount, ...] = ()
    regions: tuple[UnreadRegion, ...] = ()

    @property
    def unread(self) -> int:
        return sum(run.unread for run in self.runs)


@dataclass(frozen=True)
class FailureGroup:
    """Identical failures: the same pattern and the same normalised message."""

    key: str  # a short hash of the normalised message
    pattern_id: str | None
    findings: tuple[int, ...]  # indexes into `Report.findings`: the best diagnosed, then the rest


@dataclass(frozen=True)
class Cluster:
    """Unclassified failures whose messages are the same once numbers, pids, references, hex,
    paths and quoted values are stripped; `id` is a short hash of that text (stable)."""

    id: str
    text: str  # the normalised message
    findings: tuple[int, ...]  # indexes into `Report.findings`, in input order
    nearest: str | None = None  # the pattern most of them came nearest to


@dataclass(frozen=True)
class Report:
    """Everything one poolctl run concluded; the only input of every writer."""

    kind: ReportKind
    title: str
    inputs: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    checks: tuple[Check, ...] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # input skipped, run interrupted, secrets kept…
    run_dir: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # command-specific measurements
    coverage: Coverage | None = None  # triage: the runners' counts against what was read
    groups: tuple[FailureGroup, ...] = ()  # triage: identical diagnosed failures
    clusters: tuple[Cluster, ...] = ()  # triage: unclassified failures by normalised message

    @property
    def diagnosed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if isinstance(f.outcome, Diagnosis))

    @property
    def unclassified(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if isinstance(f.outcome, Unclassified))

    def by_pattern(self) -> dict[str, list[Finding]]:
        """Diagnosed findings grouped by pattern id, in pattern-number order."""
        groups: dict[str, list[Finding]] = {}
        ordered = sorted(self.diagnosed, key=lambda f: _diagnosis(f).pattern_number)
        for finding in ordered:
            groups.setdefault(_diagnosis(finding).pattern_id, []).append(finding)
        return groups

    def fix_plan(self) -> list[tuple[str, list[Finding]]]:
        """Distinct remediations, each with the failures it resolves, most resolved first."""
        fixes: dict[str, list[Finding]] = {}
        for finding in self.diagnosed:
            fixes.setdefault(_diagnosis(finding).remediation, []).append(finding)
        return sorted(fixes.items(), key=lambda item: -len(item[1]))


def _diagnosis(finding: Finding) -> Diagnosis:
    assert isinstance(finding.outcome, Diagnosis)
    return finding.outcome
