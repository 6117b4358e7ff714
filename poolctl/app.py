"""The typer app: its commands load only when one runs (`commands/index.py` names them all), and
every `--help` names its values plainly and ends with examples and exit codes."""

from __future__ import annotations

import contextlib
import difflib
import functools
import importlib
import sys
from collections.abc import Iterator
from typing import Any

import typer
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup

from poolctl import __version__, startgc
from poolctl.cli_repeats import refuse_repeats
from poolctl.cli_values import quicken
from poolctl.commands.index import (
    BY_NAME,
    COMMANDS,
    ROOT_EPILOG,
    ROOT_HELP,
    CommandEntry,
    epilog,
)
from poolctl.errors import ExitCode
from poolctl.reader_gone import reader_gone

# A value's name in `--help` where the option's own name says too little (no `<str>` labels).
METAVARS = {
    "timeout": "SECONDS",
    "init_budget": "SECONDS",
    "count": "N",
    "top": "N",
    "output": "FILE",
    "run_dir": "DIR",
    "cwd": "DIR",
    "patterns": "DIR",
    "source": "DIR",
    "env": "NAME=VALUE",
    "unset_env": "NAME",
    "command": "METHOD",
    "args": "JSON",
    "fmt": "FORMAT",
    "log_format": "FORMAT",
    "fail_on": "WHEN",
    "stderr": "MODE",
    "limit": "N",
    "window": "DURATION",
    "since": "DURATION",
    "older_than": "DURATION",
    "by": "BUCKET",
}


class LazyGroup(TyperGroup):
    """The root group: lists every command from the index, imports one only to run it (or to
    show its own `--help`)."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [c.name for c in COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = BY_NAME.get(cmd_name)
        if entry is None:
            return None
        if self._listing:  # `poolctl --help` lists the commands: their one line is enough
            return TyperCommand(name=entry.name, help=entry.summary)
        return load_command(entry)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """typer suggests a misspelt command from the commands a group holds; this one holds
        none until one runs, so the index's names are the choices (as a subgroup's are)."""
        try:
            return super().resolve_command(ctx, args)
        except UsageError as e:
            close = difflib.get_close_matches(args[0], list(BY_NAME)) if args else []
            if close and "Did you mean" not in e.message:
                names = ", ".join(repr(name) for name in close)
                e.message = f"{e.message.rstrip('.')}. Did you mean {names}?"
            raise

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


@functools.cache
def load_command(entry: CommandEntry) -> Any:
    """The click command of `entry`, built by typer from its module's function or app."""
    module = importlib.import_module(entry.module)
    target = getattr(module, entry.attr)
    if isinstance(target, typer.Typer):
        command = typer.main.get_command(target)
    else:
        single = typer.Typer(add_completion=False, rich_markup_mode="rich")
        single.command(
            entry.name,
            help=entry.summary,
            epilog=epilog(entry.examples, entry.exit_codes),
            **getattr(module, "TYPER_SETTINGS", {}),
        )(target)
        command = typer.main.get_command(single)
    command.name = entry.name
    plain_labels(command)
    quicken(command)
    refuse_repeats(command)
    help_to_a_gone_reader(command)
    _collector_back_on_invoke(command)
    return command


def _collector_back_on_invoke(command: Any) -> None:
    """The garbage collector paused for the start (`poolctl.startgc`) runs again once the
    command line is parsed, as the command's own code begins."""
    invoke = command.invoke

    def invoke_collected(ctx: Any) -> Any:
        startgc.resume()
        return invoke(ctx)

    command.invoke = invoke_collected


def plain_labels(command: Any) -> None:
    """Name every option's value in `--help` (`--timeout SECONDS`, `--format FORMAT`), none
    for a flag, instead of typer's type labels (`<str>`, `<bool>`, `<list[str]>`); an option
    with fixed choices lists them in its help."""
    for param in command.params:
        if param.param_type_name == "argument":
            param.display_type_rich = _no_label  # its metavar names it
            continue
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.metavar = ""
        elif param.metavar is None:
            name = param.name or ""
            param.metavar = METAVARS.get(name, name.upper())
            choices = _choices(param)
            said = getattr(param, "help", None) or ""
            if choices and not all(c in said for c in choices):
                param.help = f"{said} One of: {', '.join(choices)}.".strip()
    show_help = command.get_help_option

    def help_option(ctx: Any) -> Any:  # made when the help is drawn: a flag too
        option = show_help(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        plain_labels(sub)


def help_to_a_gone_reader(command: Any) -> None:
    """`poolctl ping --help | true`: a reader gone while the help is drawn ends the command as
    `poolctl --help` does (exit 0, nothing said), not as typer would (a bare exit 1)."""
    draw = command.format_help

    def format_help(ctx: Any, formatter: Any) -> None:
        from poolctl.console import RedactingStream
        from poolctl.redact import Redactor

        # poolctl's own words, unredacted (`postgresql://USER:PASSWORD@HOST/DB` is no secret)
        stdout = RedactingStream(sys.stdout, Redactor(enabled=False))
        try:  # typer's help prints to standard output itself, through rich, which ends
            # the program (exit 1) when the pipe's reader has gone; through poolctl's stream,
            # a character an ASCII terminal lacks (`·`) is an escape, not a UnicodeEncodeError
            with contextlib.redirect_stdout(stdout), _help_width(), _long_words_folded():
                draw(ctx, formatter)
        except SystemExit as ended:
            if not isinstance(ended.__context__, BrokenPipeError):
                raise
            reader_gone(ended.__context__, sys.stdout)
        except OSError as exc:  # a terminal gone (EIO), which rich does not catch
            reader_gone(exc, sys.stdout)

    command.format_help = format_help
    for sub in getattr(command, "commands", {}).values():
        help_to_a_gone_reader(sub)


@contextlib.contextmanager
def _help_width() -> Iterator[None]:
    """typer's help as wide as `poolctl.termenv.help_width` says, when COLUMNS is no width a
    screen has (COLUMNS=0: typer's rich drew nothing) or too narrow for the option names
    (COLUMNS=1 cut every one); its own width again after."""
    import typer.rich_utils

    from poolctl.termenv import help_width

    before = typer.rich_utils.MAX_WIDTH
    width = help_width()
    if width is not None:
        setattr(typer.rich_utils, "MAX_WIDTH", width)  # noqa: B010
    try:
        yield
    finally:
        setattr(typer.rich_utils, "MAX_WIDTH", before)  # noqa: B010


@contextlib.contextmanager
def _long_words_folded() -> Iterator[None]:
    """An option's help folds a word longer than its column onto the next line instead of
    cutting it: at 80 columns typer's six columns leave the help about 20, and rich's table cut
    `postgresql://USER:PASSWORD@HOST/DB` and `$POOLCTL_KEEP_RUNS` to `postgresql://USER…`."""
    import typer.rich_utils
    from rich.text import Text

    parameter_help = typer.rich_utils._get_parameter_help

    def folded(**kwargs: Any) -> Any:
        columns = parameter_help(**kwargs)
        for item in columns.renderables:
            if isinstance(item, Text):
                item.overflow = "fold"
        return columns

    setattr(typer.rich_utils, "_get_parameter_help", folded)  # noqa: B010
    try:
        yield
    finally:
        setattr(typer.rich_utils, "_get_parameter_help", parameter_help)  # noqa: B010


def _no_label(ctx: Any) -> None:
    return None


def _choices(param: Any) -> list[str]:
    """An option's fixed choices (typer keeps them on its own type descriptor since it
    vendored click; before, on click's `Choice` type)."""
    desc = getattr(param, "type_descriptor", None)
    found = desc.choices if desc is not None and desc.is_choice else None
    if found is None:
        found = getattr(getattr(param, "type", None), "choices", None)
    return [str(getattr(c, "value", c)) for c in found or ()]


app = typer.Typer(
    name="poolctl",
    cls=LazyGroup,
    help=ROOT_HELP,
    epilog=epilog(*ROOT_EPILOG),
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", "-V", help="Print the version and exit."),
) -> None:
    if version:
        sys.stdout.write(f"poolctl {__version__}\n")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        from poolctl.root_help import no_command_message

        sys.stderr.write(no_command_message())
        raise typer.Exit(ExitCode.BAD_INPUT)
