"""Where every command's reports leave poolctl: the run folder, `--output`, the job summary.

`save` writes a run's report files (`report.json`, `report.md`, `junit.xml`, and from its trace
`timeline.html` and `trace.json`) and redacts every file in its run folder; `publish` writes the
reports in the chosen format, appends the Markdown to `$GITHUB_STEP_SUMMARY` and prints the
annotations. Everything goes through the redactor first, unless `--keep-secrets`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import IO, assert_never

from poolctl import redact
from poolctl.console import stderr_stream, stdout_stream
from poolctl.errors import UsageProblem
from poolctl.model import Report
from poolctl.report import (
    Format,
    HtmlWriter,
    JUnitWriter,
    MarkdownWriter,
    TerminalWriter,
    writer_for,
)
from poolctl.report.combine import combine
from poolctl.report.github import render_annotations, repo_links, summary_for
from poolctl.report.json_writer import JSON_OPTIONS, to_dict
from poolctl.report.pictures import picture_files, pictured
from poolctl.report.replay import read_events
from poolctl.rundir import RunDir
from poolctl.termenv import use_color

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


@dataclasses.dataclass(frozen=True)
class OutputOptions:
    """What the shared output options asked for."""

    fmt: Format = Format.TERM
    output: str = "-"
    annotations: bool = False
    keep_secrets: bool = False
    quiet: bool = False  # the verdict only
    verbose: bool = False  # every detail
    top: int | None = None  # the groups shown in the terminal view

    def begin(self) -> OutputOptions:
        """Apply `--keep-secrets` to this process's redactor; call before any output."""
        redact.set_keep(self.keep_secrets)
        return self

    @property
    def to_stdout(self) -> bool:
        return self.output == "-"

    @property
    def terminal(self) -> bool:
        """The terminal view goes to standard output (live progress, colours when a tty)."""
        return self.fmt is Format.TERM and self.to_stdout


# --- redaction -----------------------------------------------------------------------------
_PREPARED: weakref.WeakValueDictionary[int, Report] = weakref.WeakValueDictionary()


def prepare(report: Report) -> Report:
    """`report` as it may be shown: secrets redacted, or the `--keep-secrets` note first."""
    if _PREPARED.get(id(report)) is report:
        return report  # `save` prepared it: a big report is walked once
    notes = tuple(n for n in report.notes if n != redact.KEEP_NOTE)
    if redact.keeping():
        shown = dataclasses.replace(report, notes=(redact.KEEP_NOTE, *notes))
    else:
        clean = report if notes == report.notes else dataclasses.replace(report, notes=notes)
        shown = redact.active().value(clean)
    _PREPARED[id(shown)] = shown
    return shown


# --- the run folder ------------------------------------------------------------------------
def save(report: Report, run: RunDir) -> Report:
    """Write `report.json`, `report.md` and `junit.xml` into `run`, and the pictures of its
    trace (`timeline.html`, `trace.json`), then redact every file of the run folder; returns
    the report as shown (redacted), with its timeline."""
    events = read_events(run.events.read_text("utf-8", "replace")) if run.events.exists() else []
    try:
        report = pictured(report, events)
        files = picture_files(prepare(report), events)  # the page from the redacted report
    except Exception as exc:  # a picture that cannot be drawn never costs the run its report
        why = f"the run's pictures were not drawn ({type(exc).__name__}: {exc})"
        report = dataclasses.replace(report, notes=(*report.notes, why))
        files = {}
    shown = prepare(report)
    write_json(shown, str(run.report("json")))
    run.report("md").write_text(MarkdownWriter(repo_links()).render(shown), encoding="utf-8")
    with run.report("xml").open("w", encoding="utf-8") as fh:
        fh.writelines(JUnitWriter().chunks(shown))  # as the JSON: a big triage stays small
    for name, text in files.items():
        (run.path / name).write_text(text, encoding="utf-8")
    redact.active().tree(run.path)
    return shown


def scrub(path: str | Path | None) -> None:
    """Redact every file of a run folder (after an interruption or an internal error too)."""
    if path is not None:
        redact.active().tree(Path(path))


# --- publishing ----------------------------------------------------------------------------
def write_output(text: str, output: str) -> None:
    """Write (redacted) to a file, or to standard output for `-`."""
    if output == "-":
        stdout = stdout_stream()
        stdout.write(text)
        stdout.flush()
        return
    try:
        Path(output).write_text(redact.redact(text), encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(
            f"cannot write {output}: {exc.strerror or exc}", where="--output"
        ) from None


def _dump_json(report: Report, fh: IO[str]) -> None:
    """The JSON writer's document, encoded in chunks (as `JsonWriter.render` formats it): a
    long log's report is tens of MB as text."""
    json.dump(to_dict(report), fh, **JSON_OPTIONS)
    fh.write("\n")


def write_json(report: Report, output: str) -> None:
    """Stream a prepared report as JSON to a file, or to standard output for `-`."""
    if output == "-":
        _dump_json(report, sys.stdout)
        sys.stdout.flush()
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            _dump_json(report, fh)
    except OSError as exc:
        raise UsageProblem(
            f"cannot write {output}: {exc.strerror or exc}", where="--output"
        ) from None


def terminal_writer(*, color: bool, opts: OutputOptions | None = None) -> TerminalWriter:
    """The terminal writer for standard output: as wide as the terminal when colouring it,
    as detailed as `-q` or `-v` ask."""
    width = shutil.get_terminal_size().columns if color else 100
    opts = opts or OutputOptions()
    return TerminalWriter(
        color=color, width=width, verbose=opts.verbose, quiet=opts.quiet, top=opts.top
    )


def render(
    reports: Sequence[Report],
    fmt: Format,
    *,
    color: bool = False,
    opts: OutputOptions | None = None,
) -> str:
    """The reports in `fmt`: the terminal view as the command printed it, Markdown one report
    after another, JSON, JUnit and HTML as one document (several runs combined)."""
    match fmt:
        case Format.TERM:
            return terminal_writer(color=color, opts=opts).render_all(reports)
        case Format.MD:  # a test's file:line links to the commit under GitHub Actions
            links = repo_links()
            return "\n".join(MarkdownWriter(links).render(r) for r in reports)
        case Format.HTML:
            return HtmlWriter(repo_links()).render(combine(reports))
        case Format.JSON | Format.JUNIT:
            return writer_for(fmt).render(combine(reports))
        case _:
            assert_never(fmt)


def publish(
    reports: Sequence[Report],
    opts: OutputOptions,
    *,
    shown_live: bool = False,
) -> None:
    """Annotations (with `--annotations`), the reports in `--format` to `--output`, and the
    GitHub job summary when `$GITHUB_STEP_SUMMARY` is set. `reports` are as `save` returned
    them; `shown_live` when the command printed the terminal view as it ran."""
    shown = [prepare(r) for r in reports]
    if opts.annotations:
        workspace = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
        write_output("".join(render_annotations(combine(shown), workspace)), "-")
    if opts.fmt is Format.JSON:
        write_json(combine(shown), opts.output)
    else:
        if opts.fmt is Format.TERM and shown_live:
            text = ""
        else:
            color = opts.terminal and use_color(sys.stdout)
            text = render(shown, opts.fmt, color=color, opts=opts)
        if text or not opts.to_stdout:
            write_output(text, opts.output)
    step_summary(shown)


def step_summary(reports: Sequence[Report]) -> None:
    """Append the Markdown report to `$GITHUB_STEP_SUMMARY`, cut to fit GitHub's 1 MiB."""
    target = os.environ.get(SUMMARY_ENV)
    if not target or not reports:
        return
    path = Path(target)
    try:
        existing = path.stat().st_size if path.exists() else 0
        links = repo_links()
        docs = [redact.redact(MarkdownWriter(links).render(r)) for r in reports]
        where = reports[0].run_dir if len(reports) == 1 else ""
        text = summary_for(docs, existing, where or "")
        if text:
            with path.open("a", encoding="utf-8") as fh:
                fh.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        stderr_stream().write(
            f"poolctl: warning: cannot append to {SUMMARY_ENV} ({target}): {exc.strerror or exc}\n"
        )


__all__ = [
    "OutputOptions",
    "prepare",
    "publish",
    "render",
    "save",
    "scrub",
    "terminal_writer",
    "write_output",
]
