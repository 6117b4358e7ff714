"""`poolctl run-scenario [FILE...] [--check]`: run scenarios, or with no file the bundled tour."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from poolctl.commands.output import (
    AnnotationsOpt,
    FormatOpt,
    KeepSecretsOpt,
    OutputOpt,
    options,
    publish,
    save,
)
from poolctl.commands.output import console as stdout_console
from poolctl.errors import ExitCode
from poolctl.events import Observer
from poolctl.patterns import PatternSet, builtin_patterns, load_patterns
from poolctl.progress import LiveProgress, PlainProgress
from poolctl.redact import KEEP_NOTE
from poolctl.report import Format, writer_for
from poolctl.rundir import RunDir, create_run_dir
from poolctl.scenario import Scenario, bundled_scenarios, load_scenario
from poolctl.scenario.report import ScenarioResult, run_scenario


def run_scenario_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Scenario files (default: the whole bundled tour)."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Validate the files without running anything.")
    ] = False,
    fmt: FormatOpt = Format.TERM,
    output: OutputOpt = "-",
    run_dir: Annotated[
        str | None, typer.Option("--run-dir", help="The run folder (one scenario only).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
    annotations: AnnotationsOpt = False,
    keep_secrets: KeepSecretsOpt = False,
    patterns: Annotated[
        list[str] | None,
        typer.Option(
            "--patterns",
            help="A folder of pattern files that add or override (repeat); "
            "a scenario may expect their ids.",
        ),
    ] = None,
) -> None:
    opts = options(fmt, output, annotations, keep_secrets)
    console = stdout_console()
    tour = not files
    paths = bundled_scenarios() if tour else list(files or [])
    kb = load_patterns(patterns) if patterns else builtin_patterns()
    scenarios = [load_scenario(p, kb) for p in paths]  # every file validated before any runs
    if check:
        for s in scenarios:
            expects = ", ".join(sorted(s.expect.expected())) or "outcome ok"
            console.print(
                f"[green]✓[/] {escape(str(s.path))}: valid, {len(s.steps)} step(s), "
                f"expects {expects}"
            )
        raise typer.Exit(ExitCode.OK)
    if run_dir is not None and len(scenarios) > 1:
        raise typer.BadParameter("--run-dir takes one scenario; a tour makes one folder each")
    results = []
    as_text = opts.terminal
    for scenario in scenarios:
        run = create_run_dir(scenario.name, run_dir)
        started = time.monotonic()
        result = _run_one(
            scenario,
            run,
            console,
            kb,
            live=as_text and not tour and not quiet,
            quiet=quiet or tour or not as_text,
        )
        result = dataclasses.replace(result, report=save(result.report, run))
        results.append(result)
        if tour and as_text:
            _tour_line(result, time.monotonic() - started, console)
        elif as_text:
            render_result(result, console)
        if result.interrupted:
            break
    if as_text and (tour or len(results) > 1):
        passed = sum(r.passed for r in results)
        mark = "[green]✓[/]" if passed == len(results) else "[red]✗[/]"
        console.print(f"{mark} {passed} of {len(results)} scenario(s) produced what they expect")
    if as_text and tour and keep_secrets:  # the tour's one-line view shows no report notes
        console.print(f"[yellow]note:[/] {escape(KEEP_NOTE)}")
    publish([r.report for r in results], opts, term="" if as_text else None)
    if any(r.interrupted for r in results):
        raise typer.Exit(ExitCode.INTERRUPTED)
    raise typer.Exit(ExitCode.OK if all(r.passed for r in results) else ExitCode.FINDINGS)


def _run_one(
    scenario: Scenario, run: RunDir, console: Console, kb: PatternSet, live: bool, quiet: bool
) -> ScenarioResult:
    if live and console.is_terminal:
        with LiveProgress(console, f"scenario {scenario.name}") as progress:
            return run_scenario(scenario, run, [progress], kb)
    observers: list[Observer] = [] if quiet else [PlainProgress(console)]
    return run_scenario(scenario, run, observers, kb)


def _tour_line(result: ScenarioResult, seconds: float, console: Console) -> None:
    extra = result.report.extra
    mark = "[green]✓[/]" if result.passed else "[red]✗[/]"
    expected = ", ".join(sorted(result.expected)) or "ok"
    found = ", ".join(sorted(result.found)) or "ok"
    verdict = (
        f"reproduced {found}" if result.expected else ("ok" if result.passed else f"got {found}")
    )
    console.print(
        f"{mark} {escape(str(extra['scenario'])):<30} expects {escape(expected):<32} "
        f"{escape(verdict)}"
        f"  [dim]({seconds:.1f} s, {escape(str(result.report.run_dir))})[/]"
    )


def render_result(result: ScenarioResult, console: Console) -> None:
    """The report of one scenario, then whether it produced what it expects."""
    width = console.width if console.is_terminal else 100
    console.out(
        writer_for(Format.TERM, color=console.is_terminal, width=width).render(result.report),
        end="",
    )
    expected = ", ".join(sorted(result.expected)) or "outcome ok"
    found = ", ".join(sorted(result.found)) or "no pattern"
    mark = "[green]✓[/]" if result.passed else "[red]✗[/]"
    name = escape(str(result.report.extra["scenario"]))
    console.print(f"{mark} scenario {name}: expected {expected}; got {found}")
