"""The terminal view of `doctor`, Flutter-doctor style: a marked line per section, a line per
check, a remedy for each problem, and with `verbose` the evidence behind every check."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console

from poolctl.model import Check, DoctorDetails, Report
from poolctl.report.term_marks import CHECK_MARK, indented
from poolctl.report.view import details_of
from poolctl.termtext import escape
from poolctl.units import fmt_seconds

SECTION_MARK = {"ok": "[green][✓][/]", "warn": "[yellow][!][/]", "fail": "[red][✗][/]"}
RANK = {"ok": 0, "warn": 1, "fail": 2}


def _worst(checks: Sequence[Check]) -> str:
    return max((c.status for c in checks), key=RANK.__getitem__)


def render(report: Report, console: Console, *, verbose: bool = False, quiet: bool = False) -> None:
    """The sections in the order of the report's checks, the notes, then the verdict; with
    `quiet` the verdict alone."""
    if not quiet:
        render_header(report.title.removeprefix("doctor "), console)
        for name, checks in sections_of(report.checks).items():
            render_section(name, checks, console, verbose=verbose)
    render_end(report, console, verbose=verbose, quiet=quiet)


def sections_of(checks: Sequence[Check]) -> dict[str, list[Check]]:
    """The checks by section, in their order."""
    sections: dict[str, list[Check]] = {}
    for check in checks:
        sections.setdefault(check.section, []).append(check)
    return sections


def render_header(worker: str, console: Console) -> None:
    console.print(f"Doctor summary for {escape(worker)}")


def render_section(
    name: str, checks: Sequence[Check], console: Console, *, verbose: bool = False
) -> None:
    """One section: its mark and time, a line per check, the remedy under each problem."""
    seconds = max(c.seconds for c in checks)
    console.print(f"{SECTION_MARK[_worst(checks)]} {escape(name)} [dim]({fmt_seconds(seconds)})[/]")
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


def render_end(
    report: Report, console: Console, *, verbose: bool = False, quiet: bool = False
) -> None:
    """The notes, the verdict and the run folder (with `quiet`, the verdict alone)."""
    if not quiet:
        for note in report.notes:
            console.print(f"[yellow]note:[/] {escape(note)}")
    sections = sections_of(report.checks)
    bad = [s for s, checks in sections.items() if _worst(checks) != "ok"]
    details = details_of(report, DoctorDetails)
    took = f" in {fmt_seconds(details.seconds)}" if details is not None else ""
    gap = "" if quiet else "\n"
    if bad:
        console.print(
            f"{gap}{SECTION_MARK[_worst(list(report.checks))]} [bold]Doctor found issues in "
            f"{len(bad)} section(s){took}: {escape(', '.join(bad))}[/]"
            + ("" if verbose or quiet else " [dim](-v shows the evidence)[/]")
        )
    elif report.interrupted:  # the checks above are those it had done: no verdict on the rest
        console.print(
            f"{gap}[yellow]![/] [bold]Doctor was interrupted by {report.interrupted}{took} "
            "before it finished its checks[/]"
        )
    else:
        console.print(f"{gap}[green]•[/] No issues found{took}.")
    if not quiet:
        console.print(f"[dim]run folder: {escape(report.run_dir or '')}[/]")
