"""Test2::Harness's `yath test` (Perl's Test::More and Test2 scripts), read into `Failure`s so
that they classify as any runner's failure does; its summary's `Fail Count: 2` counts the
test files (jobs) that failed.

    [  FAIL  ]  job  1  + checkout returns a worker
    (  DIAG  )  job  1      Failed test 'checkout returns a worker'
    (  DIAG  )  job  1      at yt/pool_diag.t line 7.
    (  DIAG  )  job  1             got: '{:shutdown, {NimblePool, :checkout, [:test_pool_9090]}}'
    (  DIAG  )  job  1        expected: '{:ok, worker}'
    ( FAILED )  job  1    yt/pool_diag.t

Each line is tagged with its job, and jobs run side by side interleave theirs: a job's lines
are kept until its `( FAILED )` line, which names its file; that file is one failure, named
by it, placed at its first failed test's `at FILE line N.`, of kind AssertionError when a test
failed, its message each failed test's name and its diagnostics (a subtest's, under `|`, and
the parent that says only where), Test::More's `Looks like you failed …` left out.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs.records import Lines
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

RUNNER = "yath"
SOURCE: Source = "yath"
# a tagged line of a job: its tag, its job, what it says (indented after the job's number)
LINE_RE = re.compile(
    r"^(?P<tag>\[  FAIL  \]|\(  DIAG  \)|\( FAILED \)) +job +(?P<job>\S+) {2}(?P<said>.*)$"
)
TRIGGERS = (r"^(?:\[  FAIL  \]|\(  DIAG  \)|\( FAILED \)) +job +\S+  ",)
VERDICT_RE = re.compile(r"^Fail Count: (?P<failed>\d+)$")
VERDICT_TRIGGER = r"^ *Fail Count: [1-9]\d*\s*$"
CLEAN_RE = re.compile(r"^-->  Result: PASSED  <--$")
_FAILED_TEST_RE = re.compile(r"^[|\s]*\+~?\s*(?P<name>.+)$")
_AT_RE = re.compile(r"\bat (?P<file>\S+) line (?P<line>\d+)\.$")
_LOOKS_LIKE = "Looks like you failed "
EXPECTATION = "AssertionError"

# each parser's jobs' tagged lines, by job, until the job's `( FAILED )` line
_JOBS: weakref.WeakKeyDictionary[TextParser, dict[str, Lines]] = weakref.WeakKeyDictionary()


def read_line(
    parser: TextParser, number: int, line: str, keep: Callable[[Failure, Lines], None]
) -> bool:
    """Note one of yath's tagged lines; a job's `( FAILED )` line gives its failure to `keep`.
    False when `line` is none of them."""
    tagged = LINE_RE.match(line.rstrip())
    if tagged is None:
        return False
    jobs = _JOBS.setdefault(parser, {})
    lines = jobs.setdefault(tagged["job"], [])
    if tagged["tag"] != "( FAILED )":
        if len(lines) < MAX_BLOCK_LINES:
            lines.append((number, line.rstrip()))
        return True
    del jobs[tagged["job"]]
    keep(_failure(tagged["said"].strip(), [*lines, (number, line.rstrip())], parser.name), lines)
    return True


def _failure(file: str, lines: Lines, input_file: str) -> Failure:
    """A failed job's failure: its file, its failed tests and their diagnostics."""
    said: list[str] = []
    place = ""
    for _, text in lines[:-1]:
        tagged = LINE_RE.match(text)
        assert tagged is not None
        own = tagged["said"].strip()
        if tagged["tag"] == "[  FAIL  ]":
            named = _FAILED_TEST_RE.match(own)
            said.append(named["name"] if named else own)
            continue
        own = own.lstrip("| ").strip()
        at = _AT_RE.search(own)
        place = place or (f"{at['file']}:{at['line']}" if at else "")
        if own and not own.startswith((_LOOKS_LIKE, "Failed test ")) and not at:
            said.append(f"  {own}")
    return block_failure(
        SOURCE,
        input_file,
        lines,
        name=file,
        group=file.rpartition("/")[0],
        location=place or file,
        kind=EXPECTATION if said else "",
        message="\n".join(said) or f"{file} failed",
        details={"runner": RUNNER, "text": clip("\n".join(t for _, t in lines), MAX_FIELD)},
        frames=[],
    )
