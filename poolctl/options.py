"""The command-line options several commands share, declared once.

`--format`, `--output`, `--annotations` and `--keep-secrets` steer where a report goes (see
`poolctl.report.publish`); `--json` is `--format json` for the commands that run a worker.
"""

from __future__ import annotations

from typing import Annotated

import typer

from poolctl.report import Format
from poolctl.report.publish import OutputOptions

FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="term, md (GitHub Markdown), json (versioned schema), junit (XML) or html (one "
        "self-contained page).",
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
    fmt: Format, output: str, annotations: bool, keep_secrets: bool
) -> OutputOptions:
    """The shared options as one value, applied (`--keep-secrets`) at once."""
    return OutputOptions(fmt, output, annotations, keep_secrets).begin()


__all__ = [
    "AnnotationsOpt",
    "FormatOpt",
    "HistoryOpt",
    "JsonOpt",
    "KeepSecretsOpt",
    "NoHistoryOpt",
    "OutputOpt",
    "output_options",
]
