"""A go package that failed with no test failing: its test binary stopped outside any test's
verdict (its `TestMain`, an `init`, an `os.Exit`), as a TestMain that cannot reach a service its
tests need does:

    2026/12/03 05:04:09 cannot start the test pool: dial tcp 127.0.0.1:5999: connect: …
    FAIL	example.com/tm/db	0.003s

What it printed just above its verdict, after the package's lines before (its tests' `=== RUN`
and results, the package before's verdict), is one failure, named by the package; Go's `log`
stamp left out of its message. gotestsum lists it as a block with no test's name
(`=== FAIL: db  (0.00s)`)."""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure

NAME = "(package)"
KIND = "package failed"
# the lines that are go's own around a package's output, not what it printed (and another
# runner's rule, a command echoed: where its output began)
_GOS = (
    "ok  \t",
    "FAIL\t",
    "--- ",
    "=== ",
    "PASS",
    "FAIL",
    "?   \t",
    "# ",
    "exit status ",
    "==",
    "$ ",
)
_LOG_STAMP_RE = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? ")
_PLACE_RE = re.compile(
    r"^(?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? )?(?P<place>[\w.-]+\.go:\d+): "
)
# a panic's frame in a test file, under the function that panicked (TestMain's)
_FRAME_RE = re.compile(r"^\s+(?P<place>\S+_test\.go:\d+) \+0x[0-9a-f]+$")
MAX_LINES = 10


def printed_before(before: Lines) -> Lines:
    """The lines of `before` (those just above a package's verdict) the package printed itself:
    after the last of go's own lines."""
    mine: Lines = []
    for number, text in reversed(before):
        if text.startswith(_GOS) or text.strip() in ("PASS", "FAIL"):
            break
        mine.insert(0, (number, text))
    return mine[-MAX_LINES:]


def printed_above(lines: Lines) -> Lines:
    """What a package printed above its `FAIL` line in `lines` (its output to that line, as
    gotestsum and its JUnit report keep it), go's own lines before it (a `PASS`) left out; all
    but that line when go's lines leave nothing."""
    verdict = next((i for i, (_, t) in enumerate(lines) if t.startswith("FAIL\t")), len(lines))
    return printed_before(lines[:verdict]) or [
        (n, t) for n, t in lines if not t.startswith("FAIL\t")
    ]


def package_failure(
    package: str, printed: Lines, lines: Lines, input_file: str, runner: str
) -> Failure:
    """The failure of `package`, which printed `printed` (in its block's `lines`, its verdict
    among them)."""
    said = [_LOG_STAMP_RE.sub("", t).strip() for _, t in printed if t.strip()]
    said = [t for t in said if not t.startswith("exit status ")]
    place = next((found["place"] for _, t in printed if (found := _PLACE_RE.match(t))), "")
    place = place or next((found["place"] for _, t in printed if (found := _FRAME_RE.match(t))), "")
    return block_failure(
        "go", input_file, lines, name=NAME, group=package, location=place, kind=KIND,
        message=clip("\n".join(said), MAX_FIELD),
        details={
            "runner": runner,
            "text": clip("\n".join(t for _, t in lines), MAX_FIELD),
            "note": "no test's `--- FAIL:` line: the test binary failed outside any test's "
            "verdict (its TestMain, an init, an os.Exit)",
        },
        frames=[],
    )  # fmt: skip
