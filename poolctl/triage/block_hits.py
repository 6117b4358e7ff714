"""What the rules on `block` find on a failure, remembered line by line.

A rule on `block` reads the failure as printed, one text per line (`FailureView`), and fires on
the first line its regex matches (`classifier._first_match`): what it finds on a line follows
from that line alone. Thousands of failures print the same code lines, traceback frames and
assertion lines, and differ in a few (the test's name, a pid): each line is searched once by
every RE2 regex on `block`, and a failure's answers are its lines' looked up in order. A 200 MB
`pytest -vv` log of 2,500 failures of 40 lines on average ran its eight regexes' literal
prefilter over each block's whole text, and built a `Text` per line for it.

Bounded like `poolctl.triage.hits`: past `MAX_CHARS` characters of lines remembered, it starts
again. Regexes on Python's `re` run under a time budget of the failure's own: not remembered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from poolctl.patterns.regex import KbRegex
from poolctl.triage.compared import compared_spans, inside

# characters of lines held; past them the memo starts again. The 200 MB logs of bench/triage.py
# hold 3,300-3,700 distinct block lines, 0.6-0.73 M with their entries; 4 M cost a triage of
# 50,000 failures 3.5 MB more peak RSS, this 0.8 MB
MAX_CHARS = 1_000_000
ENTRY_CHARS = 100  # what a line's entry costs besides its text (a dict slot, a small tuple)

# by line: what each regex it matches found there (the regex, where, what), or None: none did
LineHits = tuple[tuple[KbRegex, int, str], ...] | None
# by regex, as `hits.Answers`: None, or ("block", what matched, the line's index, where)
Answers = dict[Any, tuple[str, str, int, int] | None]

_UNSEEN: Any = object()


def _line_hit(regex: KbRegex, line: str, folded: str | None) -> tuple[int, str] | None:
    """Where `regex` first matches `line` and what, outside the strings a test compared (as
    `classifier._first_match` reads one text)."""
    if not regex.may_match(line, folded):
        return None
    m = regex.search(line)
    if m and (spans := compared_spans(line)) and inside(spans, m.start(), m.end()):
        m = next((x for x in regex.finditer(line) if not inside(spans, *x.span())), None)
    return (m.start(), m.group(0)) if m else None


class BlockHits:
    """The RE2 regexes of the rules on `block`, and what each finds on each line seen."""

    def __init__(self, regexes: Iterable[Any], max_chars: int = MAX_CHARS) -> None:
        self.regexes = tuple(
            dict.fromkeys(r for r in regexes if isinstance(r, KbRegex) and r.engine == "re2")
        )
        self._folded = any(r.folded for r in self.regexes)
        self._lines: dict[str, LineHits] = {}
        self._chars = 0
        self._max_chars = max_chars

    def answers(self, lines: Sequence[str]) -> Answers:
        """Each regex's first hit on `lines` (a failure's texts of `block`, in order)."""
        found: Answers = dict.fromkeys(self.regexes)
        remembered = self._lines
        for index, line in enumerate(lines):
            hits = remembered.get(line, _UNSEEN)
            if hits is _UNSEEN:
                hits = self._searched(line)
            if hits is None:
                continue
            for regex, at, matched in hits:
                if found[regex] is None:
                    found[regex] = ("block", matched, index, at)
        return found

    def _searched(self, line: str) -> LineHits:
        folded = line.casefold() if self._folded else None
        hits = []
        for regex in self.regexes:
            hit = _line_hit(regex, line, folded)
            if hit is not None:
                hits.append((regex, *hit))
        size = ENTRY_CHARS + len(line)
        if self._chars + size > self._max_chars:  # bounded memory: forget, start again
            self._lines.clear()
            self._chars = 0
        found = self._lines[line] = tuple(hits) or None
        self._chars += size
        return found
