"""The terminal view of `doctor`, Flutter-doctor style: a marked line per section, a line per
check, a remedy for each problem, and with `verbose` the evidence behind every check."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from poolctl.model import Check, DoctorDetails, Report
from poolctl.report.term_marks import CHECK_MARK, indented
from poolctl.report.view import details_of

SECTION_MARK = {"ok": "[green][✓][/]", "warn": "[yellow][!][/]", "fail": "[red][✗][/]"}
RANK = {"ok": 0, "warn": 1, "fail": 2}


def _worst(checks: list[Check]) -> str:
    return max((c.status for c in checks), key=RANK.__getitem__)


def render(report: Report, console: Console, *, verbose: bool = False) -> None:
    """The sections in the order of the report's checks, the notes, then the verdict."""
    console.print(f"Doctor summary for {escape(report.title.removeprefix('doctor '))}")
    sections: dict[str, list[Check]] = {}
    for check in report.checks:
        sections.setdefault(check.section, []).append(check)
    for name, checks in sections.items():
        seconds = max(c.seconds for c in checks)
        console.print(f"{SECTION_MARK[_worst(checks)]} {escape(name)} [dim]({seconds:.2f} s)[/]")
        single = len(checks) == 1
        for c in checks:
            lead = "    " if single else f"    {CHECK_MARK[c.status]} "
            pad = "    " if single else "      "
            console.print(lead + indented(c.summary, pad))
            if c.status != "ok" and c.remedy:
                console.print(f"{pad}• {indented(c.remedy, pad + '  ')}")
            if verbose:
                for ev in c.evidence:
                    note = f" — {ev.note}" if ev.note else ""
                    origin = f" ({ev.origin})" if ev.origin else ""
                    body = indented(ev.text + note, pad + "    ")
                    console.print(f"{pad}  [dim]- {body}{escape(origin)}[/]")
    for note in report.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    bad = [s for s, checks in sections.items() if _worst(checks) != "ok"]
    details = details_of(report, DoctorDetails)
    took = f" in {details.seconds:.1f} s" if details is not None else ""
    if bad:
        console.print(
            f"\n{SECTION_MARK[_worst(list(report.checks))]} Doctor found issues in "
            f"{len(bad)} section(s){took}: {escape(', '.join(bad))}"
            + ("" if verbose else " (-v shows the evidence)")
        )
    else:
        console.print(f"\n[green]•[/] No issues found{took}.")
    console.print(f"[dim]run folder: {escape(report.run_dir or '')}[/]")
