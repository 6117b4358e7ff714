"""The GitHub-flavoured Markdown view: headings, tables, `<details>` for long evidence."""

from __future__ import annotations

import re

from poolctl.model import Diagnosis, Evidence, Finding, Report, TriageDetails
from poolctl.report.combine import split
from poolctl.report.groups_view import (
    GroupView,
    cluster_headline,
    cluster_views,
    clusters_of,
    failure_names,
    groups_of,
    pattern_groups,
    unread_line,
    unread_regions,
)
from poolctl.report.view import (
    detail_rows,
    details_of,
    failure_headline,
    failure_label,
    fix_plan,
    fmt_value,
    how_to_tell,
    pattern_sections,
    read_summary,
    shortener,
    summary_line,
    tracebacks,
    unclassified,
    unclassified_count,
)

STATUS = {"confirmed": "✓ confirmed", "ruled-out": "✗ ruled out", "untested": "? untested"}
CHECK = {"ok": "✓", "warn": "!", "fail": "✗"}
FOLD_AFTER = 4  # evidence lists longer than this are folded into <details>
FULL_GROUPS = 20  # groups of a pattern shown in full; the others are rows of a table
MAX_NAMES = 50  # failures named per group or cluster (report.json lists them all)
MAX_CLUSTERS = 100  # clusters listed (report.json lists them all)


def text(value: str) -> str:
    """Plain text safe in Markdown and in a table cell: HTML, emphasis and pipes escaped."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = re.sub(r"([\\`*_\[\]|#])", r"\\\1", value)
    return " ".join(value.split("\n"))


def prose(value: str) -> str:
    """Authored text (a remediation, a cause): its `code spans` kept, the rest escaped."""
    out = []
    for part in re.split(r"(`[^`\n]+`)", value):
        if len(part) > 1 and part.startswith("`") and part.endswith("`"):
            out.append(part.replace("|", "\\|"))
        else:
            out.append(text(part))
    return "".join(out)


def code(value: str) -> str:
    """An inline code span that holds any text (backticks and pipes too), on one line."""
    value = " ".join(value.split("\n")).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def block(value: str, lang: str = "") -> str:
    """A fenced code block that holds any text."""
    longest = max((len(m) for m in re.findall(r"`{3,}", value)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{lang}\n{value.rstrip()}\n{fence}"


class MarkdownWriter:
    """GitHub-flavoured Markdown, for a pull-request comment or a CI job summary."""

    def render(self, report: Report) -> str:
        """The report; a combined one as each of its runs, one after another."""
        return "\n".join(_Doc(run).render() for run in split(report))


class _Doc:
    def __init__(self, report: Report) -> None:
        self.r = report
        self.short = shortener(report)
        self.out: list[str] = []

    def w(self, line: str = "") -> None:
        self.out.append(line)

    def render(self) -> str:
        r = self.r
        self.w(f"# poolctl {text(r.kind)}: {text(self.short(r.title))}")
        self.w()
        if r.inputs:
            self.w("Input: " + ", ".join(code(i) for i in r.inputs))
            self.w()
        for line in read_summary(r):
            self.w(f"- {text(self.short(line))}")
        if read_summary(r):
            self.w()
        self.w(f"**{text(summary_line(r))}**")
        self.w()
        self.unread()
        self.summary_table()
        self.sections()
        self.fixes()
        self.unclassified()
        self.checks()
        self.notes()
        self.appendix()
        if r.run_dir:
            self.w(f"Run folder: {code(r.run_dir)}")
            self.w()
        return "\n".join(self.out).rstrip() + "\n"

    def summary_table(self) -> None:
        sections = pattern_sections(self.r)
        if not sections and not unclassified_count(self.r):
            return
        self.w("| # | pattern | failures |")
        self.w("|---:|---|---:|")
        for s in sections:
            self.w(f"| {s.number} | {code(s.pattern_id)} {text(s.title)} | {s.size} |")
        if unclassified_count(self.r):
            self.w(f"| – | unclassified | {unclassified_count(self.r)} |")
        self.w()

    def sections(self) -> None:
        for s in pattern_sections(self.r):
            noun = "failure" if s.size == 1 else "failures"
            self.w(
                f"## Pattern {s.number}: {text(s.title)} ({code(s.pattern_id)}, {s.size} {noun})"
            )
            self.w()
            groups = pattern_groups(self.r, s.pattern_id, s.findings)
            full = FULL_GROUPS if groups_of(self.r) else len(groups)  # ungrouped: each in full
            for group in groups[:full]:
                self.finding(group.first, group)
            self.group_table(groups[full:])
            if s.causes:
                untested = all(c.status == "untested" for c in s.causes)
                note = " (none has evidence in this log: all untested)" if untested else ""
                self.w(f"**Candidate causes**{note}")
                self.w()
                self.w("| status | cause | evidence, or how to tell |")
                self.w("|---|---|---|")
                for c in s.causes:
                    if c.evidence:
                        why = text("; ".join(self.short(e) for e in c.evidence))
                    elif c.status == "untested":
                        why = prose(how_to_tell(c.reason))
                    else:
                        why = prose(c.reason)
                    label = STATUS[c.status] + (f" ({text(c.label)})" if c.label else "")
                    self.w(f"| {label} | {prose(c.title)} | {why} |")
                self.w()
            self.w("**Recommendation**")
            self.w()
            for remediation in s.remediations:
                self.w(f"- {prose(remediation)}")
            self.w()
            if s.reproduce:
                self.w(f"**Reproduce**: {code(s.reproduce)}")
                self.w()

    def named(self, finding: Finding) -> str:
        f = finding.failure
        return f"{failure_label(f)} ({self.short(f.origin)})" if f.origin else failure_label(f)

    def unread(self) -> None:
        line = unread_line(self.r)
        if line is None:
            return
        self.w(f"**{text(line)}.** Where they may be:")
        self.w()
        for region in unread_regions(self.r):
            self.w(f"- {code(self.short(region.origin))}: {text(self.short(region.why))}")
        self.w()

    def group_table(self, groups: list[GroupView]) -> None:
        if not groups:
            return
        self.w(f"{len(groups)} more groups:")
        self.w()
        self.w("| × | error | failures |")
        self.w("|---:|---|---|")
        for group in groups:
            names = failure_names(group.findings, self.named, MAX_NAMES)
            headline = failure_headline(group.first.failure)
            self.w(f"| {group.size} | {code(headline)} | {text(names)} |")
        self.w()

    def finding(self, finding: Finding, group: GroupView | None = None) -> None:
        d = finding.outcome
        assert isinstance(d, Diagnosis)
        f = finding.failure
        where = f" — {code(self.short(f.origin))}" if f.origin else ""
        count = group.size if group is not None else 1
        times = f"×{count} " if count > 1 else ""
        self.w(f"### {times}{text(failure_label(f))}{where}")
        self.w()
        if group is not None and count > 1:
            names = failure_names(group.findings[1:], self.named, MAX_NAMES)
            self.w(f"The same failure in: {text(names)}")
            self.w()
        self.w(f"{code(failure_headline(f))} · confidence {d.confidence:.2f}")
        self.w()
        self.evidence(d.evidence)
        if d.facts:
            facts = " · ".join(f"{text(k)} = {code(fmt_value(v))}" for k, v in d.facts.items())
            self.w(f"Facts: {facts}")
            self.w()
        tested = [h for h in d.hypotheses if h.status != "untested"]
        if tested:
            self.w(f"Likely cause: {prose(d.cause)}")
            self.w()
        for h in tested:
            why = f" — {text(h.reason)}" if h.reason and not h.evidence else ""
            self.w(f"- {STATUS[h.status]}: {prose(h.title)}{why}")
            for ev in h.evidence:
                self.w(f"  - {code(ev.text)} ({text(self.short(ev.origin))})")
        if tested:
            self.w()

    def evidence(self, items: tuple[Evidence, ...]) -> None:
        if not items:
            return
        lines = [
            f"- {code(e.text)} ({text(self.short(e.origin))})"
            + (f" — {text(e.note)}" if e.note else "")
            for e in items
        ]
        folded = len(lines) > FOLD_AFTER
        if folded:
            self.w(f"<details><summary>Evidence ({len(lines)} lines)</summary>")
        else:
            self.w("Evidence:")
        self.w()
        for line in lines:
            self.w(line)
        self.w()
        if folded:
            self.w("</details>")
            self.w()

    def fixes(self) -> None:
        plan = fix_plan(self.r)
        if not plan:
            return
        self.w("## Fix plan")
        self.w()
        self.w("| # | resolves | pattern | fix | failures |")
        self.w("|---:|---:|---|---|---|")
        for fix in plan:
            where = ", ".join(
                code(self.short(f.failure.origin or f.failure.name)) for f in fix.findings
            )
            self.w(
                f"| {fix.rank} | {len(fix.findings)} | {fix.number} {code(fix.pattern_id)} | "
                f"{prose(fix.remediation)} | {where} |"
            )
        self.w()

    def unclassified(self) -> None:
        if not self.r.unclassified:
            return
        clusters = cluster_views(self.r)
        clustered = len(clusters_of(self.r))
        n = unclassified_count(self.r)
        by = f" in {clustered} clusters" if clustered and clustered < n else ""
        self.w(f"## Unclassified ({n}{by})")
        self.w()
        if clustered:
            self.w(
                "Clusters by size; a starter pattern from one: "
                f"{code('poolctl patterns new --from LOG --cluster ID')}."
            )
            self.w()
            self.w("| cluster | × | error | failures | nearest pattern | why not |")
            self.w("|---|---:|---|---|---|---|")
        else:
            self.w("| failure | where | error | nearest pattern | why not |")
            self.w("|---|---|---|---|---|")
        for cluster in clusters[:MAX_CLUSTERS]:
            u = unclassified(cluster.first)
            f = cluster.first.failure
            nearest = f"{code(u.nearest)} ({u.score:.2f})" if u.nearest else "none"
            why = text(self.short(u.why))
            if not clustered:
                where = code(self.short(f.origin)) if f.origin else ""
                self.w(
                    f"| {text(failure_label(f))} | {where} | {code(failure_headline(f))} | "
                    f"{nearest} | {why} |"
                )
                continue
            headline = (
                failure_headline(f) if len(cluster.findings) == 1 else cluster_headline(cluster)
            )
            names = text(failure_names(cluster.findings, self.named, MAX_NAMES))
            self.w(
                f"| {code(cluster.id or '')} | {cluster.size} | {code(headline)} | "
                f"{names} | {nearest} | {why} |"
            )
        if len(clusters) > MAX_CLUSTERS:
            self.w()
            self.w(f"… {len(clusters) - MAX_CLUSTERS} more clusters in report.json.")
        self.w()

    def checks(self) -> None:
        if not self.r.checks:
            return
        self.w("## Checks")
        self.w()
        self.w("| | section | check | result | remedy |")
        self.w("|---|---|---|---|---|")
        for check in self.r.checks:
            self.w(
                f"| {CHECK[check.status]} | {text(check.section)} | {text(check.name)} | "
                f"{text(check.summary)} | {prose(check.remedy)} |"
            )
        self.w()

    def notes(self) -> None:
        details = detail_rows(self.r)
        if not self.r.notes and not details:
            return
        self.w("## Notes")
        self.w()
        for note in self.r.notes:
            self.w(f"- {text(self.short(note))}")
        for key, value in details:
            self.w(f"- {code(key)}: {text(value)}")
        self.w()

    def appendix(self) -> None:
        items = tracebacks(self.r)
        if not items:
            return
        self.w(f"## Appendix: worker tracebacks in the log ({len(items)})")
        self.w()
        for item in items:
            title = text(item.exception or "traceback")
            self.w(f"<details><summary>{title} ({text(self.short(item.origin))})</summary>")
            self.w()
            self.w(block(item.text))
            self.w()
            self.w("</details>")
            self.w()
        triage = details_of(self.r, TriageDetails)
        omitted = triage.tracebacks_omitted if triage is not None else 0
        if omitted:
            self.w(f"… {omitted} more not kept.")
            self.w()
