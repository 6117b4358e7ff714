"""`triage(parsed, patterns) -> Report`: every failure diagnosed or left unclassified, with why.

A pattern that raises on a failure is skipped for that failure and reported in `Report.notes`;
the other patterns still run (bandit's tester does the same with a rule that crashes).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from poolctl.logs.records import ParsedLog
from poolctl.model import Failure, Finding, Report, TracebackItem, TriageDetails
from poolctl.patterns.loader import PatternSet
from poolctl.triage.classifier import Score, diagnose, pick, score, shortfall
from poolctl.triage.coverage import coverage
from poolctl.triage.facts import FactContext, available_fixtures
from poolctl.triage.fields import FailureView
from poolctl.triage.groups import cluster_findings, group_findings
from poolctl.triage.locate import BlockLines
from poolctl.triage.pools import PoolActivity

MAX_TRACEBACKS = 50  # worker tracebacks kept in the report's appendix


def _source_roots(parsed: ParsedLog, extra: Sequence[str | Path]) -> tuple[Path, ...]:
    """Where to look for a test's source: given roots, the cwd, each log's folder and parents."""
    roots: list[Path] = [Path(r) for r in extra] + [Path.cwd()]
    for name in parsed.inputs:
        path = Path(name)
        if path.is_file():
            roots += list(path.resolve().parents)[:3]
    return tuple(dict.fromkeys(roots))


def context_for(parsed: ParsedLog, source_roots: Sequence[str | Path] = ()) -> FactContext:
    """What fact extraction may consult about the whole log: its pools, fixtures, sources."""
    return FactContext(
        PoolActivity(parsed),
        _source_roots(parsed, source_roots),
        available_fixtures(
            text for f in parsed.failures for text in (f.message, *f.details.values())
        ),
    )


def classify_failures(
    failures: Sequence[Failure],
    patterns: PatternSet,
    ctx: FactContext | None = None,
    blocks: BlockLines | None = None,
) -> tuple[list[Finding], list[str]]:
    """One finding per failure, in order, and a note per pattern that raised (it is skipped for
    that failure, and the next best pattern is tried)."""
    ctx = ctx if ctx is not None else FactContext()
    blocks = blocks if blocks is not None else BlockLines()
    errors: dict[str, list[str]] = {}
    findings: list[Finding] = []
    for failure in failures:
        view = FailureView(failure, blocks)
        scores: list[Score] = []
        for pattern in patterns:
            try:
                scores.append(score(pattern, view, ctx))
            except Exception as exc:  # a user pattern must not stop the triage
                errors.setdefault(pattern.id, []).append(
                    f"{failure.origin or failure.name}: {type(exc).__name__}: {exc}"
                )
        best, nearest = pick(scores)
        while best is not None:
            try:
                findings.append(Finding(failure, diagnose(best, view, ctx)))
                break
            except Exception as exc:
                errors.setdefault(best.pattern.id, []).append(
                    f"{failure.origin or failure.name}: {type(exc).__name__}: {exc}"
                )
                scores = [s for s in scores if s is not best]
                best, nearest = pick(scores)
        else:
            findings.append(Finding(failure, shortfall(nearest)))
    notes = []
    for pattern_id, where in errors.items():
        shown = "; ".join(where[:3]) + (f"; and {len(where) - 3} more" if len(where) > 3 else "")
        notes.append(
            f"pattern {pattern_id} raised an error and was skipped for {len(where)} failure(s): "
            f"{shown}"
        )
    return findings, notes


def _title(parsed: ParsedLog) -> str:
    names = ", ".join(parsed.inputs[:3]) + (" …" if len(parsed.inputs) > 3 else "")
    return f"triage of {names or 'no input'}"


def triage(
    parsed: ParsedLog,
    patterns: PatternSet,
    *,
    source_roots: Sequence[str | Path] = (),
    quote_lines: bool = True,
) -> Report:
    """Classify every failure in `parsed` against `patterns` and build the triage Report: the
    findings, identical ones grouped, unclassified ones clustered, and the runners' counts."""
    blocks = BlockLines.read(parsed.failures) if quote_lines else BlockLines()
    ctx = context_for(parsed, source_roots)
    findings, errors = classify_failures(parsed.failures, patterns, ctx, blocks)
    notes = [f"skipped: {s}" for s in parsed.skipped] + errors
    return Report(
        kind="triage",
        title=_title(parsed),
        inputs=tuple(parsed.inputs),
        findings=tuple(findings),
        environment={"python": sys.version.split()[0], "cwd": os.getcwd()},
        notes=tuple(notes),
        details=_details(parsed, patterns, findings),
    )


def _details(parsed: ParsedLog, patterns: PatternSet, findings: Sequence[Finding]) -> TriageDetails:
    return TriageDetails(
        formats=dict(parsed.formats),
        lines_read=parsed.lines_read,
        run_summaries=tuple(f"{s.file}:{s.line}: {s.text.strip()}" for s in parsed.summaries),
        tracebacks=tuple(
            TracebackItem(f"{t.file}:{t.line_start}-{t.line_end}", t.exception, t.text)
            for t in parsed.tracebacks[:MAX_TRACEBACKS]
        ),
        tracebacks_omitted=max(0, len(parsed.tracebacks) - MAX_TRACEBACKS),
        knowledge_base=tuple(f"{p.number} {p.id}" for p in patterns),
        pattern_sources=tuple(patterns.sources),
        coverage=coverage(parsed),
        groups=group_findings(findings),
        clusters=cluster_findings(findings),
    )
