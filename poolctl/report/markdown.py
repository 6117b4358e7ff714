"""The GitHub-flavoured Markdown view, verdict first: the summary and the fix plan, then each
pattern's failures with what backs them folded into `<details>`, tables for the rest."""

from __future__ import annotations

import re

from poolctl.model import Diagnosis, Failure, Finding, Report, ScenarioDetails, TriageDetails
from poolctl.report.combine import split
from poolctl.report.github import RepoLinks
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
from poolctl.report.mermaid import gantt
from poolctl.report.view import (
    detail_rows,
    details_of,
    failure_headline,
    failure_label,
    fix_plan,
    fmt_value,
    history_tag,
    how_to_tell,
    pattern_sections,
    read_summary,
    scenario_verdict,
    shortener,
    summary_line,
    timeline_of,
    tracebacks,
    unclassified,
    unclassified_count,
)
from poolctl.termtext import one_line, visible

STATUS = {"confirmed": "✓ confirmed", "ruled-out": "✗ ruled out", "untested": "? untested"}
CHECK = {"ok": "✓", "warn": "!", "fail": "✗"}
FULL_GROUPS = 20  # groups of a pattern shown in full; the others are rows of a table
MAX_NAMES = 50  # failures named per group or cluster (report.json lists them all)
MAX_CLUSTERS = 100  # clusters listed (report.json lists them all)


# HTML and Markdown's emphasis, links, code, pipes and headings escaped; in text a newline is
# a space, in a name it is written `\n` (`one_line`)
_ESCAPED = {"&": "&amp;", "<": "&lt;", ">": "&gt;"} | {c: "\\" + c for c in "\\`*_[]|#"}
_TEXT = str.maketrans(_ESCAPED | {"\n": " ", "\r": " "})
_NAME = str.maketrans(_ESCAPED)
_CODE_SPAN = re.compile(r"(`[^`\n]+`)")
_BACKTICKS = re.compile(r"`+")


def text(value: str) -> str:
    """Plain text safe in Markdown and in a table cell: control characters visible, HTML,
    emphasis and pipes escaped."""
    return visible(value.translate(_TEXT))  # (a backslash `visible` writes stays one)


def name(value: str) -> str:
    """A test's or a file's name, escaped as `text`, on one line: its newlines, carriage
    returns and tabs written `\\n`, `\\r`, `\\t` (`text` would make them spaces)."""
    return one_line(value.translate(_NAME))


def prose(value: str, *, cell: bool = False) -> str:
    """Authored text (a remediation, a cause): its `code spans` kept (their pipes escaped in a
    table `cell`), the rest escaped."""
    if "`" not in value:
        return text(value)
    out = []
    for part in _CODE_SPAN.split(value):
        if len(part) > 1 and part.startswith("`") and part.endswith("`"):
            out.append(part.replace("|", "\\|") if cell else part)
        else:
            out.append(text(part))
    return "".join(out)


def code(value: str, *, cell: bool = False) -> str:
    """An inline code span that holds any text (backticks too), on one line; in a table `cell`
    its pipes escaped (GFM reads `\\|` there as a pipe; elsewhere it would show the backslash)."""
    value = visible(value.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    if cell:
        value = value.replace("|", "\\|")
    longest = max((len(m) for m in _BACKTICKS.findall(value)), default=0) if "`" in value else 0
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def block(value: str, lang: str = "") -> str:
    """A fenced code block that holds any text (a lone carriage return is a line break)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    longest = max((len(m) for m in re.findall(r"`{3,}", value)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{lang}\n{value.rstrip()}\n{fence}"


class MarkdownWriter:
    """GitHub-flavoured Markdown, for a pull-request comment or a CI job summary; with `links`,
    each test's `file:line` links to the commit under test."""

    def __init__(self, links: RepoLinks | None = None) -> None:
        self.links = links

    def render(self, report: Report) -> str:
        """The report; a combined one as each of its runs, one after another."""
        return "\n".join(_Doc(run, self.links).render() for run in split(report))


class _Doc:
    def __init__(self, report: Report, links: RepoLinks | None = None) -> None:
        self.r = report
        self.short = shortener(report)
        self.links = links
        self.out: list[str] = []

    def test_at(self, failure: Failure) -> str:
        """Where the test is (`file:line`), linked to the repository when links are known."""
        url = self.links.url(failure.location) if self.links and failure.location else None
        if url is None:
            return code(failure.location)
        return f"[{code(failure.location)}]({url})"

    def w(self, line: str = "") -> None:
        self.out.append(line)

    def render(self) -> str:
        r = self.r
        scenario = details_of(r, ScenarioDetails)
        if scenario is not None:  # the title says passed, failed or interrupted
            self.w(f"# Scenario {text(scenario.scenario)}: {scenario_verdict(scenario)}")
        else:
            self.w(f"# poolctl {text(r.kind)}: {text(self.short(r.title))}")
        self.w()
        self.w(f"**{text(summary_line(r))}**")
        self.w()
        self.unread()
        self.fixes()
        self.remedies()
        if r.inputs:
            self.w("Input: " + ", ".join(code(i) for i in r.inputs))
            self.w()
        for line in read_summary(r):
            self.w(f"- {text(self.short(line))}")
        if read_summary(r):
            self.w()
        self.timeline()
        self.summary_table()
        self.sections()
        self.unclassified()
        self.checks()
        self.notes()
        self.appendix()
        if r.run_dir:
            self.w(f"Run folder: {code(r.run_dir)}")
            self.w()
        return "\n".join(self.out).rstrip() + "\n"

    def timeline(self) -> None:
        """The run's timeline as a Mermaid gantt (GitHub draws it), cut with a note when long."""
        timeline = timeline_of(self.r)
        if timeline is None:
            return
        self.w("## Timeline")
        self.w()
        if timeline.pattern:
            self.w(f"Reproduced: **pattern {text(timeline.pattern)}**")
            self.w()
        if timeline.deciding is not None:
            self.w(f"Deciding event: {code(timeline.deciding.label)}")
            self.w()
        chart, left_out = gantt(timeline, self.r.title)
        self.w(block(chart, "mermaid"))
        self.w()
        where = "`timeline.html` and `trace.json` in the run folder"
        if left_out:
            self.w(
                f"> The chart shows the states and events that tell the story; {left_out:,} "
                f"more were left out to keep it within GitHub's Mermaid limits. The whole run "
                f"is in {where}."
            )
        else:
            self.w(f"> Every state and event, with hover details: {where}.")
        self.w()

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
                note = ": none has evidence in this log, all untested" if untested else ""
                self.w(f"<details><summary>Candidate causes ({len(s.causes)}){note}</summary>")
                self.w()
                self.w("| status | cause | evidence, or how to tell |")
                self.w("|---|---|---|")
                for c in s.causes:
                    if c.evidence:
                        why = text("; ".join(self.short(e) for e in c.evidence))
                    elif c.status == "untested":
                        why = prose(how_to_tell(c.reason), cell=True)
                    else:
                        why = prose(c.reason, cell=True)
                    label = STATUS[c.status] + (f" ({text(c.label)})" if c.label else "")
                    self.w(f"| {label} | {prose(c.title, cell=True)} | {why} |")
                self.w()
                self.w("</details>")
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
            self.w(f"| {group.size} | {code(headline, cell=True)} | {name(names)} |")
        self.w()

    def finding(self, finding: Finding, group: GroupView | None = None) -> None:
        d = finding.outcome
        assert isinstance(d, Diagnosis)
        f = finding.failure
        where = f" — {code(self.short(f.origin))}" if f.origin else ""
        count = group.size if group is not None else 1
        times = f"×{count} " if count > 1 else ""
        tag = history_tag(finding)
        seen = f" · _{text(tag)}_" if tag else ""
        self.w(f"### {times}{name(failure_label(f))}{where}{seen}")
        self.w()
        if group is not None and count > 1:
            names = failure_names(group.findings[1:], self.named, MAX_NAMES)
            self.w(f"The same failure in: {name(names)}")
            self.w()
        self.w(f"{code(failure_headline(f))} · confidence {d.confidence:.2f}")
        self.w()
        if f.location:
            self.w(f"Test: {self.test_at(f)}")
            self.w()
        if d.cause:
            self.w(f"Likely cause: {prose(d.cause)}")
            self.w()
        lines = self.backing(d)
        if lines:
            self.w(f"<details><summary>Evidence ({len(d.evidence)}), facts and causes</summary>")
            self.w()
            self.out.extend(lines)
            self.w()
            self.w("</details>")
            self.w()

    def backing(self, d: Diagnosis) -> list[str]:
        """What backs a diagnosis: its evidence, facts and tested causes (Markdown lines)."""
        out = [
            f"- {code(e.text)} ({text(self.short(e.origin))})"
            + (f" — {text(e.note)}" if e.note else "")
            for e in d.evidence
        ]
        if d.facts:
            facts = " · ".join(f"{text(k)} = {code(fmt_value(v))}" for k, v in d.facts.items())
            out += ["", f"Facts: {facts}"]
        tested = [h for h in d.hypotheses if h.status != "untested"]
        if tested:
            out.append("")
        for h in tested:
            why = f" — {text(h.reason)}" if h.reason and not h.evidence else ""
            out.append(f"- {STATUS[h.status]}: {prose(h.title)}{why}")
            for ev in h.evidence:
                out.append(f"  - {code(ev.text)} ({text(self.short(ev.origin))})")
        return out

    def remedies(self) -> None:
        """What the checks that failed or warn ask for, before the table of every check."""
        bad = [c for c in self.r.checks if c.status != "ok" and c.remedy]
        if not bad:
            return
        self.w("## What to fix")
        self.w()
        for c in sorted(bad, key=lambda c: c.status != "fail"):
            self.w(f"- {CHECK[c.status]} {text(c.section)}, {text(c.name)}: {prose(c.remedy)}")
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
                code(one_line(self.short(f.failure.origin or f.failure.name)), cell=True)
                + (" (flaky)" if history_tag(f) == "flaky" else "")
                for f in fix.findings
            )
            new = sum(1 for f in fix.findings if history_tag(f) == "new")
            resolves = f"{fix.size} ({new} new)" if new else f"{fix.size}"
            self.w(
                f"| {fix.rank} | {resolves} | {fix.number} {code(fix.pattern_id)} | "
                f"{prose(fix.remediation, cell=True)} | {where} |"
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
            nearest = f"{code(u.nearest, cell=True)} ({u.score:.2f})" if u.nearest else "none"
            why = text(self.short(u.why))
            if not clustered:
                where = code(self.short(f.origin), cell=True) if f.origin else ""
                headline = code(failure_headline(f), cell=True)
                self.w(f"| {name(failure_label(f))} | {where} | {headline} | {nearest} | {why} |")
                continue
            headline = (
                failure_headline(f) if len(cluster.findings) == 1 else cluster_headline(cluster)
            )
            names = name(failure_names(cluster.findings, self.named, MAX_NAMES))
            self.w(
                f"| {code(cluster.id or '')} | {cluster.size} | {code(headline, cell=True)} | "
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
                f"{text(check.summary)} | {prose(check.remedy, cell=True)} |"
            )
        self.w()

    def notes(self) -> None:
        details = detail_rows(self.r)
        if not self.r.notes and not details:
            return
        self.w("## Notes")
        self.w()
        for note in dict.fromkeys(self.r.notes):  # each once
            self.w(f"- {text(self.short(note))}")
        if self.r.notes:
            self.w()
        if details:
            self.w(f"<details><summary>Run details ({len(details)})</summary>")
            self.w()
            for key, value in details:
                self.w(f"- {code(key)}: {text(value)}")
            self.w()
            self.w("</details>")
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
