"""Whether a rule's regex fires on a failure, remembered by the exact texts of the field it reads.

Failures by the ten thousand repeat the same code line, stack trace and context lines: each
signal on them would run its regex on the same texts again. Whether `first_hit` finds a hit,
which text and which line of it holds the match, and what matched, follow from the regex and
the field's texts alone (the prefilter, the search and the compared strings all read only
them), so the same texts, compared whole and in order, give the same answer: the memo is exact,
never a guess from a normalized text. A quoted hit (`cited=True`) is then placed on the failure
itself (`FailureView.cite`: its line number and the block line that printed it are the
failure's own), without searching again; a miss is a miss on any failure with the same texts.

Remembered for the one failure only: `block` (its first line names the test, so its texts never
repeat: line by line instead, `poolctl.triage.block_hits`) and `any` (its texts hold the
failure's pids and references; its rules run once per `normalize.any_key` already, see
`classifier.Known`). Not remembered: regexes on Python's `re`,
which run under a time budget whose end is the failure's own.
"""

from __future__ import annotations

from poolctl.patterns.regex import KbRegex
from poolctl.triage.block_hits import BlockHits
from poolctl.triage.fields import FailureView

MAX_CHARS = 4_000_000  # characters of texts held as keys; past them the memo starts again
# what an entry costs besides its texts, in characters: its answers (a dict of a tuple for each
# regex run on it, about 1 KB). Short texts by the ten thousand (200,000 pytest failures of
# one line each) held 4,000,000 characters' worth of entries in 55 MB more than 400,000 did
ENTRY_CHARS = 1_000
NEVER_REPEATED = frozenset({"block", "any"})

# by regex: None, it does not fire; else the field and the text it matches (a hit uncited),
# the index of the text it matches among the field's texts and where in it the match starts
Answers = dict[KbRegex, tuple[str, str, int, int] | None]


class HitMemo:
    """What each regex did on each distinct tuple of a field's texts."""

    def __init__(self, max_chars: int = MAX_CHARS, block: BlockHits | None = None) -> None:
        self._by_texts: dict[tuple[str, tuple[str, ...]], Answers] = {}
        self.block = block  # the rules on `block`, by line
        self._chars = 0
        self._max_chars = max_chars

    def answers(self, view: FailureView, field: str) -> Answers:
        """The answers known for `view`'s texts of `field` (the caller adds what it finds), kept
        in the view too; for a field whose texts never repeat, the view's own."""
        found = view.answers.get(field)
        if found is not None:
            return found
        if field == "block" and self.block is not None:
            found = view.answers[field] = self.block.answers(view.block_values())
            return found
        if field in NEVER_REPEATED:
            found = view.answers[field] = {}
            return found
        key = (field, tuple(t.value for t in view.texts(field)))
        found = self._by_texts.get(key)
        if found is None:
            size = ENTRY_CHARS + sum(len(value) for value in key[1])
            if self._chars + size > self._max_chars:  # bounded memory: forget, start again
                self._by_texts.clear()
                self._chars = 0
            found = self._by_texts[key] = {}
            self._chars += size
        view.answers[field] = found
        return found
