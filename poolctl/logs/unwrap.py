"""Joining back the lines a terminal wrapped, in a log copied from a terminal's screen.

A terminal shows a line longer than its width as several rows; a log copied from the screen (or
from tmux, screen) has them as separate lines, every one but the last exactly as long as the
terminal is wide. The width is recognised from the first chunk: several different lines of
exactly the longest length, none longer, most followed by more text. Separator lines (pytest's
`====` and `____` lines fill the width on purpose), progress lines (`[ 50%]`) and lines cut
with `...` are never taken for wrapped ones. A joined line takes the place of its first row and
the rows after it become empty lines, so every later line keeps its number. A line exactly as
wide whose next row is indented or starts like a line of its own is left alone. A row one
shorter than the width inside such a run ended at a space the copy trimmed: the space is put
back.
"""

from __future__ import annotations

import re

MIN_WIDTH = 60  # narrower terminals are not recognised (too many short lines look alike)
MAX_WIDTH = 400
MIN_WRAPPED = 5  # lines of exactly the width needed to believe the log was wrapped
SAMPLE_LINES = 20_000

# A row that starts a line of its own, not the rest of a wrapped one: indented (a continuation
# starts with two spaces only if the text had them at the cut), or a runner's line marker.
# A table's row drawn with box characters (pytest-pretty's, rich's) fills the width on purpose.
_STARTS_LINE = re.compile(
    r"^(?:\s\s|E |> |FAILED |ERROR |[=_]{3}|\d\d:\d\d:\d\d|\s?\d+\) |[\u2500-\u257f])"
)
_FILLED = re.compile(
    r"^\s*(?:([=_\-*~#+])\1{3,}|.*(?:%\]|\.\.\.)$|[\u2500-\u257f].*[\u2500-\u257f]\s*$)"
)


def _filled(line: str) -> bool:
    """A line that fills the width by itself: a separator, a progress line, a cut line."""
    return bool(_FILLED.match(line))


def wrap_width(text: str) -> int | None:
    """The width a terminal wrapped `text` at, or None when it does not look wrapped."""
    lines = text.split("\n", SAMPLE_LINES)[:SAMPLE_LINES]
    width = max((len(line) for line in lines), default=0)
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        return None
    at_width = [i for i, line in enumerate(lines) if len(line) == width and not _filled(line)]
    # rows a terminal cut differ; one long line repeated (a log line printed again and again)
    # is not a sign of wrapping
    if len({lines[i] for i in at_width}) < MIN_WRAPPED:
        return None
    followed = sum(1 for i in at_width if i + 1 < len(lines) and lines[i + 1].strip())
    return width if followed * 10 >= len(at_width) * 8 else None


def unwrap(text: str, width: int) -> str:
    """`text` (whole lines, each ending with a newline) with wrapped rows joined back."""
    lines = text.split("\n")
    i = 0
    while i < len(lines) - 1:
        line = lines[i]
        if len(line) != width or _filled(line):
            i += 1
            continue
        j = i + 1
        joined = line
        while j < len(lines) - 1 and lines[j] and not _STARTS_LINE.match(lines[j]):
            row = lines[j]
            lines[j] = ""
            joined += row
            if len(row) == width - 1:  # the row ended at a space, which the copy trimmed
                joined += " "
            elif len(row) != width:
                break
            j += 1
        lines[i] = joined.rstrip(" ")
        i = j + 1
    return "\n".join(lines)
