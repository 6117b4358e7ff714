"""`poolctl run-scenario [NAME|FILE...] [--list] [--check]`: run scenarios (a bundled one by
name, or YAML files), or with none the bundled tour."""

from __future__ import annotations

import dataclasses
import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from poolctl import activity
from poolctl import context as run_context
from poolctl.console import make_console, stderr_console, stdout_console
from poolctl.context import RunContext
from poolctl.errors import ExitCode, UsageProblem
from poolctl.history.recorder import HistoryRecorder
from poolctl.lines_behind import lines_behind
from poolctl.model import Report, ScenarioDetails
from poolctl.options import (
    AnnotationsOpt,
    FormatOpt,
    HistoryOpt,
    JsonOpt,
    KeepRunsOpt,
    KeepSecretsOpt,
    NoHistoryOpt,
    OutputOpt,
    QuietOpt,
    VerboseOpt,
    output_options,
)
from poolctl.patterns import PatternSet, builtin_patterns, load_patterns
from poolctl.progress import LiveProgress, PlainProgress, wait_display
from poolctl.report import Format
from poolctl.report.publish import (
    OutputOptions,
    live_commands_stopped,
    publish,
    save,
    terminal_writer,
)
from poolctl.report.scenario_view import render_check, render_list
from poolctl.rundir import RunDir, create_run_dir

if TYPE_CHECKING:
    from poolctl.scenario import Scenario
    from poolctl.scenario.report import ScenarioResult


def run_scenario_command(
    ctx: typer.Context,
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="NAME|FILE",
            help="Bundled scenarios by name (see --list) or scenario files (default: the "
            "whole bundled tour).",
        ),
    ] = None,
    list_them: Annotated[
        bool, typer.Option("--list", help="List the bundled scenarios and what they expect.")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Validate the scenarios without running anything.")
    ] = False,
    fmt: FormatOpt = Format.TERM,
    output: OutputOpt = "-",
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    run_dir: Annotated[
        str | None, typer.Option("--run-dir", help="The run folder (one scenario only).")
    ] = None,
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
    keep: KeepRunsOpt = None,
    history: HistoryOpt = None,
    no_history: NoHistoryOpt = False,
) -> None:
    context = run_context.of(ctx)
    context.stderr_caps.setting()  # a bad POOLCTL_STDERR_CAP: one line, before any worker
    opts = output_options(
        fmt,
        output,
        annotations,
        keep_secrets,
        context.secrets,
        as_json=as_json,
        quiet=quiet,
        verbose=verbose,
        inputs=scenarios or (),
    )
    # the scenario schema (pydantic's models): imported to run, not for --help
    from poolctl.scenario import bundled_scenarios, find_scenario, load_scenario

    console = stdout_console(context.secrets)
    tour = not scenarios
    paths = bundled_scenarios() if tour else [find_scenario(s) for s in scenarios or []]
    kb = load_patterns(patterns) if patterns else builtin_patterns()
    loaded = [load_scenario(p, kb) for p in paths]  # every file validated before any runs
    if list_them:
        render_list(loaded, console, verbose=verbose)
        raise typer.Exit(ExitCode.OK)
    if check:
        for s in loaded:
            render_check(s.path, len(s.steps), sorted(s.expect.expected()), console)
        raise typer.Exit(ExitCode.OK)
    if run_dir is not None and len(loaded) > 1:
        raise UsageProblem("--run-dir takes one scenario; a tour makes one folder each")
    recorder = HistoryRecorder(history, enabled=not no_history, secrets=context.secrets)
    folders = Folders(context, run_dir, keep)
    with live_commands_stopped(opts, context.secrets):  # no line it quotes runs in Actions
        results = _run_all(loaded, folders, kb, opts, console, tour, recorder)
        reports = [r.report for r in results]
        if opts.terminal:
            closing = terminal_writer(color=console.is_terminal, opts=opts).closing(reports)
            console.out(closing, end="")
    publish(reports, opts, context, shown_live=opts.terminal)
    recorder.finish()
    if any(r.interrupted for r in results):
        raise typer.Exit(ExitCode.INTERRUPTED)
    raise typer.Exit(ExitCode.OK if all(r.passed for r in results) else ExitCode.FINDINGS)


@dataclasses.dataclass(frozen=True)
class Folders:
    """Where the runs go: the command's run context, `--run-dir`, `--keep`."""

    context: RunContext
    run_dir: str | None
    keep: int | None

    def create(self, scenario: Scenario) -> RunDir:
        return create_run_dir(
            scenario.name, self.run_dir, context=self.context, kind="scenario", keep=self.keep
        )


def _run_all(
    scenarios: list[Scenario],
    folders: Folders,
    kb: PatternSet,
    opts: OutputOptions,
    console: Console,
    tour: bool,
    recorder: HistoryRecorder,
) -> list[ScenarioResult]:
    """Run each scenario in turn, each recorded in the run history, its terminal view printed
    as it ends (the tour's one line, or the whole report); meanwhile on standard error, one
    scenario's workers and events, or for several `running NAME…` and its time."""
    results = []
    writer = terminal_writer(color=console.is_terminal, opts=opts)
    single_live = opts.terminal and len(scenarios) == 1 and not opts.quiet
    with wait_display(quiet=opts.quiet or single_live) as waits:
        for scenario in scenarios:
            run = folders.create(scenario)
            started = time.monotonic()
            with activity.waiting(f"running {scenario.name}…"):
                result = _run_one(scenario, run, kb, live=single_live)
            report = recorder.record(_timed(result.report, time.monotonic() - started, tour))
            result = dataclasses.replace(result, report=save(report, run))
            results.append(result)
            if opts.terminal:  # each run's view as it ends: the tour's one line, or the report
                with waits.paused():
                    console.out(writer.render(result.report), end="")
            if result.interrupted:
                break
    return results


def _timed(report: Report, seconds: float, tour: bool) -> Report:
    """The report with the run's duration, and whether it ran in the tour (one line each)."""
    if not isinstance(report.details, ScenarioDetails):
        return report
    details = dataclasses.replace(report.details, seconds=round(seconds, 3), tour=tour)
    return dataclasses.replace(report, details=details)


def _run_one(scenario: Scenario, run: RunDir, kb: PatternSet, live: bool) -> ScenarioResult:
    """One run; with `live`, its workers and events shown on standard error as it goes."""
    from poolctl.scenario.report import run_scenario  # the pool: not for --list, --check, --help

    if not live:
        return run_scenario(scenario, run, [], kb)
    progress = stderr_console(run.context.secrets)
    if progress.is_terminal:
        with LiveProgress(progress, f"scenario {scenario.name}") as view:
            return run_scenario(scenario, run, [view], kb)
    # its lines written apart: a reader who does not read holds them, never the pool
    behind = lines_behind(sys.stderr)
    if behind is None:  # a stream in memory
        return run_scenario(scenario, run, [PlainProgress(progress)], kb)
    console = make_console(behind, redactor=run.context.secrets)  # type: ignore[arg-type]
    try:
        return run_scenario(scenario, run, [PlainProgress(console)], kb)
    finally:
        behind.close()
