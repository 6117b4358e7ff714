"""The end of one pytest run in a log: its failure blocks matched with the summary lines, `-v`
progress lines and `--tb=line` entries that name them, the failures no block holds made from
those lines, and all of them kept in the log's order (`poolctl.logs.pytest_log`)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from poolctl.logs import pytest_doctest_line
from poolctl.logs.pytest_line_mode import inline_failure, line_mode_failure
from poolctl.logs.pytest_summary import (
    Summaries,
    summary_failure,
    with_cut_summary,
    with_nodeid,
    with_summary,
)
from poolctl.logs.records import Lines
from poolctl.logs.scan import keep_failure
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.pytest_log import PytestParser


def keep_run_failures(parser: PytestParser, next_start: int) -> int:
    """Match the run's blocks with the lines that name them and keep its failures; the next
    run starts at line `next_start` (0: the input's end). Returns how many failures were kept
    that the run's closing line counts."""
    failures = parser.failures
    entries = parser.summary_lines
    if not entries and parser.line_mode:  # pytest-pretty's lines name them instead
        entries = parser.pretty.entries(failures, [start for start, *_ in parser.line_mode])
    elif not entries and not failures:  # `--tb=no`: they are all that names the failures
        entries = parser.pretty.said
    summaries = Summaries(entries)
    kept = 0
    for name, read in parser.overflowed:
        summaries.take(name)
        kept += read
    named = Summaries(parser.progress.named)  # `-v` lines: the node ids, without `-r` lines
    unnamed = []  # blocks no line of this run names
    last = parser.last_line() if not next_start else None  # a summary line cut there is one's
    for position, failure in enumerate(failures):
        outcome = failure.details.get("outcome", "")
        found = summaries.take(failure.name, outcome)
        cut = summaries.take_cut(failure, last[0]) if found is None and last else None
        if found is not None:
            failures[position] = with_summary(failure, *found)
        elif (line := named.take(failure.name, outcome)) is not None:
            failures[position] = with_nodeid(failure, line[2])
        else:
            unnamed.append(position)
        if cut is not None:  # its line, cut in its node id: not another test's
            failures[position] = with_cut_summary(failures[position], cut[0])
    made: list[tuple[Failure, Lines]] = []
    for number, text in parser.inline_lines:
        inline = inline_failure(parser.name, summaries, number, text)
        if inline is not None:
            made.append((inline, [(number, text)]))
    line_mode = pytest_doctest_line.merged(
        parser.line_mode, parser.summary_lines, parser.doctests.ends
    )
    for start, end, e_lines, location_line, printed in line_mode:
        failure = line_mode_failure(parser.name, summaries, start, end, e_lines, location_line)
        if captured := parser.line_captured_at.pop(end, None):
            failure = replace(failure, details={**failure.details, **captured})
        made.append((failure, printed))
    if parser.ended_in is not None:  # no closing line: the run ended in that test
        made.append(parser.ended_in)
        parser.ended_in = None
    made += parser.run_errors.take()
    left = summaries.left()  # a run that named all its failures: a block it did not name is
    named_all = bool(parser.summary_lines) and not left and next_start > 0  # a run's beside
    failures = parser.beside.carry(failures, unnamed, named_all, parser.out, parser.name)
    for number, outcome, nodeid, message in left:
        failure = summary_failure(parser.name, number, outcome, nodeid, message)
        made.append((failure, [(number, parser.summary_text.get(number, ""))]))
    overflowed = (name for name, _ in parser.overflowed)
    made += parser.progress.unread([*failures, *(f for f, _ in made)], overflowed, parser.name)
    printed_lines = {f.line_start: lines for f, lines in made}
    failures += [f for f, _ in made]
    failures.sort(key=lambda f: f.line_start)
    for failure in failures:
        lines = printed_lines.get(failure.line_start)
        if lines is not None:
            parser.recorder.done(failure, lines, after=False)
        kept_now = keep_failure(parser.out, failure, parser.recorder)
        # pytest's closing line never counts its own internal error among the run's errors,
        # nor pytest-cov's verdict on coverage, nor the run's end
        uncounted = ("internal", "coverage", "ended")
        kept += kept_now if failure.details.get("phase") not in uncounted else 0
    return kept
