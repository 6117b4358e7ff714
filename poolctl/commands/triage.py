"""`poolctl triage [LOG...|-]`: classify a test log's failures and report the fix plan."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import Annotated, assert_never

import typer

from poolctl.console import stderr_console, stderr_stream
from poolctl.errors import ExitCode, UsageProblem
from poolctl.logs import FORMATS
from poolctl.model import Report
from poolctl.options import (
    AnnotationsOpt,
    FormatOpt,
    KeepSecretsOpt,
    OutputOpt,
    output_options,
)
from poolctl.patterns import load_patterns
from poolctl.progress import read_progress
from poolctl.report import Format
from poolctl.report.groups_view import unread_count
from poolctl.report.publish import publish, redacted_at_source, save
from poolctl.rundir import create_run_dir
from poolctl.triage.engine import Triage


class FailOn(StrEnum):
    """When `poolctl triage` exits 1."""

    ANY = "any"  # any failure in the log
    UNCLASSIFIED = "unclassified"  # a failure no pattern claims
    NEVER = "never"  # always 0 once the log could be read


def exit_code(report: Report, fail_on: FailOn) -> ExitCode:
    """0 when the log holds no failure; with failures, what `--fail-on` asks for. Failures the
    runner counted that were not read count as failures, and as unclassified ones."""
    unread = unread_count(report)
    match fail_on:
        case FailOn.ANY:
            failed = bool(report.findings) or unread > 0
        case FailOn.UNCLASSIFIED:
            failed = bool(report.unclassified) or unread > 0
        case FailOn.NEVER:
            failed = False
        case _:
            assert_never(fail_on)
    return ExitCode.FINDINGS if failed else ExitCode.OK


def triage_command(
    logs: Annotated[
        list[str] | None,
        typer.Argument(help="Test logs: ExUnit or pytest console output, JUnit XML; - is stdin."),
    ] = None,
    fmt: FormatOpt = Format.TERM,
    output: OutputOpt = "-",
    patterns: Annotated[
        list[str] | None,
        typer.Option("--patterns", help="A folder of pattern files that add or override (repeat)."),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option("--fail-on", help="Exit 1 on: any failure, unclassified ones only, or never."),
    ] = FailOn.ANY,
    log_format: Annotated[
        str, typer.Option("--log-format", help=f"The logs' format: {', '.join(FORMATS)}.")
    ] = "auto",
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", help="Where the tests' sources are (to read a cut-off test head)."
        ),
    ] = None,
    run_dir: Annotated[
        str | None,
        typer.Option(
            "--run-dir", help="Where to keep report.json (`poolctl report` renders it again)."
        ),
    ] = None,
    annotations: AnnotationsOpt = False,
    keep_secrets: KeepSecretsOpt = False,
) -> None:
    opts = output_options(fmt, output, annotations, keep_secrets)
    if not logs:
        raise UsageProblem("give one or more test logs, or - to read standard input")
    kb = load_patterns(patterns or [])
    for note in kb.engine_notes():  # a user's regex RE2 cannot run: named when it loads
        stderr_stream().write(f"poolctl: note: {note}\n")
    job = Triage(kb, source_roots=source or [])
    with read_progress(stderr_console()) as progress:
        parsed = job.read(logs, log_format, progress=progress)
    report = job.report(parsed)
    del parsed  # the parsed log (and its identifier index) is garbage from here
    run = create_run_dir("triage", run_dir)
    report = redacted_at_source(dataclasses.replace(report, run_dir=str(run.path)))
    # report.json only: `poolctl report RUN -f md|junit` renders the other formats on demand
    report = save(report, run, files=("json",), scrub_folder=False)
    publish([report], opts)
    raise typer.Exit(exit_code(report, fail_on))
