"""What the grouped views show: identical failures as one entry, unclassified ones by cluster,
and the failures a runner counted that were not read. `triage/` computes the groups, clusters
and counts (the report's `TriageDetails`); this module only lays them out for the writers. A
report without groups (a scenario run, an older report.json) shows each failure as a group of
one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from poolctl.model import (
    Cluster,
    Coverage,
    FailureGroup,
    Finding,
    Report,
    TriageDetails,
    Unclassified,
    UnreadRegion,
)
from poolctl.report.combine import split
from poolctl.report.view import details_of


@dataclass(frozen=True)
class GroupView:
    """Identical diagnosed failures: shown once, with every test named."""

    key: str | None
    findings: tuple[Finding, ...]
    more: int = 0  # failures past the triage's cap: counted, not listed

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def size(self) -> int:
        return len(self.findings) + self.more


@dataclass(frozen=True)
class ClusterView:
    """Unclassified failures with the same normalised message, and the cluster's id."""

    id: str | None
    text: str
    findings: tuple[Finding, ...]
    nearest: str | None
    more: int = 0  # failures past the triage's cap: counted, not listed

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def size(self) -> int:
        return len(self.findings) + self.more


def groups_of(report: Report) -> tuple[FailureGroup, ...]:
    """The triage's groups of identical failures (none for other reports)."""
    details = details_of(report, TriageDetails)
    return details.groups if details is not None else ()


def clusters_of(report: Report) -> tuple[Cluster, ...]:
    """The triage's clusters of unclassified failures (none for other reports)."""
    details = details_of(report, TriageDetails)
    return details.clusters if details is not None else ()


def coverage_of(report: Report) -> Coverage | None:
    """The runners' counts against the failures read (None when no input has a count)."""
    details = details_of(report, TriageDetails)
    return details.coverage if details is not None else None


def unread_count(report: Report) -> int:
    """The failures the runners counted that were not read, over every run of the report."""
    return sum(c.unread for run in split(report) if (c := coverage_of(run)) is not None)


def pattern_groups(report: Report, pattern_id: str, findings: Sequence[Finding]) -> list[GroupView]:
    """The groups of one pattern's section, biggest first (one per failure without groups)."""
    groups = [
        GroupView(g.key, tuple(report.findings[i] for i in g.findings), g.more)
        for g in groups_of(report)
        if g.pattern_id == pattern_id and g.findings  # not those only counted past the cap
    ]
    return groups or [GroupView(None, (f,)) for f in findings]


def kept_groups(report: Report, top: int | None) -> dict[str, list[GroupView]]:
    """Each pattern's groups shown: all of them, or with `top` the N biggest of the whole
    report (biggest first, in pattern order on a tie), each pattern's in its own order."""
    by_pattern = {
        pattern_id: pattern_groups(report, pattern_id, findings)
        for pattern_id, findings in report.by_pattern().items()
    }
    if top is None:
        return by_pattern
    ranked = sorted(
        (-len(g.findings), rank, index)
        for rank, gs in enumerate(by_pattern.values())
        for index, g in enumerate(gs)
    )
    keep = {(rank, index) for _, rank, index in ranked[:top]}
    return {
        p: [g for index, g in enumerate(gs) if (rank, index) in keep]
        for rank, (p, gs) in enumerate(by_pattern.items())
    }


def total_groups(report: Report) -> int:
    """How many groups of diagnosed failures the report has."""
    return sum(
        len(pattern_groups(report, p, findings)) for p, findings in report.by_pattern().items()
    )


def cluster_views(report: Report) -> list[ClusterView]:
    """The unclassified failures by cluster, biggest first (one per failure without clusters)."""
    if clusters := clusters_of(report):
        return [
            ClusterView(
                c.id, c.text, tuple(report.findings[i] for i in c.findings), c.nearest, c.more
            )
            for c in clusters
            if c.findings  # not those only counted past the cap
        ]
    out = []
    for finding in report.unclassified:
        assert isinstance(finding.outcome, Unclassified)
        out.append(ClusterView(None, "", (finding,), finding.outcome.nearest))
    return out


def cluster_headline(cluster: ClusterView) -> str:
    """The cluster's normalised message on one line (its first lines, joined)."""
    lines = [line.strip() for line in cluster.text.split("\n") if line.strip()]
    return " · ".join(lines[:3])


def unread_line(report: Report) -> str | None:
    """`4 of the 17 failures the runner counted were not read`, or None when all were read."""
    coverage = coverage_of(report)
    if coverage is None or not coverage.unread:
        return None
    return (
        f"{coverage.unread} of the {coverage.counted} failures the runner counted "
        f"{'was' if coverage.unread == 1 else 'were'} not read"
    )


def unread_regions(report: Report) -> tuple[UnreadRegion, ...]:
    """Where the unread failures may be, in input order."""
    coverage = coverage_of(report)
    return coverage.regions if coverage is not None else ()


def failure_names(
    findings: Sequence[Finding],
    label: Callable[[Finding], str],
    limit: int | None = None,
    counted: int = 0,
) -> str:
    """`a (run.log:1-5), b (run.log:9-12) and 3 more`: the failures of a group or cluster, and
    the `counted` ones past the triage's cap among the more."""
    shown = [label(f) for f in (findings if limit is None else findings[:limit])]
    more = len(findings) - len(shown) + counted
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
