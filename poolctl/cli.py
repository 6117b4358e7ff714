"""The `poolctl` command line: the answers given before typer is built, and the typer app run
under `poolctl.lifecycle`, which owns the error boundary, the signals and the exit codes.

`poolctl --version`, `poolctl --help` and a bare `poolctl` are answered before anything else is
imported (`answered_at_once`); every other command line goes to the typer app (`poolctl.app`),
which imports only the command that runs. `bench/startup.py` measures the start-up.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import TYPE_CHECKING

from poolctl import __version__, startgc
from poolctl.errors import ExitCode, PoolctlError
from poolctl.reader_gone import reader_gone
from poolctl.termenv import plain_environment

if TYPE_CHECKING:
    from typer._click.core import Command


def _plain_help(args: list[str]) -> None:
    """A command's `--help` in plain text where the environment asks for it (typer's help
    console decides by itself otherwise, and keeps bold and dim under NO_COLOR)."""
    if plain_environment() and ("--help" in args or "-h" in args):
        import typer.rich_utils

        setattr(typer.rich_utils, "FORCE_TERMINAL", False)  # noqa: B010


def answered_at_once(argv: list[str]) -> int | None:
    """The exit code of a command line answered without typer (`--version`, the top-level
    `--help`, nothing at all), or None."""
    if os.environ.get("_POOLCTL_COMPLETE"):
        return None  # a shell asks typer what completes the line: no arguments, by design
    if argv in (["--version"], ["-V"]):
        try:  # `poolctl --version | true`: a reader gone is no traceback
            sys.stdout.write(f"poolctl {__version__}\n")
            sys.stdout.flush()
        except OSError as exc:
            reader_gone(exc, sys.stdout)
        return ExitCode.OK
    if argv in (["--help"], ["-h"]):
        from poolctl.root_help import print_root_help

        try:
            print_root_help()
        except OSError as exc:
            reader_gone(exc, sys.stdout)
        return ExitCode.OK
    if not argv:
        from poolctl.root_help import no_command_message

        sys.stderr.write(no_command_message())
        return ExitCode.BAD_INPUT
    return None


def root_command(argv: list[str]) -> Command:
    """The typer app as a click command, its values named plainly in `--help`."""
    import typer

    from poolctl.app import app, help_to_a_gone_reader, plain_labels
    from poolctl.cli_values import quicken

    command = typer.main.get_command(app)
    plain_labels(command)
    quicken(command)
    help_to_a_gone_reader(command)
    _plain_help(argv)
    return command


def _fill_closed_standard_streams() -> None:
    """A standard stream closed by the caller (`poolctl … >&-`) is opened on /dev/null: what
    poolctl prints there goes nowhere, as to a reader that went away, and no pipe or file it
    opens later takes the descriptor (a worker's pipe on descriptor 1 would get the report).
    Standard input stays None in `sys`: a triage of `-` says it is closed."""
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
            continue
        except OSError:
            pass
        devnull = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
        if devnull != fd:  # the lowest free descriptor: this one, unless a lower one was free
            os.dup2(devnull, fd)
            os.close(devnull)
        if fd:
            stream = open(fd, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
            setattr(sys, name, stream)  # for the life of the process


def program() -> int:
    """The `poolctl` program (and `python -m poolctl`): the quick answers, else the command
    under `poolctl.lifecycle.main` (signal handlers, subreaper, reaper)."""
    startgc.pause()  # until the command's code begins: the start makes next to no garbage
    _fill_closed_standard_streams()
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        # a Ctrl-C before poolctl's own handlers are in place (during the imports below) ends
        # it as the signal ends any program, with no traceback (nothing has started yet)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    args = sys.argv[1:]
    try:
        at_once = answered_at_once(args)
    except PoolctlError as unwritten:  # `poolctl --version >/dev/full`
        sys.stderr.write(f"poolctl: error: {unwritten}\n")
        return unwritten.exit_code
    if at_once is not None:
        return at_once
    from poolctl import lifecycle

    return lifecycle.main(args)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI in this process (the tests do); how a command ends (errors, signals, exit
    codes) is `poolctl.lifecycle`'s."""
    from poolctl import lifecycle

    args = sys.argv[1:] if argv is None else list(argv)
    try:
        at_once = answered_at_once(args)
    except PoolctlError as unwritten:  # `poolctl --version >/dev/full`
        sys.stderr.write(f"poolctl: error: {unwritten}\n")
        return unwritten.exit_code
    if at_once is not None:
        return at_once
    return lifecycle.run(root_command(args), args)
