"""OCaml's Alcotest failures, read from the boxes it prints into `Failure`s that classify as any
runner's failure does; its verdict, `5 failures! in 6.186s. 6 tests run.`, counts them
(`poolctl.logs.ounit_block`'s `ALCOTEST_RE`). It lists each test as it ends, a failed one
`  [FAIL]        checkout          1   checks out a second worker within 200ms.` (`> ` before
the one whose output follows), then prints the first failure's output (each one's under
`--show-errors`) in a box headed by its line, the name cut to the box's width:

    ┌──────────────────────────────────────────────────────────────────────────────┐
    │ [FAIL]        checkout          1   checks out a second worker within 20...  │
    └──────────────────────────────────────────────────────────────────────────────┘
    [failure] timed out waiting for a worker after 200ms (pool pool_a: 0 ready, 1 busy, …)
              Raised at Stdlib.failwith in file "stdlib.ml", line 29, characters 17-33
              Called from Test_alcotest.second in file "test_alcotest.ml", line 9, characters …
              Called from Alcotest_engine__Core.Make.protect_test.(fun) in file …
    Logs saved to `_build/_tests/pool/checkout.001.output'.
     ──────────────────────────────────────────────────────────────────────────────

A `[failure]` is a `failwith` (kind `Failure`), an `[exception]` of its constructor's kind, an
`ASSERT name` / `FAIL name` with its `Expected:` and `Received:` an Alcotest check (kind
AssertionError). Named as its list line names it (the box's is cut), grouped by its suite,
placed at the test's own frame (the last before Alcotest's) where its backtrace shows one.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs.ounit_block import EXPECTATION, RAISED_RE
from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

RUNNER = "Alcotest"
SOURCE: Source = "alcotest"
TRIGGERS = (r"^(?:[> ] |│ )\[FAIL\] ",)  # a failed test's line in its list, its box's header
_TEST = r"\[FAIL\] +(?P<suite>\S.*?) +(?P<index>\d+) +(?P<name>\S.*?)"
_LISTED_RE = re.compile(rf"^[> ] {_TEST}\.$")
_BOX_RE = re.compile(rf"^│ {_TEST}\.? *│$")
_CUT = "..."  # the end of a name cut to the box's width
_END_RE = re.compile(r"^ ─{20,}$")
_SAID_RE = re.compile(r"^\[(?P<what>failure|exception)\] (?P<said>.*)$")
_FRAME_RE = re.compile(
    r'^(?:Raised at|Re-raised at|Called from) (?P<where>\S+) in file "(?P<file>[^"]+)", '
    r"line (?P<line>\d+)"
)

# each parser's failed tests' full names, by suite and index, as its list printed them
_NAMES: weakref.WeakKeyDictionary[TextParser, dict[tuple[str, str], str]] = (
    weakref.WeakKeyDictionary()
)


def block_at(
    parser: TextParser, number: int, line: str, keep: Callable[[Failure, Lines], object]
) -> AlcotestBlock | None:
    """The box `line` heads, if it heads one; a failed test's line in the list above is noted
    (it names the test in full) and begins none."""
    text = line.rstrip()
    if listed := _LISTED_RE.match(text):
        names = _NAMES.setdefault(parser, {})
        names[(listed["suite"], listed["index"])] = listed["name"]
        return None
    if not _BOX_RE.match(text):
        return None
    block = AlcotestBlock(number, line, parser.name, SOURCE, keep)
    block.names = _NAMES.get(parser, {})
    return block


class AlcotestBlock(RunnerBlock):
    """One failed test's box and its output, to the rule under them."""

    names: dict[tuple[str, str], str]

    def ends_before(self, text: str) -> bool:
        return bool(_END_RE.match(text))

    def close(self) -> Lines:
        box = _BOX_RE.match(self.lines[0][1])
        if box is None:
            return []
        body = [t for _, t in self.lines[1:] if t.strip() and not t.startswith("└")]
        frames = [t.strip() for t in body if _FRAME_RE.match(t.strip())]
        said = [t for t in body if t.strip() not in frames and not t.startswith("Logs saved to ")]
        kind, message = _kind_and_message(said)
        own = [
            m
            for t in frames
            if (m := _FRAME_RE.match(t)) and not m["where"].startswith(("Alcotest", "Stdlib."))
        ]
        suite, index = box["suite"], box["index"]
        name = self.names.get((suite, index), box["name"].removesuffix(_CUT))
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=name,
            group=suite,
            location=f"{own[-1]['file']}:{own[-1]['line']}" if own else "",
            kind=kind,
            message=message,
            details={"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, self.lines)
        return []


def _kind_and_message(said: list[str]) -> tuple[str, str]:
    """What failed, of the box's lines but its frames: a `[failure]` (`failwith`'s), an
    `[exception]` (of its constructor's kind), else an Alcotest check's lines."""
    first = _SAID_RE.match(said[0]) if said else None
    if first is None:
        # `ASSERT busy` / `FAIL busy`, then its expected and received values
        lines = [t.strip() for t in said if not t.startswith("ASSERT ")]
        return EXPECTATION, "\n".join(t.removeprefix("FAIL ") for t in lines)
    if first["what"] == "failure":
        return "Failure", first["said"]
    raised = RAISED_RE.match(first["said"])
    if raised is None:
        return "Exception", first["said"]
    return raised["kind"], raised["message"] or raised["arg"] or ""
