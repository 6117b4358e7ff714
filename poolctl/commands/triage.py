"""`poolctl triage [LOG...|-]`: classify a test log's failures and report the fix plan."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import sys
from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Annotated, assert_never

import typer

from poolctl import context as run_context
from poolctl.console import stderr_console, stderr_stream
from poolctl.errors import ExitCode, UsageProblem
from poolctl.history.recorder import HistoryRecorder
from poolctl.logs.search_ahead import searching_ahead
from poolctl.logs.stdin_copy import StdinCopy
from poolctl.logs.stdin_pipe import QUIET, WatchedPipe, is_pipe
from poolctl.logs.stdin_terminal import TerminalInput
from poolctl.model import Report
from poolctl.options import (
    AnnotationsOpt,
    FormatOpt,
    HistoryOpt,
    JsonOpt,
    KeepRunsOpt,
    KeepSecretsOpt,
    LogFormat,
    LogFormatOpt,
    NoHistoryOpt,
    OutputOpt,
    QuietOpt,
    TopOpt,
    VerboseOpt,
    output_options,
    require_folder,
)
from poolctl.patterns import load_patterns
from poolctl.progress import read_progress
from poolctl.report import Format
from poolctl.report.groups_view import unread_count
from poolctl.report.publish import prepare, publish, redacted_at_source, save
from poolctl.rundir import create_run_dir
from poolctl.termtext import one_line
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
    ctx: typer.Context,
    logs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="LOG",
            help=(
                "Test logs: a runner's console output (ExUnit, pytest, unittest, Jest, Mocha,"
                " Vitest, node --test, TAP, RSpec, minitest, PHPUnit, GoogleTest, cargo, go"
                " test and more: the README's list) or JUnit XML; - is stdin."
            ),
        ),
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
    log_format: LogFormatOpt = LogFormat.AUTO,
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
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    top: TopOpt = None,
    annotations: AnnotationsOpt = False,
    keep_secrets: KeepSecretsOpt = False,
    keep: KeepRunsOpt = None,
    history: HistoryOpt = None,
    no_history: NoHistoryOpt = False,
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
        inputs=logs or (),
    )
    if not logs:
        raise UsageProblem("give one or more test logs, or - to read standard input")
    for root in source or ():  # a typo was read as a folder of no sources, without a word
        require_folder("--source", root)
    recorder = HistoryRecorder(history, enabled=not no_history, secrets=context.secrets)
    kb = load_patterns(patterns or [])
    for note in kb.engine_notes():  # a user's regex RE2 cannot run: named when it loads
        stderr_stream(context.secrets).write(f"poolctl: note: {note}\n")
    # made before the log is read: a triage interrupted while reading leaves its report
    run = create_run_dir("triage", run_dir, context=context, keep=keep)
    job = Triage(
        kb, source_roots=source or [], redactor=context.secrets.redactor(), forks=context.program
    )
    # kept in the run folder unless the triage ends normally: a piped log is nowhere else
    recorder.stdin_copy = copy = StdinCopy(run.path)
    # the history's reading of the inputs runs beside the triage, in a process of its own
    with recorder.reading_ahead(logs, log_format.value, forks=context.program):
        # a large log's trigger search runs ahead of its parse in another process, unless the
        # history's reading holds the second CPU (beside it, measured no faster: the history's
        # passes wait for it)
        search = context.program and not (recorder.enabled and recorder.problem is None)
        with (
            searching_ahead(logs, log_format.value, forks=search) as ahead,
            watching_stdin(logs, context),  # a pipe a process left behind holds open is named
            copy.copying(logs),
            read_progress(stderr_console(context.secrets), quiet=quiet) as progress,
        ):
            parsed = job.read(logs, log_format.value, progress=progress, ahead=ahead)
        report = job.report(parsed)
        unopened = parsed.unopened
        del parsed, job  # the parsed log, its identifier index and the examples past the cap
        report = recorder.record(dataclasses.replace(report, run_dir=str(run.path)))
    report = redacted_at_source(report, context)
    # report.json only: `poolctl report RUN -f md|junit` renders the other formats on demand
    try:
        report = save(report, run, files=("json",))
    except OSError as exc:
        from poolctl.lifecycle import FULL_DISK

        if exc.errno not in FULL_DISK:
            raise
        # the verdict needs no disk: printed, its run folder not named, then the failed write
        # said in one line (exit 2)
        publish([prepare(dataclasses.replace(report, run_dir=None), context)], opts, context)
        if copy.path.exists():  # the log piped in: its only copy
            try:
                whole = copy.whole() is not None
            except OSError:  # its last bytes, still buffered, found no room either
                whole = False
            cut = "" if whole else ", cut where the disk took no more of it,"
            note = f"what it read from standard input is kept{cut} in {copy.path}"
            said = stderr_stream(context.secrets)
            said.write(f"poolctl: note: {note}\n")
            said.flush()
        raise
    publish([report], opts, context)
    if unopened:  # the rest was triaged and reported; a log named but not there is bad input
        stderr = stderr_stream(context.secrets)
        stderr.write(f"poolctl: error: {one_line('; '.join(unopened))}\n")
        stderr.flush()
    copy.discard()
    recorder.finish()  # a history store that could not be used: one line, exit 2, report out
    raise typer.Exit(ExitCode.BAD_INPUT if unopened else exit_code(report, fail_on))


@contextlib.contextmanager
def watching_stdin(logs: Sequence[str], context: run_context.RunContext) -> Iterator[None]:
    """While the logs are read, standard input (when it is one of them and a pipe) is watched:
    when nothing has come on it for a while, the processes still holding it open are named. A
    terminal is read up to its first Ctrl-D, and the person at it told how to end the log."""
    saved = sys.stdin
    if "-" not in logs or saved is None:
        yield
        return

    def say(writers: list[str]) -> None:
        held = "; ".join(writers) if writers else "a process poolctl cannot see"
        stream = stderr_stream(context.secrets)
        stream.write(
            f"poolctl: nothing has come on standard input for {QUIET:g} s, and it is still open "
            f"for writing: {held} (a process the test run left behind?); poolctl reads until "
            "every writer has closed it (Ctrl-C ends the wait)\n"
        )
        stream.flush()

    if os.isatty(0):
        stream = stderr_stream(context.secrets)
        stream.write("poolctl: reading the log from the terminal: paste it, then press Ctrl-D\n")
        stream.flush()
        raw: io.RawIOBase = TerminalInput(0)
    elif is_pipe(0):
        raw = WatchedPipe(0, say)
    else:
        yield
        return

    sys.stdin = io.TextIOWrapper(
        io.BufferedReader(raw), encoding=saved.encoding or "utf-8", errors="replace"
    )
    try:
        yield
    finally:
        sys.stdin = saved
