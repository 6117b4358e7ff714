"""`poolctl triage [LOG...|-]`: classify a test log's failures and report the fix plan."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any, assert_never

import typer

from poolctl.errors import ExitCode, UsageProblem
from poolctl.logs import FORMATS, read_logs
from poolctl.model import Report
from poolctl.patterns import load_patterns
from poolctl.report import Format, MarkdownWriter, writer_for
from poolctl.report.json_writer import to_dict
from poolctl.rundir import create_run_dir
from poolctl.triage import triage


class FailOn(StrEnum):
    """When `poolctl triage` exits 1."""

    ANY = "any"  # any failure in the log
    UNCLASSIFIED = "unclassified"  # a failure no pattern claims
    NEVER = "never"  # always 0 once the log could be read


def exit_code(report: Report, fail_on: FailOn) -> ExitCode:
    """0 when the log holds no failure; with failures, what `--fail-on` asks for."""
    match fail_on:
        case FailOn.ANY:
            failed = bool(report.findings)
        case FailOn.UNCLASSIFIED:
            failed = bool(report.unclassified)
        case FailOn.NEVER:
            failed = False
        case _:
            assert_never(fail_on)
    return ExitCode.FINDINGS if failed else ExitCode.OK


def write_output(text: str, output: str) -> None:
    """Write to a file, or to standard output for `-`."""
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(
            f"cannot write {output}: {exc.strerror or exc}", where="--output"
        ) from None


def dump_json(doc: dict[str, Any], fh: IO[str]) -> None:
    """The JSON writer's document, encoded in chunks (as `JsonWriter.render` formats it)."""
    json.dump(doc, fh, indent=2, default=str, ensure_ascii=False)
    fh.write("\n")


def write_json(doc: dict[str, Any], output: str) -> None:
    """Stream the JSON document to a file, or to standard output for `-`."""
    if output == "-":
        dump_json(doc, sys.stdout)
        sys.stdout.flush()
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            dump_json(doc, fh)
    except OSError as exc:
        why = exc.strerror or exc
        raise UsageProblem(f"cannot write {output}: {why}", where="--output") from None


def triage_command(
    logs: Annotated[
        list[str] | None,
        typer.Argument(help="Test logs: ExUnit or pytest console output, JUnit XML; - is stdin."),
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="term, md (GitHub Markdown) or json.")
    ] = Format.TERM,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Write the report to FILE; - is stdout.")
    ] = "-",
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
        str | None, typer.Option("--run-dir", help="Where to keep report.md and report.json.")
    ] = None,
) -> None:
    if not logs:
        raise UsageProblem("give one or more test logs, or - to read standard input")
    kb = load_patterns(patterns or [])
    report = triage(read_logs(logs, log_format), kb, source_roots=source or [])
    # the parsed log (and its identifier index) is garbage from here: rendering reuses its memory
    run = create_run_dir("triage", run_dir)
    report = dataclasses.replace(report, run_dir=str(run.path))
    run.report("md").write_text(MarkdownWriter().render(report), encoding="utf-8")
    # JSON is streamed from one dict to both places: a long log's report is tens of MB as text
    doc = to_dict(report)
    with run.report("json").open("w", encoding="utf-8") as fh:
        dump_json(doc, fh)
    if fmt is Format.JSON:
        write_json(doc, output)
        raise typer.Exit(exit_code(report, fail_on))
    del doc
    tty = output == "-" and sys.stdout.isatty()
    width = shutil.get_terminal_size().columns if tty else 100
    write_output(writer_for(fmt, color=tty, width=width).render(report), output)
    raise typer.Exit(exit_code(report, fail_on))
