"""The command-line options every command shares, declared once, and the fixed choices.

Every command takes `--format`, `--output`, `--json` (as `--format json`), `-q` (the verdict
only, no progress) and `-v` (every detail); the commands that report findings also take
`--annotations` and `--keep-secrets` (see `poolctl.report.publish`). `patterns` prints
documents, not reports: its `--format` is term, md or json (`DocFormat`). Choices are enums whose
values the registries hold (`tests/test_cli_help.py` checks that they agree).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from poolctl.errors import UsageProblem
from poolctl.redact import Secrets
from poolctl.report import Format
from poolctl.report.publish import OutputOptions


class FramingName(StrEnum):
    """`--framing`: how bytes become messages (`poolctl.framing.FRAMINGS`)."""

    PACKET_4 = "packet-4"
    PACKET_2 = "packet-2"
    PACKET_1 = "packet-1"
    LINE = "line"
    CONTENT_LENGTH = "content-length"


class PingFraming(StrEnum):
    """`ping --framing`: a framing, or `auto` (try each in a fresh process)."""

    PACKET_4 = "packet-4"
    PACKET_2 = "packet-2"
    PACKET_1 = "packet-1"
    LINE = "line"
    CONTENT_LENGTH = "content-length"
    AUTO = "auto"


class ProtocolName(StrEnum):
    """`--protocol`: what messages mean (`poolctl.protocol.PROTOCOLS`)."""

    DSPEX = "dspex"
    JSONRPC = "jsonrpc"
    MCP = "mcp"
    LSP = "lsp"


class LogFormat(StrEnum):
    """`--log-format`: the test logs' format (`poolctl.logs.FORMATS`)."""

    AUTO = "auto"
    EXUNIT = "exunit"
    PYTEST = "pytest"
    JUNIT = "junit"


FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="term, md (GitHub Markdown), json (versioned schema), junit (XML) or html (one "
        "self-contained page).",
    ),
]


class DocFormat(StrEnum):
    """`--format` of the commands that print a document rather than a report (`patterns`):
    the values of `Format` that make sense there."""

    TERM = "term"
    MD = "md"
    JSON = "json"


DocFormatOpt = Annotated[
    DocFormat,
    typer.Option("--format", "-f", help="term, md (GitHub Markdown) or json (versioned schema)."),
]
OutputOpt = Annotated[
    str, typer.Option("--output", "-o", help="Write the report to FILE; - is stdout.")
]
AnnotationsOpt = Annotated[
    bool,
    typer.Option(
        "--annotations",
        help="Print GitHub Actions ::error annotations for failing tests (10 per level at "
        "most; on stderr when stdout carries a --format document).",
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the report as JSON (as --format json).")
]
KeepRunsOpt = Annotated[
    int | None,
    typer.Option(
        "--keep",
        min=1,
        help="Runs of this kind to keep in the reports folder, the newest; older ones are "
        "deleted, never one in use (default: $POOLCTL_KEEP_RUNS, else 20).",
    ),
]
QuietOpt = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Print the verdict only: no progress, no details."),
]
VerboseOpt = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="Print every detail: the evidence behind each line."),
]
TopOpt = Annotated[
    int | None,
    typer.Option(
        "--top", min=1, help="Show the N biggest groups of failures (report.md has them all)."
    ),
]
KeepSecretsOpt = Annotated[
    bool,
    typer.Option(
        "--keep-secrets",
        help="Do not redact API keys and tokens (local debugging only; the output says so).",
    ),
]
LogFormatOpt = Annotated[
    LogFormat, typer.Option("--log-format", help="The logs' format (auto: sniffed).")
]

HistoryOpt = Annotated[
    str | None,
    typer.Option(
        "--history",
        metavar="URL",
        help="The run history store: sqlite:///PATH, postgresql://USER:PASSWORD@HOST/DB or a "
        "file (default: POOLCTL_HISTORY, else .poolctl/history.sqlite in the project).",
    ),
]
NoHistoryOpt = Annotated[
    bool,
    typer.Option(
        "--no-history", help="Record nothing in the run history (findings say no new/known)."
    ),
]


def output_options(
    fmt: Format,
    output: str,
    annotations: bool,
    keep_secrets: bool,
    secrets: Secrets,
    *,
    as_json: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    top: int | None = None,
    inputs: Sequence[str | Path] = (),
) -> OutputOptions:
    """The shared options as one value, applied (`--keep-secrets`, to the run's `secrets`)
    at once. An `--output` that is one of the run's `inputs` is refused: the report was
    written over the log (or scenario, or report.json) it was made from."""
    if (clash := _same_file(output, inputs)) is not None:
        named = "" if clash == output else f" ({clash})"
        raise UsageProblem(
            f"{output}{named} is an input of this run: the report would overwrite it; "
            "name another file",
            where="--output",
        )
    if as_json and fmt not in (Format.TERM, Format.JSON):
        raise UsageProblem(f"--json and --format {fmt}: choose one")
    if quiet and verbose:
        raise UsageProblem("-q and -v: choose one")
    chosen = Format.JSON if as_json else fmt
    options = OutputOptions(chosen, output, annotations, keep_secrets, quiet, verbose, top)
    return options.begin(secrets)


def _same_file(output: str, inputs: Sequence[str | Path]) -> str | None:
    """The input that `output` names (the same regular file, by any path), if one does."""
    if output == "-":
        return None
    try:
        written = os.stat(output)
    except OSError:
        return None  # not there yet: it cannot be an input
    if not stat.S_ISREG(written.st_mode):
        return None  # /dev/stdout, a FIFO: writing it destroys nothing
    for source in inputs:
        try:
            read = os.stat(source)
        except OSError:
            continue
        if (read.st_dev, read.st_ino) == (written.st_dev, written.st_ino):
            return str(source)
    return None


__all__ = [
    "AnnotationsOpt",
    "DocFormat",
    "DocFormatOpt",
    "FormatOpt",
    "FramingName",
    "HistoryOpt",
    "JsonOpt",
    "KeepRunsOpt",
    "KeepSecretsOpt",
    "LogFormat",
    "LogFormatOpt",
    "NoHistoryOpt",
    "OutputOpt",
    "PingFraming",
    "ProtocolName",
    "QuietOpt",
    "TopOpt",
    "VerboseOpt",
    "output_options",
]


def require_folder(option: str, path: str) -> None:
    """`path`, given to a folder `option` (`--cwd`, `--source`), is a folder; else one line
    that says what it is instead (a missing path and a file were both "not a directory")."""
    try:
        found = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise UsageProblem(f"{option}: does not exist: {path}") from None
    except OSError as exc:
        raise UsageProblem(f"{option}: cannot look at {path}: {exc.strerror}") from None
    if not stat.S_ISDIR(found.st_mode):
        raise UsageProblem(f"{option}: not a directory: {path}")
