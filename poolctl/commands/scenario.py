"""`poolctl run-scenario [FILE...] [--check]`: run scenarios, or with no file the bundled tour."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from poolctl.console import stdout_console
from poolctl.errors import ExitCode
from poolctl.events import Observer
from poolctl.history.recorder import HistoryRecorder
from poolctl.model import Report, ScenarioDetails
from poolctl.options import (
    AnnotationsOpt,
    FormatOpt,
    HistoryOpt,
    KeepSecretsOpt,
    NoHistoryOpt,
    OutputOpt,
    output_options,
)
from poolctl.patterns import PatternSet, builtin_patterns, load_patterns
from poolctl.progress import LiveProgress, PlainProgress
from poolctl.report import Format
from poolctl.report.publish import publish, save, terminal_writer
from poolctl.report.scenario_view import render_check
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
    history: HistoryOpt = None,
    no_history: NoHistoryOpt = False,
) -> None:
    opts = output_options(fmt, output, annotations, keep_secrets)
    recorder = HistoryRecorder(history, enabled=not no_history and not check)
    console = stdout_console()
    tour = not files
    paths = bundled_scenarios() if tour else list(files or [])
    kb = load_patterns(patterns) if patterns else builtin_patterns()
    scenarios = [load_scenario(p, kb) for p in paths]  # every file validated before any runs
    if check:
        for s in scenarios:
            render_check(s.path, len(s.steps), sorted(s.expect.expected()), console)
        raise typer.Exit(ExitCode.OK)
    if run_dir is not None and len(scenarios) > 1:
        raise typer.BadParameter("--run-dir takes one scenario; a tour makes one folder each")
    results = []
    as_text = opts.terminal
    writer = terminal_writer(color=console.is_terminal)
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
        report = recorder.record(_timed(result.report, time.monotonic() - started, tour))
        result = dataclasses.replace(result, report=save(report, run))
        results.append(result)
        if as_text:  # each run's view as it ends: the tour's one line, or the whole report
            console.out(writer.render(result.report), end="")
        if result.interrupted:
            break
    reports = [r.report for r in results]
    if as_text:
        console.out(writer.closing(reports), end="")
    publish(reports, opts, shown_live=as_text)
    recorder.finish()
    if any(r.interrupted for r in results):
        raise typer.Exit(ExitCode.INTERRUPTED)
    raise typer.Exit(ExitCode.OK if all(r.passed for r in results) else ExitCode.FINDINGS)


def _timed(report: Report, seconds: float, tour: bool) -> Report:
    """The report with the run's duration, and whether it ran in the tour (one line each)."""
    if not isinstance(report.details, ScenarioDetails):
        return report
    details = dataclasses.replace(report.details, seconds=round(seconds, 3), tour=tour)
    return dataclasses.replace(report, details=details)


def _run_one(
    scenario: Scenario, run: RunDir, console: Console, kb: PatternSet, live: bool, quiet: bool
) -> ScenarioResult:
    if live and console.is_terminal:
        with LiveProgress(console, f"scenario {scenario.name}") as progress:
            return run_scenario(scenario, run, [progress], kb)
    observers: list[Observer] = [] if quiet else [PlainProgress(console)]
    return run_scenario(scenario, run, observers, kb)
