"""Where every command's reports leave poolctl: the run folder, `--output`, the job summary.

`save` writes a run's report files (`report.json`, `report.md`, `junit.xml`, or the ones asked
for) and redacts every file in its run folder; `publish` writes the reports in the chosen
format, appends the Markdown to `$GITHUB_STEP_SUMMARY` and prints the annotations. Everything
goes through the redactor first, unless `--keep-secrets`; a report built from redacted strings
(`redacted_at_source`) is not walked again.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import assert_never

from poolctl import redact
from poolctl.console import stderr_stream, stdout_stream
from poolctl.errors import UsageProblem
from poolctl.model import Report
from poolctl.report import Format, JUnitWriter, MarkdownWriter, TerminalWriter, writer_for
from poolctl.report.combine import combine
from poolctl.report.github import render_annotations, summary_for
from poolctl.report.json_writer import chunks as json_chunks
from poolctl.rundir import RunDir

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


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


def redacted_at_source(report: Report) -> Report:
    """`report`, whose every string was redacted as it was read, as it may be shown: marked
    prepared (the `--keep-secrets` note first when it is on), without a walk over it."""
    if redact.keeping():
        return prepare(report)
    _PREPARED[id(report)] = report
    return report


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
REPORT_FILES = ("json", "md", "xml")
_SAVED_JSON: dict[int, tuple[weakref.ref[Report], Path]] = {}  # a report's report.json


def save(
    report: Report, run: RunDir, *, files: Sequence[str] = REPORT_FILES, scrub_folder: bool = True
) -> Report:
    """Write the report's `files` (`report.json`, `report.md` and `junit.xml` by default) into
    `run` and redact every file of the run folder (unless not `scrub_folder`: it holds only what
    this report, redacted, wrote); returns the report as shown (redacted)."""
    shown = prepare(report)
    if "json" in files:
        write_json(shown, str(run.report("json")))
        _SAVED_JSON.clear()
        _SAVED_JSON[id(shown)] = (weakref.ref(shown), run.report("json"))
    if "md" in files:
        run.report("md").write_text(MarkdownWriter().render(shown), encoding="utf-8")
    if "xml" in files:
        with run.report("xml").open("w", encoding="utf-8") as fh:
            fh.writelines(JUnitWriter().chunks(shown))  # as the JSON: a big triage stays small
    if scrub_folder:
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


def _json_pieces(report: Report) -> Iterator[bytes]:
    """The JSON writer's document in pieces (as `JsonWriter.render` formats it): a long log's
    report is tens of MB as text. A report `save` wrote is copied from its `report.json`."""
    saved = _SAVED_JSON.get(id(report))
    if saved is not None and saved[0]() is report:
        with saved[1].open("rb") as fh:
            while piece := fh.read(1 << 20):
                yield piece
        return
    yield from json_chunks(report)


def write_json(report: Report, output: str) -> None:
    """Stream a prepared report as JSON to a file, or to standard output for `-`."""
    if output == "-":
        sys.stdout.flush()
        out = getattr(sys.stdout, "buffer", None)
        for piece in _json_pieces(report):
            if out is not None:
                out.write(piece)
            else:
                sys.stdout.write(piece.decode("utf-8"))
        (out or sys.stdout).flush()
        return
    try:
        with open(output, "wb") as fh:
            fh.writelines(_json_pieces(report))
    except OSError as exc:
        raise UsageProblem(
            f"cannot write {output}: {exc.strerror or exc}", where="--output"
        ) from None


def terminal_writer(*, color: bool, verbose: bool = False) -> TerminalWriter:
    """The terminal writer for standard output: as wide as the terminal when colouring it."""
    width = shutil.get_terminal_size().columns if color else 100
    return TerminalWriter(color=color, width=width, verbose=verbose)


def render(
    reports: Sequence[Report], fmt: Format, *, color: bool = False, verbose: bool = False
) -> str:
    """The reports in `fmt`: the terminal view as the command printed it, Markdown one report
    after another, JSON and JUnit as one document (several runs combined)."""
    match fmt:
        case Format.TERM:
            return terminal_writer(color=color, verbose=verbose).render_all(reports)
        case Format.MD:
            return "\n".join(writer_for(fmt).render(r) for r in reports)
        case Format.JSON | Format.JUNIT:
            return writer_for(fmt).render(combine(reports))
        case _:
            assert_never(fmt)


def publish(
    reports: Sequence[Report],
    opts: OutputOptions,
    *,
    verbose: bool = False,
    shown_live: bool = False,
) -> None:
    """Annotations (with `--annotations`), the reports in `--format` to `--output`, and the
    GitHub job summary when `$GITHUB_STEP_SUMMARY` is set. `reports` are as `save` returned
    them; `shown_live` when the command printed the terminal view as it ran; `verbose` shows
    the evidence behind every doctor check."""
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
            color = opts.terminal and sys.stdout.isatty()
            text = render(shown, opts.fmt, color=color, verbose=verbose)
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
        stderr_stream().write(
            f"poolctl: warning: cannot append to {SUMMARY_ENV} ({target}): {exc.strerror or exc}\n"
        )


__all__ = [
    "OutputOptions",
    "prepare",
    "publish",
    "redacted_at_source",
    "render",
    "save",
    "scrub",
    "terminal_writer",
    "write_output",
]
