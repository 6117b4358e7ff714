"""`triage(parsed, patterns) -> Report`: every failure diagnosed or left unclassified, with why.

A straight line, each stage reading only what the one before produced: the parsed log (its
failures, and each block's lines as the scan recorded them), then each failure's classification
(the rules on `any` once per distinct own text: `normalize.any_key`; a failure decided by the
same things as one before it scores its pattern alone: `poolctl.triage.decisions`), then the
winner's facts and diagnosis, then the report, built once. Strings come from the log redacted
(`--keep-secrets` aside), so the report needs no second walk.

A pattern that raises on a failure is skipped for that failure and reported in `Report.notes`;
the other patterns still run (bandit's tester does the same with a rule that crashes). Failures
past `MAX_FAILURES` (see `poolctl.logs.scan`) come one by one to `Triage.overflow` while the log
is read: classified, counted in their group, and kept only as the example of a group no kept
failure belongs to (at most `MAX_EXAMPLES` of them).
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from poolctl import redact
from poolctl.logs import ReadObserver, read_logs
from poolctl.logs.records import Lines, ParsedLog
from poolctl.logs.reruns import rerun_notes
from poolctl.model import (
    Cluster,
    Diagnosis,
    Failure,
    FailureGroup,
    Finding,
    Report,
    TracebackItem,
    TriageDetails,
    Unclassified,
)
from poolctl.patterns.loader import PatternSet
from poolctl.patterns.regex import budget
from poolctl.redact import Redactor
from poolctl.triage.classifier import Known, Score, ScoringPlan, diagnose, pick, shortfall
from poolctl.triage.coverage import coverage, over_counts, runs_note, summary_lines
from poolctl.triage.decisions import Decision, Decisions, Key
from poolctl.triage.facts import FactContext, available_fixtures
from poolctl.triage.fields import FailureView
from poolctl.triage.groups import MAX_CLUSTER_TEXT, cluster_findings, group_findings
from poolctl.triage.halves import outcomes
from poolctl.triage.locate import BlockLines
from poolctl.triage.normalize import any_key, cluster_text, short_hash, signature
from poolctl.triage.pools import PoolActivity
from poolctl.triage.regions import Regions

if TYPE_CHECKING:
    from poolctl.logs.search_ahead import SearchAhead

MAX_TRACEBACKS = 50  # worker tracebacks kept in the report's appendix
MAX_EXAMPLES = 500  # failures past the cap kept as the example of a group of their own


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
        Regions(parsed),
    )


@dataclass
class _Errors:
    """The patterns that raised, and on which failures."""

    by_pattern: dict[str, list[str]] = field(default_factory=dict)

    def add(self, pattern_id: str, failure: Failure, exc: Exception) -> None:
        where = f"{failure.origin or failure.name}: {type(exc).__name__}: {exc}"
        self.by_pattern.setdefault(pattern_id, []).append(where)

    def notes(self) -> list[str]:
        notes = []
        for pattern_id, where in self.by_pattern.items():
            shown = "; ".join(where[:3]) + (
                f"; and {len(where) - 3} more" if len(where) > 3 else ""
            )
            notes.append(
                f"pattern {pattern_id} raised an error and was skipped for {len(where)} "
                f"failure(s): {shown}"
            )
        return notes


class Classifier:
    """Scores every pattern on a failure and diagnoses it with the best one; remembers what
    the rules on `any` did for each distinct own text."""

    def __init__(self, patterns: PatternSet) -> None:
        self.patterns = patterns
        self.plan = ScoringPlan(list(patterns))
        self.known: dict[str, Known] = {}
        self.decisions = Decisions(list(patterns))
        self.errors = _Errors()

    def scores(
        self, view: FailureView, ctx: FactContext, key: str | None, *, cited: bool = True
    ) -> list[Score]:
        known = None
        if key is not None:
            known = self.known.get(key)
            if known is None:
                known = self.known[key] = Known()
        scores: list[Score] = []
        with budget():
            for index, pattern in enumerate(self.plan.patterns):
                try:
                    scores.append(self.plan.score_one(index, view, ctx, known, cited=cited))
                except Exception as exc:  # a user pattern must not stop the triage
                    self.errors.add(pattern.id, view.failure, exc)
        return scores

    def outcome(
        self, view: FailureView, ctx: FactContext, key: str | None = None
    ) -> Diagnosis | Unclassified:
        decided_by, decision = self._decision(view, ctx, key)
        if decision is not None:
            decided = self._decided(decision, view, ctx, key)
            if decided is not None:
                return decided
        scores = self.scores(view, ctx, key)
        best, nearest = pick(scores)
        self._remember(decided_by, view, key, best, nearest, scores)
        while best is not None:
            try:
                with budget():
                    return diagnose(best, view, ctx)
            except Exception as exc:
                self.errors.add(best.pattern.id, view.failure, exc)
                scores = [s for s in scores if s is not best]
                best, nearest = pick(scores)
        return shortfall(nearest)

    def _decided(
        self, decision: Decision, view: FailureView, ctx: FactContext, key: str | None
    ) -> Diagnosis | Unclassified | None:
        """The outcome when the decision is known: only the claiming pattern (or, for a failure
        none claims, the nearest) is scored, for its quotes and facts; its score is the one
        scoring every pattern gives it (`Known` holds the key's rules on `any` already). None
        when it raises: scoring every pattern then says which did, in order."""
        claimed, nearest = decision
        wanted = claimed if claimed is not None else nearest
        if not wanted:
            return shortfall(None)
        index = self.plan.index.get(wanted)
        if index is None:  # two patterns of one id: told apart by scoring them all
            return None
        known = self.known.get(key) if key is not None else None
        try:
            with budget():
                score = self.plan.score_one(index, view, ctx, known)
                return diagnose(score, view, ctx) if claimed is not None else shortfall(score)
        except Exception:
            return None

    def _decision(
        self, view: FailureView, ctx: FactContext, key: str | None
    ) -> tuple[Key | None, Decision | None]:
        """What decides the failure, and the decision a failure before it took on the same."""
        known = self.known.get(key) if key is not None else None
        if known is None or key is None:
            return None, None
        decided_by = self.decisions.key(view, key, known, self.plan.memo)
        return decided_by, self.decisions.get(decided_by, view, self.plan.memo, ctx)

    def _remember(
        self,
        decided_by: Key | None,
        view: FailureView,
        key: str | None,
        best: Score | None,
        nearest: Score | None,
        scores: list[Score],
    ) -> Decision:
        """The decision the scores take, remembered when they may be (`Decisions.remember`)."""
        if best is not None:
            decision: Decision = (best.pattern.id, best.pattern.id)
        else:
            decision = (None, nearest.pattern.id if nearest is not None and nearest.hits else "")
        if decided_by is None and key is not None and (known := self.known.get(key)) is not None:
            # the key's first failure: its rules on `any` have run, and `Known` is whole now
            decided_by = self.decisions.key(view, key, known, self.plan.memo)
        self.decisions.remember(decided_by, decision, scores, view, self.plan.memo)
        return decision

    def pattern_of(self, view: FailureView, ctx: FactContext, key: str) -> Decision:
        """The pattern that claims the failure (None: unclassified) and the nearest one, without
        building its diagnosis (a failure past the cap is only counted); the same as a failure
        before it when the same things decide it (`poolctl.triage.decisions`)."""
        decided_by, decision = self._decision(view, ctx, key)
        if decision is not None:
            return decision
        # which pattern wins rests on the rules' weights, not on the lines they quote
        scores = self.scores(view, ctx, key, cited=False)
        best, nearest = pick(scores)
        return self._remember(decided_by, view, key, best, nearest, scores)


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
    classifier = Classifier(patterns)
    findings = [Finding(f, classifier.outcome(FailureView(f, blocks), ctx)) for f in failures]
    return findings, classifier.errors.notes()


# --- failures past the cap -------------------------------------------------------------------
@dataclass
class _Counted:
    """Failures past the cap with the same pattern and signature (or cluster text)."""

    pattern_id: str | None
    text: str  # the signature, or the cluster text of unclassified ones
    count: int = 0
    example: tuple[Failure, Lines] | None = None  # the first one, if examples are still kept
    nearest: Counter[str] = field(default_factory=Counter)


class Overflow:
    """Classifies and counts the failures past the cap, as the log is read."""

    def __init__(self, classifier: Classifier, ctx: FactContext, redactor: Redactor) -> None:
        self.classifier = classifier
        self.ctx = ctx
        self.counted: dict[tuple[str | None, str], _Counted] = {}
        self.examples = 0
        self.redactor = redactor

    def __call__(self, failure: Failure, lines: Lines) -> None:
        failure, lines = _redacted(failure, lines, self.redactor)
        signed = signature(failure)
        view = FailureView(failure, BlockLines.of_one(failure, lines))
        pattern_id, nearest = self.classifier.pattern_of(view, self.ctx, any_key(failure, signed))
        text = signed if pattern_id is not None else cluster_text(failure, signed)
        counted = self.counted.get((pattern_id, text))
        if counted is None:
            counted = self.counted[(pattern_id, text)] = _Counted(pattern_id, text)
            if self.examples < MAX_EXAMPLES:
                self.examples += 1
                counted.example = (failure, lines)
        counted.count += 1
        if nearest and pattern_id is None:
            counted.nearest[nearest] += 1


# --- redaction at the source -----------------------------------------------------------------
def _redacted(failure: Failure, lines: Lines, redactor: Redactor) -> tuple[Failure, Lines]:
    """The failure and its block's lines with every secret replaced; as they are when none is
    in them (one check over their joined text)."""
    if not redactor.enabled:
        return failure, lines
    parts = [
        failure.name,
        failure.group,
        failure.location,
        failure.kind,
        failure.message,
        *failure.details.keys(),
        *failure.details.values(),
        *failure.stacktrace,
        *(c.text for c in failure.context),
        *(text for _, text in lines),
    ]
    if not redactor.may_hold_text("\n".join(parts)):
        return failure, lines
    return redactor.value(failure), [(n, redactor.text(text)) for n, text in lines]


def _redact_blocks(parsed: ParsedLog, redactor: Redactor) -> list[Failure]:
    """Every kept failure and its recorded lines, redacted (in place in `parsed`)."""
    failures = []
    for failure in parsed.failures:
        key = (failure.input_file, failure.line_start)
        lines = parsed.blocks.get(key, [])
        after = parsed.after.get(key, [])
        clean, both = _redacted(failure, lines + after, redactor)
        if clean is not failure:
            parsed.blocks[key], parsed.after[key] = both[: len(lines)], both[len(lines) :]
        failures.append(clean)
    parsed.failures = failures
    return failures


# --- the triage ------------------------------------------------------------------------------
class Triage:
    """One triage run: read the logs (`read`), then build the report (`report`)."""

    def __init__(
        self,
        patterns: PatternSet,
        *,
        source_roots: Sequence[str | Path] = (),
        redactor: Redactor | None = None,
        forks: bool = False,
    ) -> None:
        """`redactor`: the run's (`Secrets.redactor`); poolctl's environment's by default.
        `forks`: a large triage may classify half its failures in a forked process (the
        program's, not a library caller's: `poolctl.triage.halves`)."""
        self.patterns = patterns
        self.forks = forks
        self.source_roots = source_roots
        self.redactor = redactor if redactor is not None else redact.environment()
        self.classifier = Classifier(patterns)
        self.overflow = Overflow(self.classifier, FactContext(), self.redactor)

    def read(
        self,
        paths: Sequence[str],
        fmt: str = "auto",
        *,
        progress: ReadObserver | None = None,
        ahead: SearchAhead | None = None,
    ) -> ParsedLog:
        """The logs read, failures past the cap classified and counted as they come (`ahead`:
        a search of their chunks started before, `poolctl.logs.search_ahead`)."""
        return read_logs(paths, fmt, overflow=self.overflow, progress=progress, ahead=ahead)

    def report(self, parsed: ParsedLog, *, quote_lines: bool = True) -> Report:
        """Classify every failure of `parsed` and build the triage report: the findings,
        identical ones grouped, unclassified ones clustered, and the runners' counts."""
        failures = _redact_blocks(parsed, self.redactor)
        blocks = BlockLines.of(parsed) if quote_lines else BlockLines()
        ctx = context_for(parsed, self.source_roots)
        self.overflow.ctx = ctx
        signed = [signature(failure) for failure in failures]
        # a large triage's second half on the other CPU (`poolctl.triage.halves`)
        found = outcomes(self.classifier, failures, signed, blocks, ctx, forks=self.forks)
        findings = [Finding(f, o) for f, o in zip(failures, found, strict=True)]
        extra = self._examples(findings, signed, blocks, ctx)
        groups = group_findings(findings, signed)
        clusters = cluster_findings(findings, signed)
        groups, clusters = self._counted(groups, clusters, extra)
        notes = [f"skipped: {s}" for s in parsed.skipped]
        notes += rerun_notes(parsed.reruns, failures)
        notes += _unlisted_note(groups, clusters)
        notes += over_counts(parsed) + runs_note(parsed)
        notes += self.classifier.errors.notes() + self.patterns.engine_notes()
        shell = Report(
            kind="triage",
            title=_title(parsed),
            inputs=tuple(parsed.inputs),
            environment={"python": sys.version.split()[0], "cwd": os.getcwd()},
            notes=tuple(notes),
            details=_details(parsed, self.patterns, groups, clusters),
        )
        # the findings were redacted as they were read; the rest (a few lines) is now
        return replace(self.redactor.value(shell), findings=tuple(findings))

    def _examples(
        self, findings: list[Finding], signed: list[str], blocks: BlockLines, ctx: FactContext
    ) -> dict[tuple[str | None, str], int]:
        """Append the example of each counted group no kept failure belongs to; returns the
        index of each example, by group."""
        kept = {
            (f.outcome.pattern_id if isinstance(f.outcome, Diagnosis) else None, s)
            for f, s in zip(findings, signed, strict=True)
        }
        kept |= {
            (None, cluster_text(f.failure, s))
            for f, s in zip(findings, signed, strict=True)
            if isinstance(f.outcome, Unclassified)
        }
        index: dict[tuple[str | None, str], int] = {}
        for key, counted in self.overflow.counted.items():
            if key in kept or counted.example is None:
                continue
            failure, lines = counted.example
            view = FailureView(failure, blocks.with_lines(failure, lines))
            outcome = self.classifier.outcome(view, ctx, any_key(failure))
            index[key] = len(findings)
            findings.append(Finding(failure, outcome))
            signed.append(signature(failure))
        return index

    def _counted(
        self,
        groups: tuple[FailureGroup, ...],
        clusters: tuple[Cluster, ...],
        examples: dict[tuple[str | None, str], int],
    ) -> tuple[tuple[FailureGroup, ...], tuple[Cluster, ...]]:
        """The groups and clusters with the failures past the cap counted in (`more`)."""
        if not self.overflow.counted:
            return groups, clusters
        by_key = {(g.pattern_id, g.key): g for g in groups}
        by_id = {c.id: c for c in clusters}
        for (pattern_id, text), counted in self.overflow.counted.items():
            at = examples.get((pattern_id, text))
            more = counted.count - (1 if at is not None else 0)
            if pattern_id is not None:
                gkey = short_hash(f"{pattern_id}\n{text}")
                group = by_key.get((pattern_id, gkey))
                if group is not None:
                    by_key[(pattern_id, gkey)] = replace(group, more=group.more + more)
                else:  # no kept member: its example, if it kept one, and the count
                    shown = (at,) if at is not None else ()
                    by_key[(pattern_id, gkey)] = FailureGroup(gkey, pattern_id, shown, more)
            else:
                cid = short_hash(text)
                cluster = by_id.get(cid)
                if cluster is not None:
                    by_id[cid] = replace(cluster, more=cluster.more + more)
                else:
                    nearest = counted.nearest.most_common(1)
                    by_id[cid] = Cluster(
                        cid,
                        text[:MAX_CLUSTER_TEXT],
                        (at,) if at is not None else (),
                        nearest[0][0] if nearest else None,
                        more,
                    )
        return tuple(by_key.values()), tuple(sorted(by_id.values(), key=_cluster_order))


def _unlisted_note(groups: tuple[FailureGroup, ...], clusters: tuple[Cluster, ...]) -> list[str]:
    """A note on the groups past the cap counted without an example (no view lists them)."""
    by_pattern: Counter[str] = Counter()
    unlisted = 0
    for pattern_id, size, listed in [(g.pattern_id, g.size, g.findings) for g in groups] + [
        (None, c.size, c.findings) for c in clusters
    ]:
        if not listed:
            unlisted += 1
            by_pattern[pattern_id or "unclassified"] += size
    if not unlisted:
        return []
    shown = ", ".join(f"{p} ×{n}" for p, n in by_pattern.most_common())
    total = sum(by_pattern.values())
    return [
        f"{total:,} failures past the cap are in {unlisted:,} groups with no example kept "
        f"(only the first {MAX_EXAMPLES:,} groups past the cap keep one), counted in the "
        f"totals and in report.json: {shown}"
    ]


def _cluster_order(cluster: Cluster) -> tuple[int, int]:
    """Biggest first, then in input order (clusters with no listed failure last)."""
    return -cluster.size, cluster.findings[0] if cluster.findings else sys.maxsize


def triage(
    parsed: ParsedLog,
    patterns: PatternSet,
    *,
    source_roots: Sequence[str | Path] = (),
    quote_lines: bool = True,
) -> Report:
    """Classify every failure in `parsed` against `patterns` and build the triage Report: the
    findings, identical ones grouped, unclassified ones clustered, and the runners' counts."""
    return Triage(patterns, source_roots=source_roots).report(parsed, quote_lines=quote_lines)


def _title(parsed: ParsedLog) -> str:
    names = ", ".join(parsed.inputs[:3]) + (" …" if len(parsed.inputs) > 3 else "")
    return f"triage of {names or 'no input'}"


def _details(
    parsed: ParsedLog,
    patterns: PatternSet,
    groups: tuple[FailureGroup, ...],
    clusters: tuple[Cluster, ...],
) -> TriageDetails:
    return TriageDetails(
        formats=dict(parsed.formats),
        lines_read=parsed.lines_read,
        run_summaries=summary_lines(parsed),
        tracebacks=tuple(
            TracebackItem(f"{t.file}:{t.line_start}-{t.line_end}", t.exception, t.text)
            for t in parsed.tracebacks[:MAX_TRACEBACKS]
        ),
        tracebacks_omitted=max(0, len(parsed.tracebacks) - MAX_TRACEBACKS),
        knowledge_base=tuple(f"{p.number} {p.id}" for p in patterns),
        pattern_sources=tuple(patterns.sources),
        coverage=coverage(parsed),
        groups=groups,
        clusters=clusters,
    )
