"""`poolctl report RUN_DIR... [--format ...]`: re-render saved runs without running anything."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from poolctl.commands.doctor import render_text as doctor_text
from poolctl.commands.output import (
    AnnotationsOpt,
    FormatOpt,
    KeepSecretsOpt,
    OutputOpt,
    options,
    prepare,
    publish,
)
from poolctl.errors import ExitCode, UsageProblem
from poolctl.report import Format
from poolctl.report.load import load_report


def report_command(
    run_dirs: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="RUN_DIR...", help="Run folders (or their report.json files) to render."
        ),
    ] = None,
    fmt: FormatOpt = Format.TERM,
    output: OutputOpt = "-",
    annotations: AnnotationsOpt = False,
    keep_secrets: KeepSecretsOpt = False,
) -> None:
    opts = options(fmt, output, annotations, keep_secrets)
    if not run_dirs:
        raise UsageProblem("give one or more run folders (reports/<time>-<name>/)")
    reports = [prepare(load_report(d)) for d in run_dirs]
    term = None
    if fmt is Format.TERM and all(r.kind == "doctor" for r in reports):
        color = opts.terminal and sys.stdout.isatty()
        term = "\n".join(doctor_text(r, color=color) for r in reports)
    publish(reports, opts, term=term)
    raise typer.Exit(ExitCode.OK)
