"""`poolctl report RUN_DIR... [--format ...]`: re-render saved runs without running anything."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from poolctl.errors import ExitCode, UsageProblem
from poolctl.options import (
    AnnotationsOpt,
    FormatOpt,
    KeepSecretsOpt,
    OutputOpt,
    output_options,
)
from poolctl.report import Format
from poolctl.report.load import load_report
from poolctl.report.publish import prepare, publish


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
    opts = output_options(fmt, output, annotations, keep_secrets)
    if not run_dirs:
        raise UsageProblem("give one or more run folders (reports/<time>-<name>/)")
    # each run in the view its command printed (ping and doctor verdict first, the tour's lines)
    publish([prepare(load_report(d)) for d in run_dirs], opts)
    raise typer.Exit(ExitCode.OK)
