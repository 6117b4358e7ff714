"""node-tap's own reporter's lines in a log read as another runner's: its entries (kept at
its count), a test file's line, a file that did not load, its report's heading."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs import node_tap_report, node_tap_unloaded
from poolctl.logs.records import Lines
from poolctl.logs.runner_block import NO_BLOCK
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.scan import Consumer, TextParser

# each parser's node-tap reporter: its test file's line, its entries until its count keeps them
REPORTS: weakref.WeakKeyDictionary[TextParser, node_tap_report.Report] = weakref.WeakKeyDictionary()

_NO_REPORT = node_tap_report.Report()


def entry_at(
    parser: TextParser, number: int, line: str, keep: Callable[[Failure, Lines], None]
) -> Consumer | None:
    """An entry of node-tap's reporter (kept at its count), its test file's line or its report's
    heading (`NO_BLOCK`); None when `line` is none of them. The entries held at a count before
    it are given to `keep`, or dropped at the report's heading (`node_tap_report.settled`)."""
    found = _entry_at(parser, number, line)
    if found is not None and (report := REPORTS.get(parser)) is not None:
        complete = line.strip() == node_tap_report.COMPLETE
        for failure, lines in node_tap_report.settled(report, complete=complete):
            keep(failure, lines)
    return found


def _entry_at(parser: TextParser, number: int, line: str) -> Consumer | None:
    """`entry_at`, its entries, lines and heading read."""
    if line.startswith(node_tap_report.PROGRESS):
        return NO_BLOCK if parser in REPORTS else None  # (a run's progress: no block)
    if line.startswith("✖"):
        report = REPORTS.get(parser, _NO_REPORT)
        if not report.test_file:  # (no node-tap file's line before it: node's spec reporter's)
            return None
        entry = node_tap_report.NodeTapEntry(
            number,
            line,
            parser.name,
            node_tap_report.SOURCE,
            lambda failure, lines: report.entries.append((failure, lines)),
        )
        entry.test_file = report.test_file
        return entry
    if line.startswith(("2> ", " FAIL  ")) and (
        unloaded := _node_tap_unloaded(parser, number, line)
    ):
        return unloaded
    if not line.startswith(" ") or ("TEST COMPLETE" not in line and " failed of " not in line):
        return None
    report = REPORTS.setdefault(parser, node_tap_report.Report())
    return NO_BLOCK if node_tap_report.line_read(report, line.rstrip()) else None


def _node_tap_unloaded(parser: TextParser, number: int, line: str) -> Consumer | None:
    """A test file's stderr under node-tap's `2> FILE` (its error noted), or its ` FAIL  FILE 0`
    line: a file that did not load, one failure kept at the run's count (`node_tap_unloaded`);
    None for neither."""
    text = line.rstrip()
    if node_tap_unloaded.STDERR_RE.match(text):
        report = REPORTS.setdefault(parser, node_tap_report.Report())
        stderr = node_tap_unloaded.FileStderr(
            number, line, parser.name, node_tap_report.SOURCE, lambda *_: None
        )
        stderr.errors = report.errors
        return stderr
    if not node_tap_unloaded.UNLOADED_RE.match(text):
        return None
    report = REPORTS.setdefault(parser, node_tap_report.Report())
    report.test_file = text.split()[1]
    failure = node_tap_unloaded.failure(
        number, line, parser.name, node_tap_report.SOURCE, report.errors
    )
    report.entries.append((failure, [(number, text)]))
    return NO_BLOCK
