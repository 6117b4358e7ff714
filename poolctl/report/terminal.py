"""The terminal view of a report, rendered with rich into a string (no colour unless asked).

The layout is chosen by the report's kind: a ping and a doctor run verdict first, a scenario
run with its verdict (one line in the bundled tour), a triage pattern by pattern. A command's
reports together (`render_all`) read as the command printed them, so that `poolctl report
RUN_DIR...` shows what the live command showed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

from rich.console import Console

from poolctl.model import Report
from poolctl.redact import KEEP_NOTE
from poolctl.report import doctor_view, findings_view, ping_view, scenario_view
from poolctl.report.combine import split
from poolctl.report.term_marks import rendered


class TerminalWriter:
    """Rich text for a terminal: `color` for ANSI colours, `width` columns; `verbose` for every
    detail (the evidence behind each line), `quiet` for the verdict alone, `top` for the
    number of groups of failures shown."""

    def __init__(
        self,
        *,
        color: bool = False,
        width: int = 100,
        verbose: bool = False,
        quiet: bool = False,
        top: int | None = None,
    ) -> None:
        self.color = color
        self.width = width
        self.verbose = verbose
        self.quiet = quiet
        self.top = top

    def render(self, report: Report) -> str:
        """One report's view; a combined report's as its runs, one after another."""
        runs = split(report)
        if len(runs) > 1:
            return self.render_all(runs)
        return rendered(
            lambda c: self._view(report, c),
            color=self.color,
            width=self.width,
            keep_secrets=KEEP_NOTE in report.notes,
        )

    def render_all(self, reports: Sequence[Report]) -> str:
        """Several reports as one command printed them: scenario runs one after another and
        how many passed; other reports each in full, a blank line apart."""
        runs = [run for report in reports for run in split(report)]
        if runs and all(r.kind == "scenario" for r in runs):
            return "".join(self.render(r) for r in runs) + self.closing(runs)
        return "\n".join(self.render(r) for r in runs)

    def closing(self, reports: Sequence[Report]) -> str:
        """What follows the views of several scenario runs (empty for other reports)."""
        if not reports or any(r.kind != "scenario" for r in reports):
            return ""
        return rendered(
            lambda c: scenario_view.closing(reports, c),
            color=self.color,
            width=self.width,
            keep_secrets=any(KEEP_NOTE in r.notes for r in reports),
        )

    def _view(self, report: Report, console: Console) -> None:
        match report.kind:
            case "ping":
                ping_view.render(report, console, verbose=self.verbose, quiet=self.quiet)
            case "doctor":
                doctor_view.render(report, console, verbose=self.verbose, quiet=self.quiet)
            case "scenario":
                scenario_view.render(report, console, verbose=self.verbose, quiet=self.quiet)
            case "triage":
                findings_view.render(
                    report, console, verbose=self.verbose, quiet=self.quiet, top=self.top
                )
            case _:
                assert_never(report.kind)
