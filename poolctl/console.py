"""The rich consoles the CLI writes to (the core never prints)."""

from __future__ import annotations

import sys

from rich.console import Console


def stdout_console() -> Console:
    """Output for the user: soft-wrapped so quoted evidence is never split mid-line."""
    return Console(file=sys.stdout, soft_wrap=True, highlight=False)


def stderr_console() -> Console:
    """Errors and progress."""
    return Console(file=sys.stderr, soft_wrap=True, highlight=False)
