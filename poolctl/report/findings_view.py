"""The by-pattern terminal layout of a triage (and of a scenario run), verdict first: the
summary (and the failures a runner counted that were not read), the fix plan, then a section
per pattern with its groups of identical failures, the unclassified failures by cluster, checks
and notes. What backs each group (its evidence, facts, candidate causes, the worker tracebacks)
is shown with `verbose`; `quiet` stops after the fix plan; `top` keeps the N biggest groups. A
big log stays within a few screens: past the caps below, the Markdown and JSON views have the
rest."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from poolctl.model import Diagnosis, Evidence, Finding, Report, TriageDetails
from poolctl.report.groups_view import (
    ClusterView,
    GroupView,
    cluster_headline,
    cluster_views,
    clusters_of,
    failure_names,
    groups_of,
    kept_groups,
    total_groups,
    unread_line,
    unread_regions,
)
from poolctl.report.term_marks import CHECK_MARK, hypothesis_line
from poolctl.report.view import (
    PatternSection,
    detail_rows,
    details_of,
    failure_headline,
    fix_plan,
    fmt_value,
    history_tag,
    how_to_tell,
    pattern_sections,
    read_summary,
    shortener,
    shown_label,
    summary_line,
    tracebacks,
    unclassified,
    unclassified_count,
)
from poolctl.termtext import escape, one_line

MAX_EVIDENCE = 6  # per failure; the Markdown and JSON views keep all
MAX_NAMES = 4  # failures named per fix-plan step
MAX_MEMBERS = 3  # failures named per group or cluster
FULL_GROUPS = 3  # groups of a pattern shown in full; past that, only the first one
MAX_GROUPS = 6  # groups listed per pattern
MAX_CLUSTERS = 10  # clusters of unclassified failures listed
MAX_REGIONS = 5  # unread regions listed
MAX_FIXES = 5  # fix-plan steps listed
MAX_REMEDIATIONS = 3  # distinct recommendations listed per pattern
MAX_TRACEBACKS = 3  # worker tracebacks shown, each cut to its first and last lines
TRACEBACK_LINES = 8
MAX_RUNNER_LINES = 10  # the runners' closing lines (a JUnit suite's counts) listed


def render(
    report: Report,
    console: Console,
    *,
    verbose: bool = False,
    quiet: bool = False,
    top: int | None = None,
    heading: bool = True,
) -> None:
    """The report, verdict first: summary, fix plan, then pattern by pattern (`heading`: after
    a title line; a scenario run has its verdict line instead)."""
    _Layout(console, report, verbose=verbose, quiet=quiet, top=top).report(heading)


class _Layout:
    def __init__(
        self, console: Console, report: Report, *, verbose: bool, quiet: bool, top: int | None
    ) -> None:
        self.c = console
        self.r = report
        self.short = shortener(report)
        self.verbose = verbose
        self.quiet = quiet
        self.top = top
        self.kept = kept_groups(report, top)
        self.lines: list[Text] = []

    def p(self, text: str = "") -> None:
        """One line, printed with the lines before it (rich's cost is mostly per print call)."""
        self.lines.append(self.c.render_str(text))

    def flush(self) -> None:
        if self.lines:
            self.c.print(Group(*self.lines))
            self.lines.clear()

    def o(self, origin: str) -> str:
        return escape(one_line(self.short(origin)))

    def report(self, heading: bool = True) -> None:
        try:
            self._report(heading)
        finally:
            self.flush()

    def _report(self, heading: bool) -> None:
        r = self.r
        if heading:
            self.p(f"[bold]poolctl {escape(r.kind)}[/] — {escape(one_line(r.title))}")
        if heading or r.findings:
            self.p(f"[bold]{escape(summary_line(r))}[/]")
        self.unread()
        self.fixes()
        if self.quiet:
            return
        read = read_summary(r)
        if read:
            self.p()
        runners = [line for line in read if line.startswith("runner: ")]
        for line in [line for line in read if line not in runners] + runners[:MAX_RUNNER_LINES]:
            self.p(f"[dim]{escape(self.short(line))}[/]")
        if len(runners) > MAX_RUNNER_LINES:
            more = len(runners) - MAX_RUNNER_LINES
            self.p(f"[dim]… {more:,} more runner lines in the Markdown and JSON reports[/]")
        self.summary_table()
        for section in pattern_sections(r):
            self.section(section)
        self.unclassified()
        self.checks()
        self.notes()
        if self.verbose:
            self.appendix()
        self.hint()
        if r.run_dir:
            self.p()
            self.p(f"run folder: {escape(r.run_dir)}")

    def hint(self) -> None:
        """What `-v` and `--top` would show that is not shown."""
        hidden = []
        if not self.verbose and (self.r.diagnosed or tracebacks(self.r)):
            hidden.append("-v shows the evidence and candidate causes")
        left = total_groups(self.r) - sum(len(v) for v in self.kept.values())
        if self.top is not None and left > 0:
            hidden.append(f"{left} more group(s) past --top {self.top}")
        if hidden:
            self.p()
            self.p(f"[dim]{escape('; '.join(hidden))}[/]")

    def summary_table(self) -> None:
        sections = pattern_sections(self.r)
        if not sections and not unclassified_count(self.r):
            return
        table = Table(show_edge=False, box=None, pad_edge=False, padding=(0, 2, 0, 0))
        table.add_column("#", justify="right")
        table.add_column("pattern")
        table.add_column("failures", justify="right")
        for s in sections:
            table.add_row(str(s.number), f"{escape(s.pattern_id)} — {escape(s.title)}", str(s.size))
        if unclassified_count(self.r):
            table.add_row("–", "unclassified", str(unclassified_count(self.r)))
        self.p()
        self.flush()
        self.c.print(table)

    def section(self, s: PatternSection) -> None:
        groups = self.kept.get(s.pattern_id, [])
        if not groups:
            return  # past --top: its failures are in the summary table and the fix plan
        self.p()
        noun = "failure" if s.size == 1 else "failures"
        self.p(
            f"[bold]━━ Pattern {s.number} · {escape(s.pattern_id)} — {escape(s.title)} "
            f"({s.size} {noun})[/]"
        )
        full = len(groups) if len(groups) <= FULL_GROUPS else 1
        if not groups_of(self.r):  # a report without groups (a scenario run): each failure in full
            full = len(groups)
        shown = max(full, MAX_GROUPS)
        for index, group in enumerate(groups[:shown]):
            if index < full:
                self.finding(group.first, group)
            else:
                self.group_line(group)
        if len(groups) > shown:
            rest = groups[shown:]
            n = sum(g.size for g in rest)
            self.p(f"  [dim]… {len(rest)} more groups ({n} failures) in report.md[/]")
        if s.causes and self.verbose:
            if all(c.status == "untested" for c in s.causes):
                self.p("  [bold]Candidate causes[/] (none has evidence in this log: all untested)")
            else:
                self.p("  [bold]Candidate causes[/]")
            for cause in s.causes:
                label = f" [dim]({escape(cause.label)})[/]" if cause.label else ""
                self.p(hypothesis_line(cause.status, f"{escape(cause.title)}{label}", "    "))
                if cause.status == "untested":
                    self.p(f"        [dim]{escape(how_to_tell(cause.reason))}[/]")
                for ev in cause.evidence:
                    self.p(f"        [dim]{escape(self.short(ev))}[/]")
        if self.verbose:  # the fix plan above has them; here, each next to its failures
            self.p("  [bold]Recommendation[/]")
            for remediation in s.remediations[:MAX_REMEDIATIONS]:
                self.p(f"    {escape(remediation)}")
            if len(s.remediations) > MAX_REMEDIATIONS:
                more = len(s.remediations) - MAX_REMEDIATIONS
                self.p(f"    [dim]… {more} more, each for its own facts (report.md)[/]")
        if s.reproduce:
            self.p(f"  [bold]Reproduce[/]  {escape(s.reproduce)}")

    def evidence(self, items: tuple[Evidence, ...], indent: str) -> None:
        for ev in items[:MAX_EVIDENCE]:
            note = f" [dim]— {escape(ev.note)}[/]" if ev.note else ""
            self.p(f"{indent}• {escape(ev.text)}  [dim]({self.o(ev.origin)})[/]{note}")
        if len(items) > MAX_EVIDENCE:
            self.p(f"{indent}[dim]… {len(items) - MAX_EVIDENCE} more (see report.md)[/]")

    def named(self, finding: Finding) -> str:
        f = finding.failure
        name = one_line(f.name)
        return f"{name} ({self.short(f.origin)})" if f.origin else name

    def tag(self, finding: Finding) -> str:
        """`  [new]`, `  [flaky]`, `  [known: 3 earlier runs since …]` with run history."""
        tag = history_tag(finding)
        if not tag:
            return ""
        style = {"new": "bold magenta", "flaky": "yellow"}.get(tag, "dim")
        return f"  [{style}]\\[{escape(tag)}][/]"

    def flaky_mark(self, finding: Finding) -> str:
        return " (flaky)" if history_tag(finding) == "flaky" else ""

    def group_line(self, group: GroupView) -> None:
        """A group in two lines: its headline and the failures it holds."""
        f = group.first.failure
        count = f"×{group.size} " if group.size > 1 else ""
        self.p(f"  [red]✗[/] {count}{escape(failure_headline(f))}{self.tag(group.first)}")
        names = failure_names(group.findings, self.named, MAX_MEMBERS)
        self.p(f"    [dim]{escape(names)}[/]")

    def finding(self, finding: Finding, group: GroupView | None = None) -> None:
        d = finding.outcome
        assert isinstance(d, Diagnosis)
        f = finding.failure
        where = f"  [dim]{self.o(f.origin)}[/]" if f.origin else ""
        count = f"×{group.size} " if group is not None and group.size > 1 else ""
        self.p(
            f"  [red]✗[/] {count}{escape(shown_label(f))}{where}  confidence {d.confidence:.2f}"
            f"{self.tag(finding)}"
        )
        if group is not None and len(group.findings) > 1:
            names = failure_names(group.findings[1:], self.named, MAX_MEMBERS, group.more)
            self.p(f"    [dim]also: {escape(names)}[/]")
        self.p(f"    [dim]{escape(failure_headline(f))}[/]")
        if d.cause:
            self.p(f"    likely cause: {escape(d.cause)}")
        if not self.verbose:
            return
        self.evidence(d.evidence, "    ")
        if d.facts:
            facts = " · ".join(f"{k} = {fmt_value(v)}" for k, v in d.facts.items())
            self.p(f"    facts: {escape(facts)}")
        for h in d.hypotheses:
            if h.status == "untested":
                continue
            reason = f" — {escape(h.reason)}" if h.reason and not h.evidence else ""
            self.p(hypothesis_line(h.status, f"{escape(h.title)}{reason}", "    "))
            for ev in h.evidence:
                self.p(f"        [dim]{escape(ev.text)} ({self.o(ev.origin)})[/]")

    def fixes(self) -> None:
        plan = fix_plan(self.r)
        if not plan:
            return
        self.p()
        order = (
            "the fixes of new failures first, then the one resolving most"
            if any(f.history is not None for f in self.r.findings)
            else "the fix resolving most failures first"
        )
        self.p(f"[bold]Fix plan[/] [dim]({order})[/]")
        for fix in plan[:MAX_FIXES]:
            n = fix.size
            new = sum(1 for f in fix.findings if history_tag(f) == "new")
            fresh = f" [bold magenta]({new} new)[/]" if new else ""
            self.p(
                f"  {fix.rank}. [bold]resolves {n} failure{'s' if n != 1 else ''}[/]{fresh} · "
                f"pattern {fix.number} ({escape(fix.pattern_id)})"
            )
            self.p(f"     {escape(fix.remediation)}")
            if self.quiet:
                continue
            names = [
                one_line(self.short(f.failure.origin or f.failure.name)) + self.flaky_mark(f)
                for f in fix.findings
            ]
            more = f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else ""
            self.p(f"     [dim]{escape(', '.join(names[:MAX_NAMES]))}{more}[/]")
        if len(plan) > MAX_FIXES:
            rest = plan[MAX_FIXES:]
            n = sum(len(fix.findings) for fix in rest)
            self.p(f"  [dim]… {len(rest)} more steps ({n} failures) in report.md[/]")

    def unread(self) -> None:
        """The failures a runner counted that were not read, and where they may be."""
        line = unread_line(self.r)
        if line is None:
            return
        self.p(f"[bold red]{escape(line)}[/] — where they may be:")
        regions = unread_regions(self.r)
        for region in regions[:MAX_REGIONS]:
            self.p(f"  [red]![/] {self.o(region.origin)}  [dim]{escape(self.short(region.why))}[/]")
        if len(regions) > MAX_REGIONS:
            self.p(f"  [dim]… {len(regions) - MAX_REGIONS} more regions in report.md[/]")

    def unclassified(self) -> None:
        if not self.r.unclassified:
            return
        clusters = cluster_views(self.r)
        clustered = len(clusters_of(self.r))
        self.p()
        n = unclassified_count(self.r)
        by = f" in {clustered} clusters" if clustered and clustered < n else ""
        self.p(f"[bold]Unclassified ({n}{by})[/]")
        shown = min(MAX_CLUSTERS, self.top or MAX_CLUSTERS)
        for cluster in clusters[:shown]:
            self.cluster(cluster)
        if len(clusters) > shown:
            rest = clusters[shown:]
            count = sum(c.size for c in rest)
            self.p(f"  [dim]… {len(rest)} more clusters ({count} failures) in report.md[/]")
        if clustered:
            self.p(
                "  [dim]a pattern from a cluster: poolctl patterns new --from LOG --cluster ID[/]"
            )

    def cluster(self, cluster: ClusterView) -> None:
        finding = cluster.first
        u = unclassified(finding)
        f = finding.failure
        tag = f"  [dim]\\[{escape(cluster.id)}][/]" if cluster.id else ""
        if cluster.size == 1:
            where = f"  [dim]{self.o(f.origin)}[/]" if f.origin else ""
            self.p(f"  [yellow]?[/] {escape(shown_label(f))}{where}{tag}{self.tag(finding)}")
            self.p(f"    [dim]{escape(failure_headline(f))}[/]")
        else:
            self.p(
                f"  [yellow]?[/] ×{cluster.size} {escape(cluster_headline(cluster))}{tag}"
                f"{self.tag(finding)}"
            )
            names = failure_names(cluster.findings, self.named, MAX_MEMBERS)
            self.p(f"    [dim]{escape(names)}[/]")
        nearest = f"nearest {escape(u.nearest)} ({u.score:.2f}): " if u.nearest else ""
        self.p(f"    {nearest}{escape(self.short(u.why))}")

    def checks(self) -> None:
        if not self.r.checks:
            return
        self.p()
        self.p("[bold]Checks[/]")
        section = None
        for check in self.r.checks:
            if check.section != section:
                section = check.section
                self.p(f"  [bold]{escape(section)}[/]")
            self.p(f"    {CHECK_MARK[check.status]} {escape(check.name)}: {escape(check.summary)}")
            if check.remedy:
                self.p(f"        → {escape(check.remedy)}")
            self.evidence(check.evidence, "        ")

    def notes(self) -> None:
        details = detail_rows(self.r) if self.verbose else []
        if not self.r.notes and not details:
            return
        self.p()
        if self.r.notes:
            self.p("[bold]Notes[/]")
            for note in dict.fromkeys(self.r.notes):  # each once
                self.p(f"  • {escape(self.short(note))}")
        if details:
            self.p("[bold]Details[/]")
            for key, value in details:
                self.p(f"  {escape(key)}: {escape(value)}")

    def appendix(self) -> None:
        items = tracebacks(self.r)
        if not items:
            return
        self.p()
        self.p(f"[bold]Appendix: worker tracebacks in the log ({len(items)})[/]")
        for item in items[:MAX_TRACEBACKS]:
            title = escape(item.exception or "traceback")
            self.p(f"  [bold]{title}[/]  [dim]({self.o(item.origin)})[/]")
            lines = item.text.splitlines()
            if len(lines) > TRACEBACK_LINES:
                cut = len(lines) - TRACEBACK_LINES + 1
                lines = [*lines[:2], f"… {cut} lines …", *lines[-(TRACEBACK_LINES - 3) :]]
            for line in lines:
                self.p(f"    [dim]{escape(line)}[/]")
        if len(items) > MAX_TRACEBACKS:
            self.p(f"  [dim]… {len(items) - MAX_TRACEBACKS} more in report.md[/]")
        triage = details_of(self.r, TriageDetails)
        omitted = triage.tracebacks_omitted if triage is not None else 0
        if omitted:
            self.p(f"  [dim]… {omitted} more not kept[/]")
