"""Whether output may use a terminal's escape codes: colours, bold and dim, live progress.

Kept apart from `poolctl.console` (which imports rich) so that the CLI can ask before any
command loads.
"""

from __future__ import annotations

import os
from typing import IO

# wider is no terminal: rich pads a table's lines to the width it is given
MAX_COLUMNS = 1000
# the narrowest `--help`: narrower, rich cut option names (`--no-experiments` under 78 columns,
# every name at COLUMNS=1); a terminal narrower than this wraps its lines, all of them whole
HELP_MIN_COLUMNS = 80


def plain_environment() -> bool:
    """Does the environment ask for plain text: `TERM=dumb`, `NO_COLOR` set (to anything but
    empty), or a CI job (`CI=true`), whose log shows escape codes as junk?"""
    env = os.environ
    ci = env.get("CI", "").strip().lower() in ("true", "1", "yes")
    return env.get("TERM") == "dumb" or bool(env.get("NO_COLOR")) or ci


def use_color(stream: IO[str]) -> bool:
    """Rich output (colours, live progress) on `stream`: only on a terminal, and only when the
    environment does not ask for plain text. Otherwise: plain lines, no escape code at all."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # a closed or a fake stream
        return False
    return tty and not plain_environment()


def terminal_columns() -> int:
    """The terminal's width as `shutil` finds it (COLUMNS when it is a number above 0, else the
    terminal's own, else 80), at most MAX_COLUMNS."""
    import shutil  # (not at the start: `poolctl --version` asks the CLI's questions only)

    return min(shutil.get_terminal_size().columns, MAX_COLUMNS)


def rich_width() -> int | None:
    """The width to give rich instead of its own reading of COLUMNS; None when that reading is
    sound. rich takes any digits as the width: COLUMNS=0 (a pseudo-terminal that reports no
    size) printed nothing at all, not even doctor's verdict, and COLUMNS=99999999 padded a
    triage's lines to 100 MB."""
    columns = os.environ.get("COLUMNS", "")
    if not columns.isdigit() or 0 < int(columns) <= MAX_COLUMNS:
        return None
    return terminal_columns()


def help_width() -> int | None:
    """The width to draw a command's help at instead of rich's own reading of COLUMNS (None:
    that reading): at least HELP_MIN_COLUMNS, at most what `rich_width` allows."""
    width = rich_width()
    if (width if width is not None else terminal_columns()) < HELP_MIN_COLUMNS:
        return HELP_MIN_COLUMNS
    return width
