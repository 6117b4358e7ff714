"""The `poolctl` command line: a thin typer app. The error boundary, the signal handling and
the exit codes are `poolctl.lifecycle`'s."""

from __future__ import annotations

import typer

from poolctl import __version__, lifecycle
from poolctl.commands.doctor import DoctorCommand, doctor
from poolctl.commands.patterns import patterns_app
from poolctl.commands.ping import ping
from poolctl.commands.report import report_command
from poolctl.commands.scenario import run_scenario_command
from poolctl.commands.triage import triage_command
from poolctl.console import stdout_stream

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


def main(argv: list[str] | None = None) -> int:
    """Run the CLI in this process: how a command begins and ends (errors, signals, exit
    codes) is `poolctl.lifecycle`'s. The `poolctl` program is `poolctl.lifecycle.main`."""
    return lifecycle.run(app, argv)
