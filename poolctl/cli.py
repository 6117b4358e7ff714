"""The `poolctl` command line's entry point and its one error boundary.

`poolctl --version`, `poolctl --help` and a bare `poolctl` are answered before typer builds
anything (`root_help`); every other command line goes to the typer app (`poolctl.app`), which
imports only the command that runs. `bench/startup.py` measures the start-up.

Exit codes: 0 ok, 1 findings, 2 bad input or usage, 3 internal error (traceback saved),
130 interrupted (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from poolctl import __version__
from poolctl.errors import ExitCode, PoolctlError
from poolctl.termenv import plain_environment


class Terminated(BaseException):
    """SIGTERM, turned into an exception so that every `finally` stops its workers."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def _save_traceback() -> Path:
    import tempfile
    import traceback

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


def _plain_help(args: list[str]) -> None:
    """A command's `--help` in plain text where the environment asks for it (typer's help
    console decides by itself otherwise, and keeps bold and dim under NO_COLOR)."""
    if plain_environment() and ("--help" in args or "-h" in args):
        import typer.rich_utils

        setattr(typer.rich_utils, "FORCE_TERMINAL", False)  # noqa: B010


def _answered_at_once(argv: list[str]) -> int | None:
    """The exit code of a command line answered without typer (`--version`, the top-level
    `--help`, nothing at all), or None."""
    if os.environ.get("_POOLCTL_COMPLETE"):
        return None  # a shell asks typer what completes the line: no arguments, by design
    if argv in (["--version"], ["-V"]):
        sys.stdout.write(f"poolctl {__version__}\n")
        return ExitCode.OK
    if argv in (["--help"], ["-h"]):
        from poolctl.root_help import print_root_help

        print_root_help()
        return ExitCode.OK
    if not argv:
        from poolctl.root_help import no_command_message

        sys.stderr.write(no_command_message())
        return ExitCode.BAD_INPUT
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and map every outcome to the exit-code table."""
    args = sys.argv[1:] if argv is None else list(argv)
    at_once = _answered_at_once(args)
    if at_once is not None:
        return at_once
    import typer

    from poolctl.app import app, plain_labels

    command = typer.main.get_command(app)
    plain_labels(command)
    _plain_help(args)
    if "poolctl.redact" in sys.modules:  # a run in this process before (the tests) kept secrets
        from poolctl.redact import set_keep

        set_keep(False)  # redaction is on until a command's --keep-secrets turns it off
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        rv = command.main(args=args, prog_name="poolctl", standalone_mode=False)
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
