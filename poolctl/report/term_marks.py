"""What every terminal view shares: the marks of a hypothesis and a check, and rendering a
view into text through the one console factory."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

from rich.console import Console

from poolctl.console import text_console
from poolctl.termtext import escape

# The confirmed cause is what the reader came for: it stands out; what was ruled out recedes.
HYPOTHESIS_MARK = {
    "confirmed": "[bold magenta]✓ confirmed[/]",
    "ruled-out": "[dim]✗ ruled out[/]",
    "untested": "[yellow]? untested[/]",
}
HYPOTHESIS_STYLE = {"confirmed": "bold", "ruled-out": "dim", "untested": ""}


def hypothesis_line(status: str, text: str, indent: str = "") -> str:
    """A hypothesis' mark and its (markup) text, styled by what became of it."""
    style = HYPOTHESIS_STYLE[status]
    body = f"[{style}]{text}[/]" if style else text
    return f"{indent}{HYPOTHESIS_MARK[status]}  {body}"


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
