"""Which lines around an ExUnit failure block are its own test's, and which a later test's.

ExUnit prints a failure when its test ends: the test's own Logger lines come before its block,
and the lines after the block are printed while later tests run. The lines just before a
failure's header, back to the last mark of a test ending (a progress dot, a `--trace` line: see
`ParsedLog.test_ends`) or to the block before, are its test's own: its header region. A fact
about one failure never comes from another failure's header region, and its own header region
reaches further back than the context the parser kept before its header: into the lines kept
after the block before it. Past its own block, a line is a later test's (a passing test leaves
no block to say where its lines begin) unless it names the failure's pool (`triage.facts`).
"""

from __future__ import annotations

import bisect

from poolctl.logs.ansi import strip_ansi
from poolctl.logs.exunit_stopped import PROGRESS_RE
from poolctl.logs.records import Lines, ParsedLog
from poolctl.model import Failure


def _end(failure: Failure) -> int:
    return max(failure.line_end, failure.line_start)


class Regions:
    """The header region of each ExUnit failure of a parsed log (computed when first asked)."""

    def __init__(self, parsed: ParsedLog) -> None:
        self._after = parsed.after
        self._test_ends = parsed.test_ends
        by_file: dict[str, list[Failure]] = {}
        for f in parsed.failures:
            if f.source == "exunit" and f.input_file:
                by_file.setdefault(f.input_file, []).append(f)
        self._by_file = {k: sorted(v, key=lambda f: f.line_start) for k, v in by_file.items()}
        self._starts = {k: [f.line_start for f in v] for k, v in self._by_file.items()}

    def _neighbour(self, failure: Failure, step: int) -> Failure | None:
        """The failure printed just before (`step` -1) or after (+1) `failure` in its input."""
        starts = self._starts.get(failure.input_file)
        if not starts:
            return None
        i = bisect.bisect_left(starts, failure.line_start)
        if i >= len(starts) or starts[i] != failure.line_start:
            return None
        j = i + step
        return self._by_file[failure.input_file][j] if 0 <= j < len(starts) else None

    def _kept_before(self, failure: Failure, prev: Failure | None) -> Lines:
        """The lines kept between the block before `failure` and its header: that block's
        lines after, and the context before `failure`'s header."""
        found = {c.line: c.text for c in failure.context if c.why == "before the header"}
        if prev is not None:
            for n, text in self._after.get((prev.input_file, prev.line_start), []):
                found.setdefault(n, text)
        return sorted(found.items())

    def _floor(self, failure: Failure, prev: Failure | None, kept: Lines) -> int:
        """The last line before `failure`'s header region: the block before it, or a later
        mark of a test ending (a `--trace` line the parser noted, or a line of progress dots
        among the lines `kept` before it)."""
        floor = _end(prev) if prev is not None else 0
        ends = self._test_ends.get(failure.input_file, [])
        i = bisect.bisect_left(ends, failure.line_start)
        if i:
            floor = max(floor, ends[i - 1])
        dots = [
            n
            for n, text in kept
            if floor < n < failure.line_start and PROGRESS_RE.match(strip_ansi(text).strip())
        ]
        return max(dots, default=floor)

    def own(self, failure: Failure) -> Lines:
        """The lines of `failure`'s header region that were kept (the context before its header,
        the lines after the block before it), in input order: its test's own lines. Empty for a
        failure that is not ExUnit's."""
        if failure.source != "exunit":
            return []
        prev = self._neighbour(failure, -1)
        kept = self._kept_before(failure, prev)
        floor = self._floor(failure, prev, kept)
        return [(n, t) for n, t in kept if floor < n < failure.line_start and t.strip()]
