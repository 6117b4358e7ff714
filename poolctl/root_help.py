"""What `poolctl --help` and a bare `poolctl` print, drawn from the command index without
building the typer app (typer's own help of the top level would import what every command's
options need): the same layout as every command's `--help` (usage, panels of options and of
commands, examples, exit codes)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rich import box
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table

from poolctl.commands.index import COMMANDS, ROOT_EPILOG, ROOT_HELP
from poolctl.console import make_console
from poolctl.termenv import HELP_MIN_COLUMNS
from poolctl.termtext import escape

ROOT_OPTIONS = (
    ("--version", "-V", "Print the version and exit."),
    ("--install-completion", "", "Install completion for the current shell."),
    (
        "--show-completion",
        "",
        "Show completion for the current shell, to copy it or customize the installation.",
    ),
    ("--help", "-h", "Show this message and exit."),
)


def print_root_help() -> None:
    """`poolctl --help`, at HELP_MIN_COLUMNS: narrower, its option names were cut (a narrower
    terminal wraps its lines, whole)."""
    console = make_console(sys.stdout, width=HELP_MIN_COLUMNS)
    console.print(Padding("[bold]Usage:[/] poolctl \\[OPTIONS] COMMAND \\[ARGS]...", 1))
    console.print(Padding(ROOT_HELP, (0, 1, 1, 1)), soft_wrap=False)
    console.print(_panel("Options", [(f"[bold]{o}[/]", s, h) for o, s, h in ROOT_OPTIONS]))
    commands = [(f"[bold]{c.name}[/]", c.summary) for c in COMMANDS]
    console.print(_panel("Commands", commands))
    examples, exit_codes = ROOT_EPILOG
    lines = ["Examples:"]
    for cmd, what in examples:
        lines += [f"  {escape(cmd)}", f"      [dim]{escape(what)}[/]"]
    lines += ["", f"Exit codes: {escape(exit_codes)}"]
    console.print(Padding("\n".join(lines), 1), soft_wrap=False)


def _panel(title: str, rows: Sequence[tuple[str, ...]]) -> Panel:
    table = Table(show_header=False, box=None, pad_edge=False, padding=(0, 2, 0, 0), expand=True)
    for _ in rows[0][:-1]:
        table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    for row in rows:
        table.add_row(*row)
    return Panel(table, title=title, title_align="left", box=box.ROUNDED, border_style="dim")


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
