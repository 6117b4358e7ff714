"""Identical failures as one group, unclassified ones as clusters: what a long log reduces to.

A group is the diagnosed failures with the same pattern and the same signature (their facts,
read from the lines around each, may differ: the group shows first the one diagnosed with the
most confidence and facts). A cluster is the
unclassified failures with the same `cluster_text`; its id is a hash of that text, so it is the
same in every run of the same log, and `poolctl patterns new --cluster ID` finds it again. Both
list their failures as indexes into the report's findings, in input order (a group's best
diagnosed one first); groups come in
pattern-number order, biggest first, and clusters biggest first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from poolctl.model import Cluster, Diagnosis, FailureGroup, Finding, Unclassified
from poolctl.triage.normalize import cluster_text, short_hash, signature

MAX_CLUSTER_TEXT = 600  # characters of a cluster's normalised text kept in the report


def group_findings(
    findings: Sequence[Finding], signed: Sequence[str] | None = None
) -> tuple[FailureGroup, ...]:
    """The diagnosed findings in groups of identical failures (`signed`: each finding's
    signature, when already computed)."""
    members: dict[tuple[str, str], list[int]] = {}
    numbers: dict[str, int] = {}
    for index, finding in enumerate(findings):
        outcome = finding.outcome
        if not isinstance(outcome, Diagnosis):
            continue
        sig = signed[index] if signed is not None else signature(finding.failure)
        key = (outcome.pattern_id, sig)
        members.setdefault(key, []).append(index)
        numbers[outcome.pattern_id] = outcome.pattern_number
    groups = [
        FailureGroup(short_hash(f"{pattern_id}\n{sig}"), pattern_id, _best_first(findings, indexes))
        for (pattern_id, sig), indexes in members.items()
    ]
    groups.sort(key=lambda g: (numbers[g.pattern_id or ""], -len(g.findings), min(g.findings)))
    return tuple(groups)


def _best_first(findings: Sequence[Finding], indexes: list[int]) -> tuple[int, ...]:
    """`indexes` with the failure diagnosed with the most confidence and facts first."""

    def strength(i: int) -> tuple[float, int, int]:
        outcome = findings[i].outcome
        assert isinstance(outcome, Diagnosis)
        return (outcome.confidence, len(outcome.facts), -i)

    best = max(indexes, key=strength)
    return (best, *(i for i in indexes if i != best))


def cluster_findings(
    findings: Sequence[Finding], signed: Sequence[str] | None = None
) -> tuple[Cluster, ...]:
    """The unclassified findings clustered by the shape of their message."""
    members: dict[str, list[int]] = {}
    for index, finding in enumerate(findings):
        if isinstance(finding.outcome, Unclassified):
            sig = signed[index] if signed is not None else None
            members.setdefault(cluster_text(finding.failure, sig), []).append(index)
    clusters = []
    for text, indexes in members.items():
        nearest = Counter(
            o.nearest
            for i in indexes
            if isinstance(o := findings[i].outcome, Unclassified) and o.nearest
        ).most_common(1)
        clusters.append(
            Cluster(
                id=short_hash(text),
                text=text[:MAX_CLUSTER_TEXT],
                findings=tuple(indexes),
                nearest=nearest[0][0] if nearest else None,
            )
        )
    clusters.sort(key=lambda c: (-len(c.findings), c.findings[0]))
    return tuple(clusters)
