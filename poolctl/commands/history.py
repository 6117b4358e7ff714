"""`poolctl history runs | test NAME | flaky | patterns | prune --older-than 90d`: what the run
history store holds, in `--format term|md|json|html`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from poolctl.commands.index import BY_NAME, epilog
from poolctl.errors import UsageProblem
from poolctl.history.flaky import parse_duration, window_from_env
from poolctl.history.location import resolve
from poolctl.history.views import HistoryFormat, Listing, render_listing
from poolctl.options import HistoryOpt, JsonOpt, OutputOpt
from poolctl.redact import Secrets
from poolctl.report.publish import write_output
from poolctl.termenv import terminal_columns

if TYPE_CHECKING:  # the store and its queries (SQLAlchemy) load when a listing is asked for,
    # not for `--help`
    from poolctl.history.listings import Bucket
    from poolctl.history.store import HistoryStore

HISTORY_EXIT = BY_NAME["history"].exit_codes
history_app = typer.Typer(
    name="history",
    help=BY_NAME["history"].summary,
    epilog=epilog(BY_NAME["history"].examples, HISTORY_EXIT),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
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
    as_json: bool,
    output: str,
    build: Callable[[HistoryStore], Listing],
) -> None:
    if as_json and fmt not in (HistoryFormat.TERM, HistoryFormat.JSON):
        raise UsageProblem(f"--json and --format {fmt}: choose one")
    chosen = HistoryFormat.JSON if as_json else fmt
    location = resolve(history)
    secrets = Secrets()
    secrets.remember(location.secrets)
    from poolctl.history.store import HistoryStore

    with HistoryStore(location) as store:
        listing = build(store)
    color = chosen is HistoryFormat.TERM and output == "-" and sys.stdout.isatty()
    width = terminal_columns() if color else 120
    text = render_listing(listing, chosen, color=color, width=width)
    write_output(text, output, secrets, document=chosen is not HistoryFormat.TERM)


@history_app.command(
    "runs",
    help="The last runs, newest first, with their counts.",
    epilog=epilog(
        (
            ("poolctl history runs", "the last 20 runs: verdict, failures, new, known, flaky"),
            ("poolctl history runs -n 100 --json", "as JSON, with each run's timings and host"),
            ("poolctl history runs --history postgresql://ci@db/poolctl", "a team's shared store"),
        ),
        HISTORY_EXIT,
    ),
)
def runs_command(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs.", min=1)] = 20,
    history: HistoryOpt = None,
    fmt: HistoryFormatOpt = HistoryFormat.TERM,
    as_json: JsonOpt = False,
    output: OutputOpt = "-",
) -> None:
    from poolctl.history.listings import runs_listing

    _show(history, fmt, as_json, output, lambda store: runs_listing(store, limit))


@history_app.command(
    "test",
    help="One test's outcomes over time (NAME, or part of it).",
    epilog=epilog(
        (
            ("poolctl history test test_checkout_under_load", "each run's outcome and pattern"),
            ("poolctl history test under_load", "every test whose name holds it"),
        ),
        HISTORY_EXIT,
    ),
)
def test_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The test's name.")],
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many outcomes.", min=1)] = 50,
    history: HistoryOpt = None,
    fmt: HistoryFormatOpt = HistoryFormat.TERM,
    as_json: JsonOpt = False,
    output: OutputOpt = "-",
) -> None:
    if not name.strip():  # every name holds it: every test's outcomes were listed as one
        raise UsageProblem("NAME is empty: give a test's name, or a part of it")
    from poolctl.history.listings import outcomes_listing

    _show(history, fmt, as_json, output, lambda store: outcomes_listing(store, name, limit))


@history_app.command(
    "flaky",
    help="Tests whose outcomes flip, by flip rate.",
    epilog=epilog(
        (
            ("poolctl history flaky", "within the last 14 days (POOLCTL_FLAKY_WINDOW)"),
            ("poolctl history flaky --window 30d -f md", "a month of them, as Markdown"),
        ),
        HISTORY_EXIT,
    ),
)
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
    as_json: JsonOpt = False,
    output: OutputOpt = "-",
) -> None:
    span = parse_duration(window, "--window") if window else window_from_env()
    from poolctl.history.listings import flaky_listing

    _show(history, fmt, as_json, output, lambda store: flaky_listing(store, span))


class By(StrEnum):
    """`history patterns --by`: the bucket a count is made over."""

    DAY = "day"
    WEEK = "week"


@history_app.command(
    "patterns",
    help="Failures per pattern per day or week, with a trend.",
    epilog=epilog(
        (
            ("poolctl history patterns", "per day over 14 days, a sparkline each"),
            ("poolctl history patterns --by week --since 26w", "per week over half a year"),
            ("poolctl history patterns -f html -o patterns.html", "as a page with a chart"),
        ),
        HISTORY_EXIT,
    ),
)
def patterns_command(
    by: Annotated[By, typer.Option("--by", help="Count per day or per week.")] = By.DAY,
    since: Annotated[
        str | None,
        typer.Option("--since", help="How far back: 14d, 12w (default: 14d by day, 12w by week)."),
    ] = None,
    history: HistoryOpt = None,
    fmt: HistoryFormatOpt = HistoryFormat.TERM,
    as_json: JsonOpt = False,
    output: OutputOpt = "-",
) -> None:
    default = "12w" if by is By.WEEK else "14d"
    span = parse_duration(since or default, "--since")
    bucket: Bucket = "week" if by is By.WEEK else "day"
    from poolctl.history.listings import patterns_listing

    _show(history, fmt, as_json, output, lambda store: patterns_listing(store, span, bucket))


@history_app.command(
    "prune",
    help="Delete the runs older than a duration, and their outcomes.",
    epilog=epilog(
        (
            ("poolctl history prune --older-than 90d", "keep three months"),
            ("poolctl history prune --older-than 12w --json", "what was deleted and what is left"),
        ),
        HISTORY_EXIT,
    ),
)
def prune_command(
    older_than: Annotated[
        str, typer.Option("--older-than", help="90d, 12w, 36h: runs started before then go.")
    ],
    history: HistoryOpt = None,
    fmt: HistoryFormatOpt = HistoryFormat.TERM,
    as_json: JsonOpt = False,
    output: OutputOpt = "-",
) -> None:
    span = parse_duration(older_than, "--older-than")
    from poolctl.history.listings import prune_listing

    _show(history, fmt, as_json, output, lambda store: prune_listing(store, span))
