"""Text for a stream whose encoding lacks poolctl's marks (`PYTHONIOENCODING=ascii`, a Latin-1
terminal): each mark and dash becomes a word or ASCII marks (`✓` `[ok]`, `✗` `[x]`, `—` `--`);
any other character the encoding lacks is written as its escape (`\\u00e9`), as before.

A check mark written as `\\u2713` read as noise where the verdict should be. The table holds
the characters poolctl's views draw with; one quoted from a log is given the same word.
"""

from __future__ import annotations

import functools
import re

# poolctl's marks and typography, by their ASCII stand-in
_ASCII = {
    "✓": "[ok]",
    "✗": "[x]",
    "✔": "[ok]",
    "✘": "[x]",
    "—": "--",
    "–": "-",
    "·": "-",
    "…": "...",
    "×": "x",
    "→": "->",
    "←": "<-",
    "•": "*",
    "━": "=",
    "─": "-",
    "│": "|",
    "❯": ">",
    "ℹ": "i",
    "µ": "u",
    "≥": ">=",
    "≤": "<=",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "🚨": "!!",
    # a sparkline's bars, lowest to highest
    "▁": "_",
    "▂": ".",
    "▃": "-",
    "▄": "=",
    "▅": "+",
    "▆": "*",
    "▇": "#",
    "█": "@",
}


_WORDS = {"✓": "ok", "✔": "ok", "✗": "x", "✘": "x"}
# a mark already in brackets (doctor's `[✓] Framing`), its colour codes around it kept
_BRACKETED = re.compile(r"\[((?:\x1b\[[\d;]*m)*)([✓✔✗✘])((?:\x1b\[[\d;]*m)*)\]")


@functools.cache
def _table(encoding: str) -> dict[int, str]:
    """The stand-ins for the characters `encoding` cannot write (Latin-1 has `·`, ASCII not)."""
    table = {}
    for char, stand_in in _ASCII.items():
        try:
            char.encode(encoding)
        except UnicodeEncodeError:
            table[ord(char)] = stand_in
        except LookupError:  # an encoding Python does not know: write as before
            return {}
    return table


def for_encoding(text: str, encoding: str) -> str:
    """`text` as `encoding` can write it: poolctl's marks as ASCII, anything else it lacks as
    an escape. Called when writing `text` as it is raised `UnicodeEncodeError`."""
    table = _table(encoding)
    if ord("✓") in table:
        text = _BRACKETED.sub(lambda m: f"[{m[1]}{_WORDS[m[2]]}{m[3]}]", text)
    return text.translate(table).encode(encoding, "backslashreplace").decode(encoding)
