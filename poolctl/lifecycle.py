"""How every poolctl command begins and ends: the one error boundary and the signal handling.

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

from poolctl.console import stderr_stream
from poolctl.errors import ExitCode, PoolctlError
from poolctl.redact import redact, set_keep
from poolctl.report.publish import scrub
from poolctl.rundir import last_run_dir
from poolctl.worker import stop_all_workers


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


def run(app: typer.Typer, argv: list[str] | None = None) -> int:
    """Run the CLI `app` and map every outcome to the exit-code table."""
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
