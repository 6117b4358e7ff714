"""Where every command's output leaves poolctl, and the options that steer it.

`--format`, `--output`, `--annotations` and `--keep-secrets` are declared once here and used by
every command. `save` writes a run's report files (`report.json`, `report.md`, `junit.xml`) and
redacts every file in its run folder; `publish` writes the report in the chosen format, appends
the Markdown to `$GITHUB_STEP_SUMMARY` and prints the annotations. Everything goes through the
redactor first, unless `--keep-secrets`.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import sys
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Annotated, assert_never

import typer
from rich.console import Console

from poolctl import redact
from poolctl.errors import UsageProblem
from poolctl.model import Report
from poolctl.report import Format, JUnitWriter, MarkdownWriter, writer_for
from poolctl.report.combine import combine
from poolctl.report.github import render_annotations, summary_for
from poolctl.report.json_writer import JSON_OPTIONS, to_dict
from poolctl.rundir import RunDir

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"

FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format", "-f", help="term, md (GitHub Markdown), json (versioned schema) or junit (XML)."
    ),
]
OutputOpt = Annotated[
    str, typer.Option("--output", "-o", help="Write the report to FILE; - is stdout.")
]
AnnotationsOpt = Annotated[
    bool,
    typer.Option(
        "--annotations",
        help="Print GitHub Actions ::error annotations for failing tests (10 per level at most).",
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the report as JSON (as --format json).")
]
KeepSecretsOpt = Annotated[
    bool,
    typer.Option(
        "--keep-secrets",
        help="Do not redact API keys and tokens (local debugging only; the output says so).",
    ),
]


@dataclasses.dataclass(frozen=True)
class OutputOptions:
    """What the shared output options asked for."""

    fmt: Format = Format.TERM
    output: str = "-"
    annotations: bool = False
    keep_secrets: bool = False

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


class RedactingStream(io.TextIOBase):  # rich writes whole lines: a secret is never split
    """A text stream that redacts what is written to it (progress lines printed live)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, s: str) -> int:
        self.stream.write(redact.redact(s))
        return len(s)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8") or "utf-8"


def console() -> Console:
    """Standard output for people, redacted: the terminal view and live progress."""
    stream: IO[str] = RedactingStream(sys.stdout)  # type: ignore[assignment]
    return Console(file=stream, soft_wrap=True, highlight=False)


# --- the run folder ------------------------------------------------------------------------
def save(report: Report, run: RunDir) -> Report:
    """Write `report.json`, `report.md` and `junit.xml` into `run` and redact every file of
    the run folder; returns the report as shown (redacted)."""
    shown = prepare(report)
    write_json(shown, str(run.report("json")))
    run.report("md").write_text(MarkdownWriter().render(shown), encoding="utf-8")
    with run.report("xml").open("w", encoding="utf-8") as fh:
        fh.writelines(JUnitWriter().chunks(shown))  # as the JSON: a big triage stays small
    redact.active().tree(run.path)
    return shown


def scrub(path: str | Path | None) -> None:
    """Redact every file of a run folder (after an interruption or an internal error too)."""
    if path is not None:
        redact.active().tree(Path(path))


# --- publishing ----------------------------------------------------------------------------
def write_output(text: str, output: str) -> None:
    """Write (redacted) to a file, or to standard output for `-`."""
    text = redact.redact(text)
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


def render(reports: Sequence[Report], fmt: Format, *, color: bool = False) -> str:
    """The reports in `fmt`: Markdown and terminal text one after another, JSON and JUnit as
    one document (several runs combined)."""
    match fmt:
        case Format.TERM | Format.MD:
            width = shutil.get_terminal_size().columns if color else 100
            writer = writer_for(fmt, color=color, width=width)
            return "\n".join(writer.render(r) for r in reports)
        case Format.JSON | Format.JUNIT:
            return writer_for(fmt).render(combine(reports))
        case _:
            assert_never(fmt)


def publish(reports: Sequence[Report], opts: OutputOptions, *, term: str | None = None) -> None:
    """Annotations (with `--annotations`), the report in `--format` to `--output` (`term`, when
    given, is the command's own terminal view), and the GitHub job summary when
    `$GITHUB_STEP_SUMMARY` is set. `reports` are as `save` returned them."""
    shown = [prepare(r) for r in reports]
    if opts.annotations:
        workspace = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
        write_output("".join(render_annotations(combine(shown), workspace)), "-")
    if opts.fmt is Format.JSON:
        write_json(combine(shown), opts.output)
    else:
        if opts.fmt is Format.TERM and term is not None:
            text = term  # the command's own view ("" when it was printed live)
        else:
            text = render(shown, opts.fmt, color=opts.terminal and sys.stdout.isatty())
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
        docs = [redact.redact(MarkdownWriter().render(r)) for r in reports]
        where = reports[0].run_dir if len(reports) == 1 else ""
        text = summary_for(docs, existing, where or "")
        if text:
            with path.open("a", encoding="utf-8") as fh:
                fh.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        print(
            f"poolctl: warning: cannot append to {SUMMARY_ENV} ({target}): {exc.strerror or exc}",
            file=sys.stderr,
        )


def options(fmt: Format, output: str, annotations: bool, keep_secrets: bool) -> OutputOptions:
    """The shared options as one value, applied (`--keep-secrets`) at once."""
    return OutputOptions(fmt, output, annotations, keep_secrets).begin()


__all__ = [
    "AnnotationsOpt",
    "FormatOpt",
    "KeepSecretsOpt",
    "OutputOpt",
    "OutputOptions",
    "console",
    "options",
    "prepare",
    "publish",
    "render",
    "save",
    "scrub",
    "write_output",
]
