"""The `poolctl` command line: a thin typer app and the one error boundary.

Exit codes: 0 ok, 1 findings, 2 bad input or usage, 3 internal error (traceback saved),
130 interrupted (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import contextlib
import signal
import tempfile
import traceback
from pathlib import Path
from types import FrameType

import typer

from poolctl import __version__
from poolctl.commands.doctor import DoctorCommand, doctor
from poolctl.commands.history import history_app
from poolctl.commands.patterns import patterns_app
from poolctl.commands.ping import ping
from poolctl.commands.report import report_command
from poolctl.commands.scenario import run_scenario_command
from poolctl.commands.triage import triage_command
from poolctl.console import stderr_stream, stdout_stream
from poolctl.errors import ExitCode, PoolctlError
from poolctl.redact import redact, set_keep
from poolctl.report.publish import scrub
from poolctl.rundir import last_run_dir
from poolctl.worker import stop_all_workers

app = typer.Typer(
    name="poolctl",
    help="Diagnose pools of JSON-over-stdio workers and triage the test failures they cause.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command(
    context_settings={"allow_interspersed_args": False},
    help="Start one worker, send a framed ping, report the round trip or why no answer came.",
)(ping)
app.command("triage", help="Classify a test log's failures by pattern; print the fix plan.")(
    triage_command
)
app.add_typer(patterns_app)
app.add_typer(history_app)
app.command(
    "run-scenario",
    help="Run YAML scenarios against a real pool (no file: the bundled tour); classify failures.",
)(run_scenario_command)
app.command(
    "report",
    help="Re-render saved runs (their report.json) in any --format, running nothing again.",
)(report_command)
app.command(
    "doctor",
    cls=DoctorCommand,
    help="Check the interpreter, the worker and the pool settings before anything runs.",
)(doctor)


@app.callback(invoke_without_command=True)
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        stdout_stream().write(f"poolctl {__version__}\n")
        raise typer.Exit(0)


class Terminated(BaseException):
    """SIGTERM, turned into an exception so that every `finally` stops its workers."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def _save_traceback() -> Path:
    run = last_run_dir()
    folder = run.path if run is not None else Path(tempfile.mkdtemp(prefix="poolctl-crash-"))
    path = folder / "traceback.txt"
    path.write_text(redact(traceback.format_exc()), encoding="utf-8")
    return path


def _scrub_last_run() -> None:
    """A run cut short still keeps no secret in its folder (unless --keep-secrets)."""
    run = last_run_dir()
    with contextlib.suppress(Exception):
        scrub(run.path if run is not None else None)


def _error(message: str) -> None:
    stderr_stream().write(f"poolctl: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and map every outcome to the exit-code table."""
    command = typer.main.get_command(app)
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
        stop_all_workers()
        _scrub_last_run()
        _error("interrupted; workers stopped, everything captured so far is kept")
        return ExitCode.INTERRUPTED
    except Exception:
        stop_all_workers()
        _scrub_last_run()
        path = _save_traceback()
        _error(f"internal error; the traceback is in {path}")
        return ExitCode.BUG
    finally:
        stop_all_workers()
        signal.signal(signal.SIGTERM, previous)
