"""The by-pattern terminal layout of a triage (and of a scenario run): a summary table, a
section per pattern with its failures and candidate causes, the fix plan, the unclassified
failures, checks, notes and the worker tracebacks."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from poolctl.model import Diagnosis, Evidence, Finding, Report, TriageDetails
from poolctl.report.term_marks import CHECK_MARK, HYPOTHESIS_MARK
from poolctl.report.view import (
    PatternSection,
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
)

MAX_EVIDENCE = 6  # per failure; the Markdown and JSON views keep all
MAX_NAMES = 6  # failures named per fix-plan step


def render(report: Report, console: Console) -> None:
    """The report, pattern by pattern."""
    _Layout(console, report).report()


class _Layout:
    def __init__(self, console: Console, report: Report) -> None:
        self.c = console
        self.r = report
        self.short = shortener(report)

    def p(self, text: str = "") -> None:
        self.c.print(text)

    def o(self, origin: str) -> str:
        return escape(self.short(origin))

    def report(self) -> None:
        r = self.r
        self.p(f"[bold]poolctl {escape(r.kind)}[/] — {escape(r.title)}")
        for line in read_summary(r):
            self.p(f"[dim]{escape(self.short(line))}[/]")
        self.p(f"[bold]{escape(summary_line(r))}[/]")
        self.summary_table()
        for section in pattern_sections(r):
            self.section(section)
        self.fixes()
        self.unclassified()
        self.checks()
        self.notes()
        self.appendix()
        if r.run_dir:
            self.p()
            self.p(f"run folder: {escape(r.run_dir)}")

    def summary_table(self) -> None:
        sections = pattern_sections(self.r)
        if not sections and not self.r.unclassified:
            return
        table = Table(show_edge=False, box=None, pad_edge=False, padding=(0, 2, 0, 0))
        table.add_column("#", justify="right")
        table.add_column("pattern")
        table.add_column("failures", justify="right")
        for s in sections:
            table.add_row(
                str(s.number), f"{escape(s.pattern_id)} — {escape(s.title)}", str(len(s.findings))
            )
        if self.r.unclassified:
            table.add_row("–", "unclassified", str(len(self.r.unclassified)))
        self.p()
        self.c.print(table)

    def section(self, s: PatternSection) -> None:
        self.p()
        noun = "failure" if len(s.findings) == 1 else "failures"
        self.p(
            f"[bold]━━ Pattern {s.number} · {escape(s.pattern_id)} — {escape(s.title)} "
            f"({len(s.findings)} {noun})[/]"
        )
        for finding in s.findings:
            self.finding(finding)
        if s.causes:
            if all(c.status == "untested" for c in s.causes):
                self.p("  [bold]Candidate causes[/] (none has evidence in this log: all untested)")
            else:
                self.p("  [bold]Candidate causes[/]")
            for cause in s.causes:
                label = f" [dim]({escape(cause.label)})[/]" if cause.label else ""
                self.p(f"    {HYPOTHESIS_MARK[cause.status]} {escape(cause.title)}{label}")
                if cause.status == "untested":
                    self.p(f"        [dim]{escape(how_to_tell(cause.reason))}[/]")
                for ev in cause.evidence:
                    self.p(f"        [dim]{escape(self.short(ev))}[/]")
        self.p("  [bold]Recommendation[/]")
        for remediation in s.remediations:
            self.p(f"    {escape(remediation)}")
        if s.reproduce:
            self.p(f"  [bold]Reproduce[/]  {escape(s.reproduce)}")

    def evidence(self, items: tuple[Evidence, ...], indent: str) -> None:
        for ev in items[:MAX_EVIDENCE]:
            note = f" [dim]— {escape(ev.note)}[/]" if ev.note else ""
            self.p(f"{indent}• {escape(ev.text)}  [dim]({self.o(ev.origin)})[/]{note}")
        if len(items) > MAX_EVIDENCE:
            self.p(f"{indent}[dim]… {len(items) - MAX_EVIDENCE} more (see report.md)[/]")

    def finding(self, finding: Finding) -> None:
        d = finding.outcome
        assert isinstance(d, Diagnosis)
        f = finding.failure
        where = f"  [dim]{self.o(f.origin)}[/]" if f.origin else ""
        self.p(f"  [red]✗[/] {escape(failure_label(f))}{where}  confidence {d.confidence:.2f}")
        self.p(f"    [dim]{escape(failure_headline(f))}[/]")
        if d.cause:
            self.p(f"    likely cause: {escape(d.cause)}")
        self.evidence(d.evidence, "    ")
        if d.facts:
            facts = " · ".join(f"{k} = {fmt_value(v)}" for k, v in d.facts.items())
            self.p(f"    facts: {escape(facts)}")
        for h in d.hypotheses:
            if h.status == "untested":
                continue
            reason = f" — {escape(h.reason)}" if h.reason and not h.evidence else ""
            self.p(f"    {HYPOTHESIS_MARK[h.status]} {escape(h.title)}{reason}")
            for ev in h.evidence:
                self.p(f"        [dim]{escape(ev.text)} ({self.o(ev.origin)})[/]")

    def fixes(self) -> None:
        plan = fix_plan(self.r)
        if not plan:
            return
        self.p()
        self.p("[bold]Fix plan[/] [dim](the fix resolving most failures first)[/]")
        for fix in plan:
            n = len(fix.findings)
            self.p(
                f"  {fix.rank}. [bold]resolves {n} failure{'s' if n != 1 else ''}[/] · "
                f"pattern {fix.number} ({escape(fix.pattern_id)})"
            )
            self.p(f"     {escape(fix.remediation)}")
            names = [self.short(f.failure.origin or f.failure.name) for f in fix.findings]
            more = f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else ""
            self.p(f"     [dim]{escape(', '.join(names[:MAX_NAMES]))}{more}[/]")

    def unclassified(self) -> None:
        if not self.r.unclassified:
            return
        self.p()
        self.p(f"[bold]Unclassified ({len(self.r.unclassified)})[/]")
        for finding in self.r.unclassified:
            u = unclassified(finding)
            f = finding.failure
            where = f"  [dim]{self.o(f.origin)}[/]" if f.origin else ""
            self.p(f"  [yellow]?[/] {escape(failure_label(f))}{where}")
            self.p(f"    [dim]{escape(failure_headline(f))}[/]")
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
        details = detail_rows(self.r)
        if not self.r.notes and not details:
            return
        self.p()
        if self.r.notes:
            self.p("[bold]Notes[/]")
            for note in self.r.notes:
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
        for item in items:
            title = escape(item.exception or "traceback")
            self.p(f"  [bold]{title}[/]  [dim]({self.o(item.origin)})[/]")
            for line in item.text.splitlines():
                self.p(f"    [dim]{escape(line)}[/]")
        triage = details_of(self.r, TriageDetails)
        omitted = triage.tracebacks_omitted if triage is not None else 0
        if omitted:
            self.p(f"  [dim]… {omitted} more not kept[/]")
