"""Text from logs, workers and files, made safe to print on a terminal.

A test name or a worker's message can hold escape sequences that are no colour (`ESC c`
resets the terminal, `ESC ( 0` turns every later letter into line drawing) or the 8-bit CSI
(U+009B). Every control character but tab and newline is shown as `\\xNN`, as the JUnit writer
writes them, and rich's markup is escaped: what the reader sees is what the log holds. A name
(a test's, a file's) is shown on one line: its newlines, carriage returns and tabs too are
written as escapes (`one_line`), as a runner prints a parametrized id.
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


# what breaks a line or moves the cursor, tab included: none may stand in a name
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """`text` on one line, for a name (a test's, a file's): newline, carriage return and tab
    written as `\\n`, `\\r`, `\\t`, every other control character as `\\xNN`."""
    if _BREAKS.search(text) is None:
        return text
    return _BREAKS.sub(lambda m: _NAMED.get(m.group(0)) or shown(m), text)


def escape(text: str) -> str:
    """`text` for rich markup: control characters visible, markup escaped."""
    return escape_markup(visible(text))


def html_escape(text: str, quote: bool = True) -> str:
    """`text` for an HTML page: control characters visible, then `&`, `<`, `>` (and quotes)
    escaped."""
    return html.escape(visible(text), quote)
