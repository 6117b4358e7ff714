"""The terminal view of scenario runs: a run's findings and whether it produced what it
expects; in the bundled tour one line a run; after several runs, how many passed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from poolctl.model import Report, ScenarioDetails
from poolctl.redact import KEEP_NOTE
from poolctl.report import findings_view
from poolctl.report.view import details_of, scenario_verdict
from poolctl.termtext import escape
from poolctl.units import fmt_seconds

if TYPE_CHECKING:  # the scenario loader (and its schema) is not needed to draw a report
    from poolctl.scenario.load import Scenario


def _mark(passed: bool) -> str:
    return "[green]✓[/]" if passed else "[red]✗[/]"


def render(report: Report, console: Console, *, verbose: bool = False, quiet: bool = False) -> None:
    """One run: its tour line; or its verdict first, then its findings (what backs them with
    `verbose`) and notes; with `quiet` the verdict alone."""
    details = details_of(report, ScenarioDetails)
    if details is not None and details.tour:
        _tour_line(report, details, console)
        return
    if details is not None:
        console.print(verdict_line(details))
    if quiet:
        return
    findings_view.render(report, console, verbose=verbose, heading=details is None)


def verdict_line(details: ScenarioDetails) -> str:
    """`✓ scenario p3-checkout-timeout passed: expected …; got …` (markup)."""
    expected = ", ".join(sorted(details.expected)) or "outcome ok"
    found = ", ".join(sorted(details.found)) or "no pattern"
    took = f" in {fmt_seconds(details.seconds)}" if details.seconds else ""
    mark = "[yellow]![/]" if details.interrupted else _mark(details.passed)
    return (
        f"{mark} [bold]scenario {escape(details.scenario)} {scenario_verdict(details)}[/]{took}: "
        f"expected {escape(expected)}; got {escape(found)}"
    )


def _tour_line(report: Report, details: ScenarioDetails, console: Console) -> None:
    expected = ", ".join(sorted(details.expected)) or "ok"
    found = ", ".join(sorted(details.found)) or ("no pattern" if details.expected else "ok")
    mark = _mark(details.passed)
    if details.interrupted:  # it never got to its end: neither reproduced nor not
        mark, verdict = "[yellow]![/]", f"interrupted by {details.interrupted}"
    elif details.passed:
        verdict = f"reproduced {found}" if details.expected else "ok"
    else:
        verdict = f"got {found}"
    console.print(
        f"{mark} {escape(details.scenario):<30} expects {escape(expected):<32} "
        f"{escape(verdict)}"
        f"  [dim]({fmt_seconds(details.seconds)}, {escape(str(report.run_dir))})[/]"
    )


def closing(reports: Sequence[Report], console: Console) -> None:
    """After several runs or the tour: how many produced what they expect (and, the tour's
    lines showing no notes, that secrets were kept)."""
    details = [details_of(r, ScenarioDetails) for r in reports]
    tour = any(d is not None and d.tour for d in details)
    if len(reports) < 2 and not tour:
        return
    passed = sum(d is not None and d.passed for d in details)
    cut = next((d for d in details if d is not None and d.interrupted), None)
    mark = "[yellow]![/]" if cut is not None else _mark(passed == len(reports))
    during = f"; interrupted by {cut.interrupted} during {escape(cut.scenario)}" if cut else ""
    console.print(
        f"{mark} {passed} of {len(reports)} scenario(s) produced what they expect{during}"
    )
    if tour and any(KEEP_NOTE in r.notes for r in reports):
        console.print(f"[yellow]note:[/] {escape(KEEP_NOTE)}")


def render_list(scenarios: Sequence[Scenario], console: Console, *, verbose: bool = False) -> None:
    """`run-scenario --list`: each bundled scenario's name, what it expects, what it shows."""
    width = max((len(s.name) for s in scenarios), default=0)
    for s in scenarios:
        expects = ", ".join(sorted(s.expect.expected())) or "ok"
        console.print(f"{escape(s.name.ljust(width))}  expects {escape(expects)}")
        if s.body.description:
            console.print(f"{' ' * width}  [dim]{escape(s.body.description)}[/]")
        if verbose:
            console.print(f"{' ' * width}  [dim]{escape(str(s.path))}[/]")
    console.print(
        "\nrun one: poolctl run-scenario NAME · all of them: poolctl run-scenario · "
        "a file of your own: poolctl run-scenario FILE.yaml"
    )


def render_check(path: Path, steps: int, expects: Sequence[str], console: Console) -> None:
    """`run-scenario --check`: the file is valid; its steps and what it expects."""
    expected = ", ".join(sorted(expects)) or "outcome ok"
    console.print(f"[green]✓[/] {escape(str(path))}: valid, {steps} step(s), expects {expected}")
