"""Where every command's reports leave poolctl: the run folder, `--output`, the job summary.

`save` writes a run's report files (`report.json`, `report.md`, `junit.xml`, and from its trace
`timeline.html` and `trace.json`) and redacts every file in its run folder; `publish` writes the
reports in the chosen format, appends the Markdown to `$GITHUB_STEP_SUMMARY` and prints the
annotations. Everything goes through the run's redactor first, unless `--keep-secrets`; a
report built from redacted strings (`redacted_at_source`) is not walked again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets as secrets_module
import shutil
import sys
import weakref
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

from poolctl import redact
from poolctl.boundedread import open_writable
from poolctl.console import stderr_stream, stdout_stream
from poolctl.context import RunContext
from poolctl.errors import UsageProblem
from poolctl.file_limit import cut_logs
from poolctl.model import Report, ReportKind
from poolctl.reader_gone import reader_gone
from poolctl.redact import Secrets
from poolctl.report import Format, writer_for
from poolctl.report.combine import combine
from poolctl.report.json_writer import chunks as json_chunks
from poolctl.report.view import timeline_of
from poolctl.rundir import RunDir
from poolctl.signal_sender import WAITER
from poolctl.termenv import terminal_columns, use_color

if TYPE_CHECKING:
    from poolctl.report.replay import Event
    from poolctl.report.terminal import TerminalWriter

# The writers other than JSON, the trace's pictures and GitHub's outputs are imported where they
# are used: a triage writes report.json alone, and prints one format.

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
KINDS: tuple[ReportKind, ...] = ("triage", "scenario", "ping", "doctor")
SAVED = ("md", "xml", "json")  # the report files of a run folder, report.json last


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

    def begin(self, secrets: Secrets) -> OutputOptions:
        """Apply `--keep-secrets` to the run's secrets; call before any output."""
        secrets.keep = self.keep_secrets
        return self

    @property
    def to_stdout(self) -> bool:
        return self.output == "-"

    @property
    def terminal(self) -> bool:
        """The terminal view goes to standard output (live progress, colours when a tty)."""
        return self.fmt is Format.TERM and self.to_stdout


# --- redaction -----------------------------------------------------------------------------
def redacted_at_source(report: Report, context: RunContext) -> Report:
    """`report`, whose every string was redacted with the run's secrets as it was read, as it
    may be shown: marked prepared (the `--keep-secrets` note first when it is on), without a
    walk over it."""
    if context.secrets.keep:
        return prepare(report, context)
    context.prepared[id(report)] = report
    return report


def prepare(report: Report, context: RunContext) -> Report:
    """`report` as it may be shown: redacted with the run's secrets, or the `--keep-secrets`
    note first."""
    if context.prepared.get(id(report)) is report:
        return report  # `save` prepared it: a big report is walked once
    notes = tuple(n for n in report.notes if n != redact.KEEP_NOTE)
    if context.secrets.keep:
        shown = dataclasses.replace(report, notes=(redact.KEEP_NOTE, *notes))
    else:
        clean = report if notes == report.notes else dataclasses.replace(report, notes=notes)
        shown = context.secrets.redactor().value(clean)
    context.prepared[id(shown)] = shown
    return shown


# --- the run folder ------------------------------------------------------------------------
_SAVED_JSON: dict[int, tuple[weakref.ref[Report], Path]] = {}  # a report's report.json


def write_reports(
    shown: Report,
    run: RunDir,
    pictures: Mapping[str, str] | None = None,
    files: Sequence[str] = SAVED,
) -> Report:
    """The `pictures` (file name: text), then the report `files` (`report.json`, `report.md`
    and `junit.xml` by default) of a prepared report, into its run folder; each report whole or
    not at all (written aside, then renamed), report.json last: a run interrupted while it
    saves gets a report marked interrupted instead. A picture the folder takes no more of (a
    full disk, a file-size limit) is left out and noted: the report, and the trace it is drawn
    from, are kept. The report as written (those notes added)."""
    with run.writing_reports():
        shown = _noted(shown, run, _write_pictures(run, pictures or {}))
        _write_reports(shown, run, files)
    return shown


def _write_pictures(run: RunDir, pictures: Mapping[str, str]) -> list[str]:
    """Write `pictures` into the run folder; a note for each that could not be written."""
    notes = []
    for name, text in pictures.items():
        try:
            (run.path / name).write_text(text, encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            (run.path / name).unlink(missing_ok=True)  # a cut picture draws nothing right
            notes.append(
                f"{name} was not written ({exc.strerror}): the run folder took no more of it; "
                f"`poolctl report {run.path} --format html > run.html` draws the run from its "
                "report elsewhere"
            )
    return notes


def _noted(shown: Report, run: RunDir, notes: list[str]) -> Report:
    """`shown` with `notes` added, prepared as it was (its strings redacted)."""
    if not notes:
        return shown
    noted = dataclasses.replace(shown, notes=(*shown.notes, *notes))
    if run.context.prepared.get(id(shown)) is shown:
        run.context.prepared[id(noted)] = noted
    return noted


def _write_reports(shown: Report, run: RunDir, files: Sequence[str]) -> None:
    wanted = [suffix for suffix in SAVED if suffix in files]
    partial = {suffix: run.path / f".{run.report(suffix).name}.partial" for suffix in wanted}
    try:
        if "md" in partial:
            from poolctl.report.github import repo_links
            from poolctl.report.markdown import MarkdownWriter

            md = MarkdownWriter(repo_links()).render(shown)
            # (a name's byte that is not UTF-8 is written as a visible escape, `\udcff`)
            partial["md"].write_text(md, encoding="utf-8", errors="backslashreplace")
        if "xml" in partial:
            from poolctl.report.junit import JUnitWriter

            with partial["xml"].open("w", encoding="utf-8", errors="backslashreplace") as fh:
                fh.writelines(JUnitWriter().chunks(shown))  # as the JSON: a big triage stays small
        if "json" in partial:
            save_json(shown, partial["json"])
        for suffix in wanted:
            os.replace(partial[suffix], run.report(suffix))
            if run.context.prepared.get(id(shown)) is shown:  # its strings are redacted
                run.redacted.add(run.report(suffix))
        if "json" in partial:  # a JSON --output of the same report is copied from it
            _SAVED_JSON.clear()
            _SAVED_JSON[id(shown)] = (weakref.ref(shown), run.report("json"))
    finally:
        for path in partial.values():
            path.unlink(missing_ok=True)


def save(report: Report, run: RunDir, *, files: Sequence[str] = SAVED) -> Report:
    """Write the report `files` (`report.json`, `report.md` and `junit.xml` by default) into
    `run`, and the pictures of its trace (`timeline.html`, `trace.json`); returns the report as
    shown (redacted), with its timeline. The other files of the run folder (a worker's captured
    output may be gigabytes) are redacted when the command ends, after the verdict is printed:
    a Ctrl-C meanwhile leaves the verdict on the screen, and the next command scrubs them."""
    capped = run.context.stderr_caps.notes(run.path)  # what a flooded stderr log dropped
    capped += cut_logs(run.path)  # what a file-size limit cut off a worker's logs
    capped += WAITER.ignored_notes()  # a worker's kill() of poolctl, survived
    if capped:
        report = dataclasses.replace(report, notes=(*report.notes, *capped))
    pictures: dict[str, str] = {}
    if run.events.exists() or timeline_of(report) is not None:  # a run with a trace (no triage)
        if run.context.interrupted:
            # drawing a long trace takes longer than the watchdog leaves an interrupted run
            # (about 1 s for 50,000 events): its report first, which the watchdog then marks
            # interrupted instead of writing an empty one in its place
            write_reports(prepare(report, run.context), run, None, files)
        report, pictures = _with_pictures(report, run)
    return write_reports(prepare(report, run.context), run, pictures, files)


def pictured(report: Report, events: Sequence[Event]) -> Report:
    """`report` with the timeline of `events` in its details, when its run has a picture."""
    from poolctl.report import pictures  # the pictures' modules: for a run with a trace only

    return pictures.pictured(report, events)


def _with_pictures(report: Report, run: RunDir) -> tuple[Report, dict[str, str]]:
    """`report` with its timeline, and the files that picture its run's trace."""
    from poolctl.report.pictures import picture_files
    from poolctl.report.trace_read import read_trace

    read = read_trace(run.events)  # bounded: a trace may be gigabytes, or no file at all
    events = read.events
    said = read.note(run.events.name)
    if said:
        report = dataclasses.replace(report, notes=(*report.notes, said))
    try:
        report = pictured(report, events)
        # the page from the redacted report
        return report, picture_files(prepare(report, run.context), events, said)
    except Exception as exc:  # a picture that cannot be drawn never costs the run its report
        why = f"the run's pictures were not drawn ({type(exc).__name__}: {exc})"
        return dataclasses.replace(report, notes=(*report.notes, why)), {}


def save_interrupted(run: RunDir, signal_name: str, sender: str = "") -> Report:
    """The report of a run cut short before it wrote its own: its kind, marked interrupted,
    and a note of what is in the run folder (and who sent the signal, when a worker or its
    family did: `sender`, as poolctl/signal_sender.py words it)."""
    from poolctl.logs.stdin_copy import COPY_NAME
    from poolctl.report.cut_short import unanswered_before

    kind: ReportKind = next((k for k in KINDS if k == run.kind), "ping")
    notes = [
        f"interrupted by {signal_name}{sender}: the run was cut short; every process was stopped "
        "and everything captured so far is in the run folder"
    ]
    ended = _scenario_ended(run) if kind == "scenario" else ""
    if ended:  # not cut short: its findings were not made from a whole trace
        notes[0] = (
            f"interrupted by {signal_name}{sender} after the scenario had run to its end "
            f"({ended}): every step ran and its pool stopped, and the signal came as its trace "
            "was read, so no finding was made of it; the trace in events.jsonl is whole: run "
            "the scenario again for its findings"
        )
    if kind in ("ping", "doctor") and (unanswered := unanswered_before(run.events, kind)):
        notes.append(unanswered)  # the failure seen, its diagnosis not made
    if kind == "triage" and (run.path / COPY_NAME).exists():
        notes.append(
            f"what it had read from standard input is in {COPY_NAME} there: "
            f"`poolctl triage {run.path / COPY_NAME}` reads it again"
        )
    run.context.stderr_caps.close_all()  # every process was stopped: the logs are complete
    notes += run.context.stderr_caps.notes(run.path)
    notes += cut_logs(run.path)
    notes += WAITER.ignored_notes()
    report = Report(
        kind=kind,
        title=f"{run.kind} (interrupted by {signal_name})",
        notes=tuple(notes),
        run_dir=str(run.path),
        interrupted=signal_name,
    )
    shown = prepare(report, run.context)
    write_reports(shown, run, files=("json",) if kind == "triage" else SAVED)
    return shown


def _scenario_ended(run: RunDir) -> str:
    """`events.jsonl #31, scenario_end at 1.022 s` when the run's trace ends with the
    scenario's end ("" otherwise: cut short, or no trace)."""
    try:
        with run.events.open("rb") as events:
            events.seek(max(0, run.events.stat().st_size - 4096))
            last = events.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
        event = json.loads(last)
    except (OSError, ValueError):
        return ""
    if not isinstance(event, dict) or event.get("type") != "scenario_end":
        return ""
    return f"events.jsonl #{event.get('seq')}, scenario_end at {event.get('t', 0):.3f} s"


def say_scrubbed(folders: Sequence[Path], secrets: Secrets | None = None) -> None:
    """Tell that run folders a killed poolctl had left unscrubbed were scrubbed now."""
    if folders:
        names = ", ".join(str(f) for f in folders)
        stderr_stream(secrets).write(
            f"poolctl: scrubbed secrets from {len(folders)} run folder(s) left unscrubbed by "
            f"a poolctl that did not end cleanly (killed?): {names}\n"
        )


def mark_interrupted(run: RunDir, signal_name: str) -> None:
    """A run whose report was written before the signal came: report.json gets its
    `interrupted` (copied in chunks, a big triage's is tens of MB), report.md a last line."""
    path = run.report("json")
    with path.open("rb") as src:
        src.seek(max(0, path.stat().st_size - (1 << 16)))
        tail = src.read()
        src.seek(0)
        head = src.read(1 << 16)
        known = b'\n  "interrupted": '  # a top-level key (the JSON is indented by two)
        if known in head or known in tail or not head.startswith(b"{"):
            return
        partial = run.path / ".report.json.partial"
        try:
            with partial.open("wb") as dst:
                dst.write(b'{\n  "interrupted": ' + json.dumps(signal_name).encode() + b",")
                dst.write(head[1:])
                shutil.copyfileobj(src, dst)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    if not run.report("md").exists():  # a triage keeps report.json alone
        return
    with run.report("md").open("a", encoding="utf-8") as md:
        md.write(f"\n> poolctl was interrupted by {signal_name} after writing this report.\n")


# --- publishing ----------------------------------------------------------------------------
def write_output(
    text: str, output: str, secrets: Secrets | None = None, *, document: bool = False
) -> None:
    """Write (redacted with the run's `secrets`) to a file, or to standard output for `-`. A
    `document` (JSON, JUnit XML, Markdown, HTML) goes to standard output in UTF-8, its own
    encoding, as to a file: on an ASCII-only terminal the text's escapes and ASCII marks made
    JSON that no parser reads (`"caf\\xe9"`) and changed the data."""
    if output == "-":
        stdout = stdout_stream(secrets)
        if document:
            _write_stdout(stdout.current().text(text).encode("utf-8", "backslashreplace"))
            return
        stdout.write(text)
        stdout.flush()
        return
    redactor = secrets.redactor() if secrets is not None else redact.environment()
    try:
        with open_writable(output) as fh:  # a FIFO nobody reads: refused, not waited on
            fh.write(redactor.text(text).encode("utf-8", "backslashreplace"))
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
        _write_stdout(*_json_pieces(report))
        return
    try:
        save_json(report, Path(output))
    except OSError as exc:
        raise UsageProblem(
            f"cannot write {output}: {exc.strerror or exc}", where="--output"
        ) from None


def _write_stdout(*pieces: bytes) -> None:
    """`pieces` to standard output as they are (its buffer, past the text layer's encoding).
    A reader gone (`… -f json | head -c 100`) ends the run as the terminal report's console
    does: typer turned the BrokenPipeError into exit 1, the run folder unscrubbed."""
    try:
        sys.stdout.flush()
        out = getattr(sys.stdout, "buffer", None)
        for piece in pieces:
            if out is not None:
                out.write(piece)
            else:
                sys.stdout.write(piece.decode("utf-8"))
        (out or sys.stdout).flush()
    except OSError as exc:
        reader_gone(exc, sys.stdout)


def save_json(report: Report, path: Path) -> None:
    """Stream a prepared report as JSON to a file; an error writing it is the caller's to
    word: the run folder's report.json on a full disk is the run folder's (it was "--output",
    an option not given)."""
    with open_writable(path) as fh:
        fh.writelines(_json_pieces(report))


def terminal_writer(*, color: bool, opts: OutputOptions | None = None) -> TerminalWriter:
    """The terminal writer for standard output: as wide as the terminal when colouring it,
    as detailed as `-q` or `-v` ask."""
    from poolctl.report.terminal import TerminalWriter

    width = terminal_columns() if color else 100
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
            from poolctl.report.github import repo_links
            from poolctl.report.markdown import MarkdownWriter

            links = repo_links()
            return "\n".join(MarkdownWriter(links).render(r) for r in reports)
        case Format.HTML:
            from poolctl.report.github import repo_links
            from poolctl.report.html import HtmlWriter

            return HtmlWriter(repo_links()).render(combine(reports))
        case Format.JSON | Format.JUNIT:
            return writer_for(fmt).render(combine(reports))
        case _:
            assert_never(fmt)


def publish(
    reports: Sequence[Report],
    opts: OutputOptions,
    context: RunContext,
    *,
    shown_live: bool = False,
) -> None:
    """Annotations (with `--annotations`), the reports in `--format` to `--output`, and the
    GitHub job summary when `$GITHUB_STEP_SUMMARY` is set. `reports` are as `save` returned
    them; `shown_live` when the command printed the terminal view as it ran."""
    secrets = context.secrets
    shown = [prepare(r, context) for r in reports]
    if opts.annotations:
        from poolctl.report.github import render_annotations

        workspace = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
        commands = render_annotations(combine(shown), workspace)
        if opts.to_stdout and opts.fmt is not Format.TERM:
            # standard output carries a document (`-f json > report.json`): the runner reads
            # workflow commands from standard error too
            stderr = stderr_stream(secrets)
            stderr.write(commands)
            stderr.flush()
        else:
            write_output(commands, "-", secrets)
    if opts.fmt is Format.JSON:
        write_json(combine(shown), opts.output)
    else:
        if opts.fmt is Format.TERM and shown_live:
            text = ""
        else:
            color = opts.terminal and use_color(sys.stdout)
            text = render(shown, opts.fmt, color=color, opts=opts)
        if text and opts.to_stdout and opts.terminal:
            # (a document, JUnit, HTML, Markdown, stays one: `-f junit > junit.xml` in a CI step)
            text = commands_stopped(text)
        if text or not opts.to_stdout:
            write_output(text, opts.output, secrets, document=opts.fmt is not Format.TERM)
    step_summary(shown, secrets)


@contextlib.contextmanager
def live_commands_stopped(opts: OutputOptions, secrets: Secrets) -> Iterator[None]:
    """While a command prints its view as it runs (run-scenario, doctor), in GitHub Actions:
    between `::stop-commands::` and its token, as `commands_stopped` does for a report printed
    at the end; the annotations come after it."""
    token = _stop_token() if opts.terminal else None
    if token is None:
        yield
        return
    write_output(f"::stop-commands::{token}\n", "-", secrets)
    try:
        yield
    finally:
        write_output(f"::{token}::\n", "-", secrets)


def _stop_token() -> str | None:
    """A fresh token for `::stop-commands::` in GitHub Actions; None elsewhere."""
    return secrets_module.token_hex(16) if os.environ.get("GITHUB_ACTIONS") == "true" else None


def commands_stopped(text: str) -> str:
    """`text` for standard output: in GitHub Actions, between `::stop-commands::` and its
    token, so that no line of it (a test's name or message quoted from a log, which may begin
    `::error` or `::add-mask::`) runs as a workflow command."""
    token = _stop_token()
    if token is None:
        return text
    ending = "" if text.endswith("\n") else "\n"
    return f"::stop-commands::{token}\n{text}{ending}::{token}::\n"


def step_summary(reports: Sequence[Report], secrets: Secrets | None = None) -> None:
    """Append the Markdown report to `$GITHUB_STEP_SUMMARY`, cut to fit GitHub's 1 MiB."""
    target = os.environ.get(SUMMARY_ENV)
    if not target or not reports:
        return
    from poolctl.report.github import repo_links, summary_for
    from poolctl.report.markdown import MarkdownWriter

    path = Path(target)
    try:
        existing = path.stat().st_size if path.exists() else 0
        redactor = secrets.redactor() if secrets is not None else redact.environment()
        links = repo_links()
        docs = [redactor.text(MarkdownWriter(links).render(r)) for r in reports]
        where = reports[0].run_dir if len(reports) == 1 else ""
        text = summary_for(docs, existing, where or "")
        if text:
            with open_writable(path, append=True) as fh:  # a FIFO nobody reads: refused
                fh.write((text if text.endswith("\n") else text + "\n").encode("utf-8"))
    except OSError as exc:
        stderr_stream().write(
            f"poolctl: warning: cannot append to {SUMMARY_ENV} ({target}): {exc.strerror or exc}\n"
        )


__all__ = [
    "OutputOptions",
    "mark_interrupted",
    "prepare",
    "publish",
    "redacted_at_source",
    "render",
    "save",
    "save_interrupted",
    "say_scrubbed",
    "terminal_writer",
    "write_output",
]
