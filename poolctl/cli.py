"""The `poolctl` command line: a typer app whose commands load only when one runs, and the one
error boundary.

`poolctl --version` and `poolctl --help` import no command module (`commands/index.py` names
them all), so they start about as fast as typer itself; `bench/startup.py` measures it.

Exit codes: 0 ok, 1 findings, 2 bad input or usage, 3 internal error (traceback saved),
130 interrupted (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import signal
import sys
import tempfile
import traceback
from pathlib import Path
from types import FrameType
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from poolctl import __version__
from poolctl.commands.index import BY_NAME, COMMANDS, CommandEntry, epilog
from poolctl.errors import ExitCode, PoolctlError
from poolctl.termenv import plain_environment

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
    return command


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
    help="Diagnose pools of JSON-over-stdio workers and triage the test failures they cause.",
    epilog=epilog(
        (
            ("poolctl doctor -- python -m my_worker", "check a worker before a pool runs it"),
            ("poolctl ping -- python -m my_worker", "why a worker does not answer"),
            ("mix test 2>&1 | poolctl triage -", "what a test run's failures have in common"),
            ("poolctl run-scenario", "the tour: each failure pattern, reproduced"),
            ("poolctl COMMAND --help", "a command's options and examples"),
        ),
        "0 ok · 1 findings · 2 bad usage or input · 3 internal error (traceback saved) · "
        "130 interrupted",
    ),
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        sys.stdout.write(f"poolctl {__version__}\n")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        sys.stderr.write(no_command_message())
        raise typer.Exit(ExitCode.BAD_INPUT)


def no_command_message() -> str:
    """What a bare `poolctl` prints: the commands, and where to start."""
    width = max(len(c.name) for c in COMMANDS)
    lines = [
        "poolctl: no command given. poolctl diagnoses pools of JSON-over-stdio workers and "
        "triages the test failures they cause.",
        "",
        "Commands:",
        *(f"  {c.name.ljust(width)}  {c.summary}" for c in COMMANDS),
        "",
        "Start with `poolctl doctor` (checks the bundled worker) or `poolctl run-scenario` "
        "(the tour);",
        "`poolctl COMMAND --help` shows a command's options, examples and exit codes.",
    ]
    return "\n".join(lines) + "\n"


class Terminated(BaseException):
    """SIGTERM, turned into an exception so that every `finally` stops its workers."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def _save_traceback() -> Path:
    from poolctl.redact import redact
    from poolctl.rundir import last_run_dir

    run = last_run_dir()
    folder = run.path if run is not None else Path(tempfile.mkdtemp(prefix="poolctl-crash-"))
    path = folder / "traceback.txt"
    path.write_text(redact(traceback.format_exc()), encoding="utf-8")
    return path


def _scrub_last_run() -> None:
    """A run cut short still keeps no secret in its folder (unless --keep-secrets)."""
    if "poolctl.rundir" not in sys.modules:
        return  # no command got as far as a run folder
    from poolctl.report.publish import scrub
    from poolctl.rundir import last_run_dir

    run = last_run_dir()
    with contextlib.suppress(Exception):
        scrub(run.path if run is not None else None)


def _stop_workers() -> None:
    if "poolctl.worker" in sys.modules:  # only a command that started workers loaded it
        from poolctl.worker import stop_all_workers

        stop_all_workers()


def _error(message: str) -> None:
    from poolctl.console import stderr_stream

    stderr_stream().write(f"poolctl: error: {message}\n")


def _plain_help() -> None:
    """`--help` in plain text where the environment asks for it (typer's help console decides
    by itself otherwise, and keeps bold and dim under NO_COLOR)."""
    if not plain_environment():
        return
    if "typer.rich_utils" in sys.modules:
        setattr(sys.modules["typer.rich_utils"], "FORCE_TERMINAL", False)  # noqa: B010
    else:
        os.environ["_TYPER_FORCE_DISABLE_TERMINAL"] = "1"  # read when the help is first drawn


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and map every outcome to the exit-code table."""
    command = typer.main.get_command(app)
    plain_labels(command)
    _plain_help()
    if "poolctl.redact" in sys.modules:  # a run in this process before (the tests) kept secrets
        from poolctl.redact import set_keep

        set_keep(False)  # redaction is on until a command's --keep-secrets turns it off
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        rv = command.main(args=argv, prog_name="poolctl", standalone_mode=False)
        return int(rv) if isinstance(rv, int) else ExitCode.OK
    except typer.Exit as done:
        return done.exit_code
    except typer.TyperException as usage:  # click's usage errors: unknown option, bad value…
        hint = ""
        ctx = getattr(usage, "ctx", None)
        if ctx is not None:
            hint = f" (see '{ctx.command_path} --help')"
        _error(f"{usage.format_message()}{hint}")
        return int(getattr(usage, "exit_code", ExitCode.BAD_INPUT))
    except PoolctlError as known:
        _error(str(known))
        return known.exit_code
    except (KeyboardInterrupt, Terminated):
        _stop_workers()
        _scrub_last_run()
        _error("interrupted; workers stopped, everything captured so far is kept")
        return ExitCode.INTERRUPTED
    except Exception:
        _stop_workers()
        _scrub_last_run()
        path = _save_traceback()
        _error(f"internal error; the traceback is in {path}")
        return ExitCode.BUG
    finally:
        _stop_workers()
        signal.signal(signal.SIGTERM, previous)
