"""`poolctl completion bash|zsh|fish`: the shell completion script, to source or to save."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from poolctl.reader_gone import reader_gone


class Shell(StrEnum):
    """The shells poolctl completes in."""

    BASH = "bash"
    ZSH = "zsh"
    FISH = "fish"


def completion_command(
    shell: Annotated[Shell, typer.Argument(metavar="bash|zsh|fish", help="The shell.")],
) -> None:
    """Print the script; the shell then asks poolctl itself what fits (commands, options,
    choices), through the `_POOLCTL_COMPLETE` variable typer answers."""
    from typer._completion_shared import get_completion_script

    script = get_completion_script(
        prog_name="poolctl", complete_var="_POOLCTL_COMPLETE", shell=shell.value
    )
    try:
        typer.echo(script)
    except OSError as exc:  # a reader gone is no error; a full disk is said of the stream
        reader_gone(exc, sys.stdout)
