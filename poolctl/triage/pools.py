"""Which pools the log shows being started or checked out from (from the identifier index, and
past what it covers, from the lines around a failure).

When a failure names a pool the log never shows started or checked out from, while it shows
others, the call may be addressed to the wrong process (a GenServer name instead of the pool's).
"""

from __future__ import annotations

import bisect
import functools
import re
from functools import cached_property

from poolctl.logs.identifiers import identifiers_in, needle
from poolctl.logs.records import LogLine, ParsedLog
from poolctl.logs.scan import clip
from poolctl.model import Failure

# a line showing a pool being started or used
ACTIVITY = re.compile(
    r"(?i)(\bstart(ed|ing)?\b|\bcheck(ing|ed)?[ _-]?out\b|\bcheckout\b|\blease[ds]?\b|"
    r"\bacquir(e|ed|ing)\b|\bqueued on\b|\binitiali[sz]ing pool\b|\bpool\b.*\bworkers?\b)"
)
# an identifier that names a pool: it says so, or a checkout names it
POOLISH = re.compile(r"(?i)pool|repo|queue")


def normalize(name: str) -> str:
    """`:test_pool_1`, `'test_pool_1'` and `test_pool_1` are the same pool."""
    return name.strip().strip("'\"").lstrip(":")


# The lines around failures repeat (a big log of 2,450 failures had 70,000 such lines, 175
# distinct): what a line says is worked out once per distinct text.
_LINES_KEPT = 8192


@functools.lru_cache(maxsize=_LINES_KEPT)
def _identifiers(text: str) -> frozenset[str]:
    """The identifier keys `text` names."""
    return frozenset(identifiers_in(text))


def _names_key(text: str, needles: tuple[tuple[str, str], ...]) -> bool:
    """Whether `text` names one of the keys of `needles` (each with its `needle`), as
    `identifiers.names` says for each."""
    return any(held in text and key in _identifiers(text) for held, key in needles)


@functools.lru_cache(maxsize=_LINES_KEPT)
def _shows_activity(text: str) -> bool:
    """Whether a line shows a pool being started or used (`ACTIVITY`)."""
    return ACTIVITY.search(text) is not None


@functools.lru_cache(maxsize=_LINES_KEPT)
def _pools_in_use(text: str) -> tuple[str, ...]:
    """The pools a line shows started or checked out from, normalised, in order."""
    if not POOLISH.search(text) or not ACTIVITY.search(text):
        return ()
    found = (normalize(key) for key in identifiers_in(text))
    return tuple(name for name in found if POOLISH.search(name))


class PoolActivity:
    """Lines outside every failure block that show a pool being started or checked out from."""

    def __init__(self, parsed: ParsedLog) -> None:
        self.parsed = parsed
        spans: dict[str, list[tuple[int, int]]] = {}
        for f in parsed.failures:
            spans.setdefault(f.input_file, []).append((f.line_start, max(f.line_end, f.line_start)))
        self._spans = {k: sorted(v) for k, v in spans.items()}
        self._starts = {k: [s for s, _ in v] for k, v in self._spans.items()}
        self._known_for: dict[tuple[str, int], tuple[str, ...]] = {}
        # `naming` of the failure being triaged, by pool: its facts ask for the same pool's
        # lines several times (its related lines, its pool's activity, for each pattern)
        self._named: tuple[tuple[str, int] | None, dict[str, list[LogLine]]] = (None, {})

    def _in_failure(self, line: LogLine) -> bool:
        starts = self._starts.get(line.file)
        if not starts:
            return False
        i = bisect.bisect_right(starts, line.line) - 1
        return i >= 0 and self._spans[line.file][i][1] >= line.line

    def naming(self, pool: str, failure: Failure | None = None) -> list[LogLine]:
        """Every indexed line that names `pool`, in input order; with `failure`, also the lines
        around it past what the index covers (`ParsedLog.near`). (The list is shared by the
        calls for the same failure and pool: not to be changed.)"""
        at = (failure.input_file, failure.line_start) if failure is not None else None
        if self._named[0] != at or at is None:
            self._named = (at, {})
        named = self._named[1].get(pool)
        if named is None:
            named = self._named[1][pool] = self._naming(pool, failure)
        return named

    def _naming(self, pool: str, failure: Failure | None) -> list[LogLine]:
        index = self.parsed.identifiers
        bare = normalize(pool)
        # (a name in quotes, `Given a pool "pool_d"`, is indexed as `'pool_d'`)
        keys = (bare, f":{bare}", f"'{bare}'", pool)
        seen: dict[tuple[str, int], LogLine] = {}
        for key in keys:
            for line in index.naming(key):
                seen.setdefault((line.file, line.line), line)
        if failure is not None:
            needles = tuple((needle(key), key) for key in keys)
            for n, text in self.parsed.near(failure):
                if _names_key(text, needles):
                    seen.setdefault(
                        (failure.input_file, n), LogLine(failure.input_file, n, clip(text))
                    )
        return sorted(seen.values(), key=lambda ln: (ln.file, ln.line))

    def activity(self, pool: str, failure: Failure | None = None) -> list[LogLine]:
        """Lines outside failure blocks that show `pool` started or checked out from."""
        return [
            ln
            for ln in self.naming(pool, failure)
            if not self._in_failure(ln) and _shows_activity(ln.text)
        ]

    @cached_property
    def known(self) -> tuple[str, ...]:
        """Every pool the indexed lines show started or checked out from, in the order first
        seen."""
        found: dict[str, tuple[str, int]] = {}
        for key, lines in self.parsed.identifiers.lines.items():
            name = normalize(key)
            if name in found or not POOLISH.search(name):
                continue
            for ln in lines:
                if not self._in_failure(ln) and ACTIVITY.search(ln.text):
                    found[name] = (ln.file, ln.line)
                    break
        return tuple(sorted(found, key=lambda n: found[n]))

    @cached_property
    def known_set(self) -> frozenset[str]:
        """`known`, for membership tests."""
        return frozenset(self.known)

    def known_for(self, failure: Failure) -> tuple[str, ...]:
        """`known`, and the pools the lines around `failure` past the index show in use."""
        near = self.parsed.near(failure)
        if not near:
            return self.known
        key = (failure.input_file, failure.line_start)
        cached = self._known_for.get(key)
        if cached is None:
            cached = self._known_for[key] = self._known_near(failure, near)
        return cached

    def _known_near(self, failure: Failure, near: list[tuple[int, str]]) -> tuple[str, ...]:
        found = dict.fromkeys(self.known)
        for n, text in near:
            pools = _pools_in_use(text)
            if not pools or self._in_failure(LogLine(failure.input_file, n, text)):
                continue
            for name in pools:
                found.setdefault(name)
        return tuple(found)

    def known_set_for(self, failure: Failure) -> frozenset[str]:
        """`known_for`, for membership tests."""
        known = self.known_for(failure)
        return self.known_set if known is self.known else frozenset(known)
