"""Mocha's spec reporter's tree, read when the run stopped before its counts (killed, a CI job's
time limit): it prints each suite's title as the suite begins, and each test's line as the test
ends, a passing one with its mark and a failing one numbered; the counts (`2 failing`) and the
failure list come once the run ends.

      Pool
        ✔ starts
        1) request is answered
        2) reply shape
        slow

A numbered line is a failed test, read by its name alone (its error is printed in the list only),
its suites the titles above it, each indented two spaces less than the one below it. A suite's
title that the log ends in, nothing of it ended, is the suite the run stopped in: the test it
was running there is not named (Mocha names it as it ends), and is counted as a failure not read.
A run that printed its counts reads its failure list (`poolctl.logs.mocha_block`), not its tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from poolctl.logs.mocha_block import RUNNER, SOURCE
from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import keep_failure, line_failure
from poolctl.model import ContextLine, Failure

TREE_RE = re.compile(r"^(?P<indent>(?:  )+)(?:(?P<number>\d+)\) |(?P<mark>[✔✓]) )?(?P<title>\S.*)$")
TRIGGER = r"^(?:  )+\d+\) \S"  # a failed test's line in the tree
MAX_DEPTH = 8  # suites nested this deep are read in a whole text
# a numbered line after another line of the tree (a test's, or its suite's title two spaces
# less indented), in a whole text (RE2 syntax, multi-line): a run stopped before its counts
IN_TEXT = "|".join(
    [r"^(?:  )+(?:[✔✓]|\d+\)) [^\n]*\n(?:  )+\d+\) \S"]
    + [rf"^ {{{2 * d}}}[^\s✔✓][^\n]*\n {{{2 * d + 2}}}\d+\) \S" for d in range(1, MAX_DEPTH)]
)


@dataclass
class Tree:
    """The failed tests a parser read in Mocha's tree: each one's line, name and suite."""

    failed: list[tuple[int, str, str, str]] = field(default_factory=list)


def read_failed(tree: Tree, number: int, line: str, before: list[ContextLine]) -> None:
    """Line `number`, a numbered line of the tree (`before`: the lines above it), recorded when
    the line above it is the tree's too: its suites are the titles above it."""
    found = TREE_RE.match(line.rstrip())
    if found is None or found["number"] is None or not before:
        return
    indent = len(found["indent"])
    above = TREE_RE.match(before[-1].text.rstrip())
    if above is None:
        return
    above_indent = len(above["indent"])
    if above["number"] is None and above["mark"] is None and above_indent != indent - 2:
        return  # (a title is its suite's, two spaces less indented)
    if above_indent > indent + 2 * MAX_DEPTH:
        return
    titles = _suites(before, indent)
    name = " ".join([*titles, found["title"]])
    tree.failed.append((number, line.rstrip(), name, titles[0] if titles else ""))


def _suites(lines: list[ContextLine], indent: int) -> list[str]:
    """The titles of the suites of a line indented `indent`, from the lines above it, outermost
    first."""
    titles: list[str] = []
    for earlier in reversed(lines):
        found = TREE_RE.match(earlier.text.rstrip())
        if found is None:
            break
        width = len(found["indent"])
        if width < indent and found["number"] is None and found["mark"] is None:
            titles.insert(0, found["title"])
            indent = width
        if indent <= 2:
            break
    return titles


def _by_name(file: str, number: int, text: str, name: str, group: str) -> Failure:
    """A failed test of the tree, known by its name alone."""
    said = (
        "the run stopped before its counts and failure list (killed, a time limit): Mocha's tree "
        "numbers this test failed, and its error was to be printed in the list"
    )
    details = {"runner": RUNNER, "text": text}
    return line_failure(
        SOURCE, file, (number, text), name=name, group=group, location="", message=said,
        details=details,
    )  # fmt: skip


def stopped(tree: Tree, out: ParsedLog, file: str, last: list[tuple[int, str]]) -> None:
    """The input ended after the tree's failed tests, and no run was counted after them: a run
    stopped before its counts. Each failed test is a failure by its name alone, and a run counts
    them, plus the test running in the suite the log ends in when its title is the last line of
    the tree; `last`: the input's last non-blank lines."""
    if not tree.failed or any(s.file == file and s.line > tree.failed[0][0] for s in out.summaries):
        return
    failures = [_by_name(file, *failed) for failed in tree.failed]
    tail = [(n, t) for n, t in last if n > tree.failed[-1][0] and TREE_RE.match(t.rstrip())]
    title = TREE_RE.match(tail[-1][1].rstrip()) if tail else None
    suite = title is not None and title["number"] is None and title["mark"] is None
    count = len(failures)
    end = tail[-1][0] if suite else tree.failed[-1][0]
    where = ""
    if title is not None and suite:
        above = [ContextLine(n, t) for n, t in last if n < end]
        titles = [*_suites(above, len(title["indent"])), title["title"]]
        where = (
            f", in a test of suite '{' '.join(titles)}' (line {end}), which the spec reporter "
            "names only once it ends: counted as a failure, not read"
        )
    text = (
        f"(no counts: Mocha's spec reporter numbered {count} failed test(s) in its tree, and no "
        f"`N failing` line or failure list after them: the run stopped before its end{where})"
    )
    out.summaries.append(
        RunSummary(
            file, end, text, None, count + suite, start=tree.failed[0][0], read=0, source=RUNNER
        )
    )
    tree.failed.clear()
    for failure in failures:
        if keep_failure(out, failure):
            out.blocks[(file, failure.line_start)] = [(failure.line_start, failure.details["text"])]
