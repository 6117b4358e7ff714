"""`poolctl report RUN_DIR... [--format ...]`: re-render saved runs without running anything."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from poolctl import context as run_context
from poolctl.console import stderr_stream
from poolctl.errors import ExitCode, PoolctlError, UsageProblem
from poolctl.options import (
    AnnotationsOpt,
    FormatOpt,
    JsonOpt,
    KeepSecretsOpt,
    OutputOpt,
    QuietOpt,
    TopOpt,
    VerboseOpt,
    output_options,
)
from poolctl.report import Format
from poolctl.report.load import load_report
from poolctl.report.publish import prepare, publish, say_scrubbed
from poolctl.rundir import reading, scrub_leftover
from poolctl.termtext import one_line


def report_command(
    ctx: typer.Context,
    run_dirs: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="RUN_DIR", help="Run folders (or their report.json files) to render."
        ),
    ] = None,
    fmt: FormatOpt = Format.TERM,
    output: OutputOpt = "-",
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    top: TopOpt = None,
    annotations: AnnotationsOpt = False,
    keep_secrets: KeepSecretsOpt = False,
) -> None:
    context = run_context.of(ctx)
    opts = output_options(
        fmt,
        output,
        annotations,
        keep_secrets,
        context.secrets,
        as_json=as_json,
        quiet=quiet,
        verbose=verbose,
        top=top,
        inputs=[Path(d) / "report.json" for d in run_dirs or ()],
    )
    if not run_dirs:
        raise UsageProblem("give one or more run folders (reports/<time>-<name>/)")
    reports = []
    unread: list[PoolctlError] = []  # a damaged folder costs the others nothing
    for path in run_dirs:
        folder = path.parent if path.name == "report.json" else path
        if scrub_leftover(folder):  # left unscrubbed by a poolctl that was killed
            say_scrubbed([folder], context.secrets)
        try:
            with reading(folder):  # not deleted by another command's retention while read
                reports.append(prepare(load_report(path), context))
        except PoolctlError as problem:
            unread.append(problem)
    if not reports:
        for earlier in unread[:-1]:
            stderr_stream(context.secrets).write(f"poolctl: error: {one_line(str(earlier))}\n")
        raise unread[-1]
    # each run in the view its command printed (ping and doctor verdict first, the tour's lines)
    publish(reports, opts, context)
    for damaged in unread:  # after the rest: the last lines a user sees
        stderr_stream(context.secrets).write(f"poolctl: error: {one_line(str(damaged))}\n")
    raise typer.Exit(unread[0].exit_code if unread else ExitCode.OK)
