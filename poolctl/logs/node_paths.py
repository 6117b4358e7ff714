"""`node --test`'s tests named by their path: a test in a describe suite, or a test's subtest, is
named by its suites' and parent tests' titles and its own, `pool > checkout > times out`, as
node names it (`TestContext.fullName`, node 22), not by its own title alone (two tests of the
same title in two suites were one test to the history, their failures alike).

The spec reporter prints the tree inline, each parent's `▶ NAME` line above its children, each
indented two spaces more, each failed test's `✖ NAME (TIME)` at its depth; its closing section
names each failure by its title alone, in the order they were printed inline. The TAP reporter
prints each test's `# Subtest: NAME` line at its depth (four spaces a level) above its `not ok`
line. Each parser's lines of both are recorded here (`line_at`), and a failure read from either
is named by its path when kept (`named`).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from poolctl.logs import node_spec_block
from poolctl.logs.records import Lines
from poolctl.logs.runner_block import NO_BLOCK
from poolctl.logs.tap_block import RUNNER as TAP_RUNNER
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.scan import Consumer, TextParser

SEPARATOR = " > "
_PARENT = "▶ "  # the spec reporter's line of a suite, or of a test with subtests
_SUBTEST = "# Subtest: "  # the TAP reporter's line before each test's
# (and a failed test's inline `✖` line with no time: one cancelled)
TRIGGERS = (rf"^ *{_PARENT}\S", rf"^ *{_SUBTEST}\S", r"^ *✖ \S")
# an inline test's line, failed (with its time) or cancelled (none), and the closing section's
_TEST_RE = re.compile(r"^✖ (?P<name>.+?)(?P<time> \([\d.]+m?s\))?$")
_SECTION = "✖ failing tests:"


@dataclass
class _Tree:
    """A parser's parents read (their indent and title, the innermost last), the path of each
    inline `✖` line of the spec reporter and of each TAP `# Subtest:` line, by line number."""

    parents: list[tuple[int, str]] = field(default_factory=list)
    subtests: list[tuple[int, int, tuple[str, ...]]] = field(default_factory=list)
    parents_tap: list[tuple[int, str]] = field(default_factory=list)
    inline: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    taken: set[int] = field(default_factory=set)  # inline lines whose failure was named


_TREES: weakref.WeakKeyDictionary[TextParser, _Tree] = weakref.WeakKeyDictionary()


def line_at(
    parser: TextParser, number: int, line: str, keep: Callable[[Failure, Lines], None]
) -> Consumer | None:
    """The spec reporter's block `line` begins (its closing section's failure, or an inline
    `✖` line's), `NO_BLOCK` for a parent's line or a TAP `# Subtest:` line (recorded), None for
    none of them."""
    text = line.rstrip()
    own = text.lstrip(" ")
    indent = len(text) - len(own)
    if own.startswith(_PARENT):
        tree = _TREES.setdefault(parser, _Tree())
        _push(tree.parents, indent, own[len(_PARENT) :])
        return NO_BLOCK
    if own.startswith(_SUBTEST):
        tree = _TREES.setdefault(parser, _Tree())
        title = own[len(_SUBTEST) :]
        _push(tree.parents_tap, indent, title)
        tree.subtests.append((number, indent, tuple(t for _, t in tree.parents_tap)))
        return NO_BLOCK
    if text.startswith("test at ") and node_spec_block.HEADER_RE.match(text):
        return node_spec_block.SpecFailure(
            number, line, parser.name, node_spec_block.SOURCE, keep
        )  # the spec reporter's closing section
    test = _TEST_RE.match(own) if own.startswith("✖ ") and own != _SECTION else None
    if test is None:
        return None
    if (read := _TREES.get(parser)) is not None:
        del read.parents[_below(read.parents, indent) :]
        read.inline.append((number, (*(t for _, t in read.parents), test["name"])))
    if not test["time"]:
        return None  # a test cancelled (its reason under it: read in the closing section)
    found = parser.out.spec_inline.setdefault(parser.name, []).append
    return node_spec_block.Inline(number, line, found)  # a parent's, or a test's


def named(parser: TextParser, failure: Failure, lines: Lines) -> Failure:
    """`failure`, kept by `parser`, named by its path where it is a node test's whose parents
    were read: its closing section's entry by the first failed test of its title printed inline
    before it and not yet named, its TAP failure (node's YAML: `failureType`) by the
    `# Subtest:` line of its title at its indent above it."""
    tree = _TREES.get(parser)
    if tree is None:
        return failure
    runner = failure.details.get("runner")
    if runner == node_spec_block.RUNNER and lines[0][1].startswith("test at "):
        parents = {n for n, parent in parser.out.spec_inline.get(parser.name, []) if parent}
        for number, path in tree.inline:
            if number >= lines[0][0]:
                break
            if path[-1] == failure.name and number not in tree.taken | parents:
                tree.taken.add(number)
                return _renamed(failure, path)
        return failure
    if runner != TAP_RUNNER or not any(t.lstrip().startswith("failureType: ") for _, t in lines):
        return failure
    first = lines[0][1]
    indent = len(first) - len(first.lstrip(" "))
    for number, at, path in reversed(tree.subtests):
        if number < lines[0][0] and at == indent and path[-1] == failure.name:
            return _renamed(failure, path)
    return failure


def _push(parents: list[tuple[int, str]], indent: int, title: str) -> None:
    """A parent's line at `indent`: those at it or deeper before it are closed."""
    del parents[_below(parents, indent) :]
    parents.append((indent, title))


def _below(parents: list[tuple[int, str]], indent: int) -> int:
    """How many of `parents` are less indented than `indent` (they lead the list)."""
    return next((i for i, (at, _) in enumerate(parents) if at >= indent), len(parents))


def _renamed(failure: Failure, path: tuple[str, ...]) -> Failure:
    return replace(failure, name=SEPARATOR.join(path)) if len(path) > 1 else failure
