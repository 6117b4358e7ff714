"""What every writer shows, computed once: counts, pattern sections, fix plan, appendix.

Writers differ only in layout; the selection and order of content lives here, so that the
terminal, Markdown and JSON views of a report never disagree.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from poolctl.model import (
    Diagnosis,
    DoctorDetails,
    Failure,
    Finding,
    Hypothesis,
    PingDetails,
    Report,
    ScenarioDetails,
    Timeline,
    TracebackItem,
    TriageDetails,
    Unclassified,
)
from poolctl.report.details import listed
from poolctl.termtext import one_line

D = TypeVar("D")


@dataclass(frozen=True)
class CauseSummary:
    """One candidate cause of a pattern, over all the failures diagnosed with it."""

    id: str
    title: str
    status: str  # confirmed | ruled-out | untested (the strongest seen)
    count: int  # failures where it has that status
    total: int
    reason: str  # the reason given on the first failure with that status
    evidence: tuple[str, ...]  # "quote (origin)"

    @property
    def label(self) -> str:
        """`in 2 of 3` when the status holds for only some of the failures, else empty."""
        return "" if self.count == self.total else f"in {self.count} of {self.total}"


@dataclass(frozen=True)
class PatternSection:
    """The failures diagnosed with one pattern, and what they share."""

    pattern_id: str
    number: int
    title: str
    findings: tuple[Finding, ...]
    causes: tuple[CauseSummary, ...]
    remediations: tuple[str, ...]
    reproduce: str
    counted: int = 0  # failures past the triage's cap diagnosed with it: counted, not listed

    @property
    def size(self) -> int:
        """How many failures the pattern diagnosed, listed or only counted."""
        return len(self.findings) + self.counted


@dataclass(frozen=True)
class Fix:
    """One fix-plan step: a remediation and the failures it resolves."""

    rank: int
    pattern_id: str
    number: int
    title: str
    remediation: str
    findings: tuple[Finding, ...]
    counted: int = 0  # failures of its pattern past the triage's cap: counted, not listed

    @property
    def size(self) -> int:
        """How many failures the fix resolves, listed or only counted."""
        return len(self.findings) + self.counted


def diagnosis(finding: Finding) -> Diagnosis:
    assert isinstance(finding.outcome, Diagnosis)
    return finding.outcome


def unclassified(finding: Finding) -> Unclassified:
    assert isinstance(finding.outcome, Unclassified)
    return finding.outcome


def failure_label(failure: Failure) -> str:
    """`name (group)`, as runners print a test."""
    group = f" ({failure.group})" if failure.group and failure.group not in failure.name else ""
    return f"{failure.name}{group}"


def shown_label(failure: Failure) -> str:
    """`failure_label` for a reader, on one line: a newline or an escape in a test's name is
    written as `\\n`, `\\x1b` (report.json and JUnit keep the name as the runner gave it)."""
    return one_line(failure_label(failure))


def failure_headline(failure: Failure) -> str:
    """The failure's own first line: kind and message."""
    first = failure.message.strip().partition("\n")[0]
    if failure.kind and failure.kind not in first:
        return f"{failure.kind}: {first}" if first else failure.kind
    return first or failure.kind


def fmt_value(value: Any) -> str:
    """A fact or a detail's value as one line of text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(fmt_value(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, default=str, sort_keys=True)
    return str(value)


def _rank(status: str) -> int:
    return {"confirmed": 0, "ruled-out": 1, "untested": 2}[status]


def _summarize_causes(findings: Sequence[Finding]) -> tuple[CauseSummary, ...]:
    by_id: dict[str, list[Hypothesis]] = {}
    for finding in findings:
        for h in diagnosis(finding).hypotheses:
            by_id.setdefault(h.id, []).append(h)
    out = []
    for cause_id, hyps in by_id.items():
        best = min(hyps, key=lambda h: _rank(h.status))
        same = [h for h in hyps if h.status == best.status]
        evidence = tuple(dict.fromkeys(f"{e.text} ({e.origin})" for h in same for e in h.evidence))
        out.append(
            CauseSummary(
                cause_id, best.title, best.status, len(same), len(hyps), best.reason, evidence[:3]
            )
        )
    return tuple(sorted(out, key=lambda c: _rank(c.status)))


_WORD = re.compile(r"\w+|[^\w\s]")
MAX_COMPARED = 64  # distinct remediations of one pattern compared with each other


def _only_adds_to(full: list[str], bare: list[str]) -> bool:
    """Whether `full` is `bare` with words put in (facts a template filled), in order."""
    if len(full) <= len(bare):
        return False
    words = iter(full)
    return all(any(w == b for w in words) for b in bare)


def fullest(remediations: Iterable[str]) -> tuple[str, ...]:
    """Each remediation once: one that another of the pattern only adds facts to (the same
    template, filled with fewer of them) is said by that one."""
    texts = list(remediations)
    if not 1 < len(texts) <= MAX_COMPARED:
        return tuple(texts)
    words = [_WORD.findall(t) for t in texts]
    return tuple(
        t
        for i, t in enumerate(texts)
        if not any(j != i and _only_adds_to(words[j], words[i]) for j in range(len(texts)))
    )


def pattern_sections(report: Report) -> list[PatternSection]:
    """One section per pattern with diagnosed failures, in pattern-number order."""
    sections = []
    counted = counted_past_cap(report)
    for pattern_id, findings in report.by_pattern().items():
        first = diagnosis(findings[0])
        sections.append(
            PatternSection(
                pattern_id=pattern_id,
                number=first.pattern_number,
                title=first.title,
                findings=tuple(findings),
                causes=_summarize_causes(findings),
                remediations=fullest(dict.fromkeys(diagnosis(f).remediation for f in findings)),
                reproduce=first.reproduce,
                counted=counted.get(pattern_id, 0),
            )
        )
    return sections


def counted_past_cap(report: Report) -> dict[str | None, int]:
    """The failures past a triage's cap, counted in their groups (by pattern) and clusters
    (under None)."""
    details = details_of(report, TriageDetails)
    counts: dict[str | None, int] = {}
    if details is None:
        return counts
    for group in details.groups:
        if group.more:
            counts[group.pattern_id] = counts.get(group.pattern_id, 0) + group.more
    unclassified = sum(c.more for c in details.clusters)
    if unclassified:
        counts[None] = unclassified
    return counts


def unclassified_count(report: Report) -> int:
    """The unclassified failures, those past a triage's cap included."""
    return len(report.unclassified) + counted_past_cap(report).get(None, 0)


def pattern_counts(report: Report) -> dict[str, int]:
    """The failures each pattern diagnosed, those past a triage's cap included."""
    counts = {pattern_id: len(f) for pattern_id, f in report.by_pattern().items()}
    for pattern_id, more in counted_past_cap(report).items():
        if pattern_id is not None:
            counts[pattern_id] = counts.get(pattern_id, 0) + more
    return counts


def fix_plan(report: Report) -> list[Fix]:
    """The fix plan: distinct remediations in `Report.fix_plan`'s order (with run history the
    fixes of new failures first, then the one resolving most failures)."""
    more = counted_past_cap(report)  # a pattern's failures past the cap go to its first fix
    steps = []
    for remediation, findings in report.fix_plan():
        d = diagnosis(findings[0])
        counted = more.pop(d.pattern_id, 0)
        steps.append(
            Fix(0, d.pattern_id, d.pattern_number, d.title, remediation, tuple(findings), counted)
        )
    fresh = [any(history_status(f) == "new" for f in step.findings[:1]) for step in steps]
    order = sorted(range(len(steps)), key=lambda i: (not fresh[i], -steps[i].size))
    return [dataclasses.replace(steps[i], rank=rank) for rank, i in enumerate(order, start=1)]


def summary_counts(report: Report) -> dict[str, int]:
    """Failures, diagnosed, unclassified and patterns; checks by status when there are some."""
    # failures past a triage's cap are counted in their groups, not listed as findings
    counted = counted_past_cap(report)
    more_unclassified = counted.pop(None, 0)
    more_diagnosed = sum(counted.values())
    counts = {
        "failures": len(report.findings) + more_diagnosed + more_unclassified,
        "diagnosed": len(report.diagnosed) + more_diagnosed,
        "unclassified": len(report.unclassified) + more_unclassified,
        "patterns": len(pattern_counts(report)),
    }
    for status in ("ok", "warn", "fail"):
        n = sum(1 for c in report.checks if c.status == status)
        if report.checks:
            counts[f"checks_{status}"] = n
    if any(f.history is not None for f in report.findings):
        for status in HISTORY_STATUSES:
            counts[status] = sum(1 for f in report.findings if history_status(f) == status)
    return counts


HISTORY_STATUSES = ("new", "known", "flaky")


def history_status(finding: Finding) -> str | None:
    """`new`, `known` or `flaky` when the run history was kept, else None."""
    return finding.history.status if finding.history is not None else None


def history_tag(finding: Finding) -> str:
    """`new`, `flaky`, or `known: 3 earlier runs since 2026-11-02` (empty without history)."""
    h = finding.history
    if h is None:
        return ""
    if h.status != "known":
        return h.status
    runs = "1 earlier run" if h.seen_before == 1 else f"{h.seen_before} earlier runs"
    since = f" since {h.first_seen[:10]}" if h.first_seen else ""
    return f"known: {runs}{since}"


def summary_line(report: Report) -> str:
    """One line that says what was found."""
    if report.kind == "triage" and report.interrupted and report.details is None:
        # cut short before its report was built: no count would be the log's
        return f"not triaged: interrupted by {report.interrupted} while the logs were read"
    c = summary_counts(report)
    parts = []
    if report.findings or not report.checks:
        noun = "failure" if c["failures"] == 1 else "failures"
        parts.append(f"{c['failures']} {noun}")
        if c["failures"]:
            pat = "pattern" if c["patterns"] == 1 else "patterns"
            parts.append(f"{c['diagnosed']} diagnosed in {c['patterns']} {pat}")
            parts.append(f"{c['unclassified']} unclassified")
    if c["failures"] and "new" in c:
        parts.append(", ".join(f"{c[s]} {s}" for s in HISTORY_STATUSES))
    if report.checks:
        parts.append(
            f"{len(report.checks)} checks: {c['checks_ok']} ok, {c['checks_warn']} warn, "
            f"{c['checks_fail']} fail"
        )
    return " · ".join(parts)


def scenario_verdict(details: ScenarioDetails) -> str:
    """A scenario run's outcome in a word: passed, failed or interrupted."""
    if details.interrupted:
        return "interrupted"
    return "passed" if details.passed else "failed"


def details_of(report: Report, cls: type[D]) -> D | None:
    """The report's details when they are of type `cls`."""
    return report.details if isinstance(report.details, cls) else None


def timeline_of(report: Report) -> Timeline | None:
    """The timeline a scenario run keeps in its details (a ping or doctor run too, when it
    diagnosed a silent worker)."""
    details = report.details
    if isinstance(details, ScenarioDetails | PingDetails | DoctorDetails):
        return details.timeline
    return None


def tracebacks(report: Report) -> tuple[TracebackItem, ...]:
    """The worker tracebacks triage found in the log (the first ones; see `tracebacks_omitted`)."""
    details = details_of(report, TriageDetails)
    return details.tracebacks if details is not None else ()


def detail_rows(report: Report) -> list[tuple[str, str]]:
    """The details no section lays out, as (name, one-line value), by name."""
    return [(name, fmt_value(value)) for name, value in listed(report.details)]


def shortener(report: Report) -> Callable[[str], str]:
    """Shortens `/long/path/run.log:12` to `run.log:12` (anywhere in a text) when the inputs'
    file names are all different. Only a triage's inputs are files: a ping's or doctor's is
    the worker's command line, which a `/` in an argument would cut."""
    if report.kind != "triage":
        return lambda origin: origin
    names = {i: i.rsplit("/", 1)[-1] for i in report.inputs if "/" in i}
    if len(set(names.values())) != len(names):
        return lambda origin: origin
    ordered = sorted(names.items(), key=lambda kv: -len(kv[0]))

    def short(origin: str) -> str:
        for full, name in ordered:
            origin = origin.replace(full, name)
        return origin

    return short


def how_to_tell(reason: str) -> str:
    """An untested cause's reason, without the boilerplate before "to tell"."""
    _, sep, rest = reason.partition("to tell: ")
    return f"to tell: {rest}" if sep else reason


def read_summary(report: Report) -> list[str]:
    """What was read: lines and formats, and the runner's own closing lines."""
    details = details_of(report, TriageDetails)
    if details is None:
        return []
    out = []
    if details.formats:
        kinds = ", ".join(sorted({f for fs in details.formats.values() for f in fs.split("+")}))
        out.append(f"read {details.lines_read:,} lines ({kinds})")
    out += [f"runner: {summary}" for summary in details.run_summaries]
    return out
