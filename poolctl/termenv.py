"""Whether output may use a terminal's escape codes: colours, bold and dim, live progress.

Kept apart from `poolctl.console` (which imports rich) so that the CLI can ask before any
command loads.
"""

from __future__ import annotations

import os
from typing import IO


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
