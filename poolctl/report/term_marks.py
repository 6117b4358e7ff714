"""What every terminal view shares: the marks of a hypothesis and a check, and rendering a
view into text through the one console factory."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

from rich.console import Console
from rich.markup import escape

from poolctl.console import text_console

HYPOTHESIS_MARK = {
    "confirmed": "[red]✓ confirmed[/]",
    "ruled-out": "[green]✗ ruled out[/]",
    "untested": "[yellow]? untested[/]",
}
CHECK_MARK = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[red]✗[/]"}


def indented(text: str, prefix: str) -> str:
    """`text` escaped for rich markup, its continuation lines indented by `prefix`."""
    return escape(text).replace("\n", "\n" + prefix)


def rendered(
    draw: Callable[[Console], None], *, color: bool, width: int, keep_secrets: bool = False
) -> str:
    """What `draw` prints, as text (ANSI colours with `color`); not redacted when the reports
    drawn were prepared under `--keep-secrets` (they say so)."""
    out = StringIO()
    draw(text_console(out, color=color, width=width, redacting=not keep_secrets))
    return out.getvalue()
