"""`poolctl history runs | test NAME | flaky | patterns | prune --older-than 90d`: what the run
history store holds, in `--format term|md|json|html`."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

import typer

from poolctl.history.flaky import parse_duration, window_from_env
from poolctl.history.listings import (
    Bucket,
    flaky_listing,
    outcomes_listing,
    patterns_listing,
    prune_listing,
    runs_listing,
)
from poolctl.history.location import resolve
from poolctl.history.store import HistoryStore
from poolctl.history.views import HistoryFormat, Listing, render_listing
from poolctl.options import HistoryOpt, OutputOpt
from poolctl.report.publish import write_output

history_app = typer.Typer(
    name="history",
    help="What the run history holds: runs, a test's outcomes, flaky tests, patterns over time.",
    no_args_is_help=True,
    add_completion=False,
)

HistoryFormatOpt = Annotated[
    HistoryFormat,
    typer.Option(
        "--format",
        "-f",
        help="term, md (GitHub Markdown), json, or html (one self-contained page; patterns "
        "with a chart).",
    ),
]


def _show(
    history: str | None,
    fmt: HistoryFormat,
    output: str,
    build: Callable[[HistoryStore], Listing],
) -> None:
    with HistoryStore(resolve(history)) as store:
        listing = build(store)
    color = fmt is HistoryFormat.TERM and output == "-" and sys.stdout.isatty()
    width = shutil.get_terminal_size().columns if color else 120
    write_output(render_listing(listing, fmt, color=color, width=width), output)


@history_app.command("runs", help="The last runs, newest first, with their counts.")
def runs_command(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs.", min=1)] = 20,
    history: HistoryOpt = None,
    fmt: HistoryFormatOpt = HistoryFormat.TERM,
    output: OutputOpt = "-",
) -> None:
    _show(history, fmt, output, lambda store: runs_listing(store, limit))


@history_app.command("test", help="One test's outcomes over time (NAME, or part of it).")
def test_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The test's name.")],
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many outcomes.", min=1)] = 50,
    history: HistoryOpt = None,
    fmt: HistoryFormatOpt = HistoryFormat.TERM,
    output: OutputOpt = "-",
) -> None:
    _show(history, fmt, output, lambda store: outcomes_listing(store, name, limit))


@history_app.command("flaky", help="Tests whose outcomes flip, by flip rate.")
def flaky_command(
    window: Annotated[
        str | None,
        typer.Option(
            "--window",
            help="How far back: 14d, 36h, 2w (default: POOLCTL_FLAKY_WINDOW, else 14d).",
        ),
    ] = None,
    history: HistoryOpt = None,
    fmt: HistoryFormatOpt = HistoryFormat.TERM,
    output: OutputOpt = "-",
) -> None:
    span = parse_duration(window, "--window") if window else window_from_env()
    _show(history, fmt, output, lambda store: flaky_listing(store, span))


class By(StrEnum):
    """`history patterns --by`: the bucket a count is made over."""

    DAY = "day"
    WEEK = "week"


@history_app.command("patterns", help="Failures per pattern per day or week, with a trend.")
def patterns_command(
    by: Annotated[By, typer.Option("--by", help="Count per day or per week.")] = By.DAY,
    since: Annotated[
        str | None,
        typer.Option("--since", help="How far back: 14d, 12w (default: 14d by day, 12w by week)."),
    ] = None,
    history: HistoryOpt = None,
    fmt: HistoryFormatOpt = HistoryFormat.TERM,
    output: OutputOpt = "-",
) -> None:
    default = "12w" if by is By.WEEK else "14d"
    span = parse_duration(since or default, "--since")
    bucket: Bucket = "week" if by is By.WEEK else "day"
    _show(history, fmt, output, lambda store: patterns_listing(store, span, bucket))


@history_app.command("prune", help="Delete the runs older than a duration, and their outcomes.")
def prune_command(
    older_than: Annotated[
        str, typer.Option("--older-than", help="90d, 12w, 36h: runs started before then go.")
    ],
    history: HistoryOpt = None,
    fmt: HistoryFormatOpt = HistoryFormat.TERM,
    output: OutputOpt = "-",
) -> None:
    span = parse_duration(older_than, "--older-than")
    _show(history, fmt, output, lambda store: prune_listing(store, span))
