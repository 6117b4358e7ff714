"""Text from logs, workers and files, made safe to print on a terminal.

A test name or a worker's message can hold escape sequences that are no colour (`ESC c`
resets the terminal, `ESC ( 0` turns every later letter into line drawing) or the 8-bit CSI
(U+009B). Every control character but tab and newline is shown as `\\xNN`, as the JUnit writer
writes them, and rich's markup is escaped: what the reader sees is what the log holds.
"""

from __future__ import annotations

import html
import re

from rich.markup import escape as escape_markup

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(m: re.Match[str]) -> str:
    """The character `m` matched, written as a visible escape (`\\x1b`, `\\ud800`)."""
    n = ord(m.group(0))
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def visible(text: str) -> str:
    """`text` with each control character but tab and newline written as `\\xNN`."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(shown, text)


def escape(text: str) -> str:
    """`text` for rich markup: control characters visible, markup escaped."""
    return escape_markup(visible(text))


def html_escape(text: str, quote: bool = True) -> str:
    """`text` for an HTML page: control characters visible, then `&`, `<`, `>` (and quotes)
    escaped."""
    return html.escape(visible(text), quote)
