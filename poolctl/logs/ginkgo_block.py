"""Go's Ginkgo (v1, its default reporter under `go test`): each failed spec's block, read into
`Failure`s that classify as any runner's failure does. The go test function that ran the suite
(`--- FAIL: TestPool`) fails by them: its package's `FAIL` line counts them, and that test, which
logged nothing of its own, is no failure beside them (`go_runs.discard_silent`).

    ------------------------------
    • Failure [0.201 seconds]
    Pool
    /src/pool/pool_test.go:15
      checkout
      /src/pool/pool_test.go:16
        gives a second worker within 200ms [It]
        /src/pool/pool_test.go:20

        Expected success, but got an error:
            …
            checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting

        /src/pool/pool_test.go:23
    ------------------------------

Its containers' texts and the spec's (`[It]`, or the node that failed: `[BeforeEach]`), each
above its place; what failed (gomega's words), then where. `•! Panic` says `Test Panicked`, the
panic's value and where, then `Full Stack Trace`. Named by Ginkgo's full text (containers and
spec, as `-ginkgo.focus` matches it), grouped by the spec's file, placed where it failed (a
panic: its first frame in a `_test.go` file), a Failure of kind AssertionError, a Panic `panic`,
a Timeout `timeout`. (Ginkgo v2's reporter, `[FAILED]`, was not captured here: not read.)
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

RUNNER = "Ginkgo"
SOURCE: Source = "ginkgo"
HEADER_RE = re.compile(
    r"^•!? (?P<what>Failure|Panic|Timeout)(?: in Spec (?:Setup|Teardown) \(\w+\))? "
    r"\[[\d.]+ seconds?\]$"
)
TRIGGERS = (r"^•!? (?:Failure|Panic|Timeout)\b",)
_RULE = "-" * 30
_PLACE_RE = re.compile(r"^\s*(?P<path>\S+\.go):(?P<line>\d+)(?: \+0x[0-9a-f]+)?$")
_SPEC_RE = re.compile(r"^ *(?P<text>\S.*?) \[(?P<node>[A-Z][A-Za-z]*)\]$")
_KINDS = {"Failure": "AssertionError", "Panic": "panic", "Timeout": "timeout"}

# each parser's specs read since its last go package's verdict
_READ: weakref.WeakKeyDictionary[TextParser, int] = weakref.WeakKeyDictionary()


def block_at(
    parser: TextParser, number: int, line: str, keep: Callable[[Failure, Lines], object]
) -> GinkgoBlock | None:
    """The block of the failed spec `line` heads, if it heads one."""
    if not HEADER_RE.match(line.rstrip()):
        return None

    def read(failure: Failure, lines: Lines) -> None:
        _READ[parser] = _READ.get(parser, 0) + 1
        keep(failure, lines)

    return GinkgoBlock(number, line, parser.name, SOURCE, read)


def specs_read(parser: TextParser) -> int:
    """How many specs were read since the last go package's verdict (which asks, and ends
    them)."""
    return _READ.pop(parser, 0)


class GinkgoBlock(RunnerBlock):
    """One failed spec's block (a consumer of a text parser's scan), to its rule of dashes."""

    def ends_before(self, text: str) -> bool:
        return text == _RULE

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        texts = [t for _, t in self.lines[1:]]
        spec_at = next((i for i, t in enumerate(texts) if _SPEC_RE.match(t)), None)
        if header is None or spec_at is None:
            return []
        containers = [t.strip() for t in texts[:spec_at] if not _PLACE_RE.match(t)]
        spec = _SPEC_RE.match(texts[spec_at])
        assert spec is not None
        declared = _PLACE_RE.match(texts[spec_at + 1]) if spec_at + 1 < len(texts) else None
        rest = texts[spec_at + 2 :]
        trace_at = next((i for i, t in enumerate(rest) if t.strip() == "Full Stack Trace"), None)
        said = rest[:trace_at]
        frames = [t.strip() for t in rest[trace_at + 1 :]] if trace_at is not None else []
        while said and not said[-1].strip():
            said.pop()
        where = _PLACE_RE.match(said[-1]) if said else None
        if where is not None:
            said.pop()
        mine = [m for f in frames if (m := _PLACE_RE.match(f)) and m["path"].endswith("_test.go")]
        place = mine[0] if header["what"] == "Panic" and mine else where
        message = "\n".join(t.strip() for t in said).strip()
        details = {"runner": RUNNER, "text": clip("\n".join(texts), MAX_FIELD)}
        if spec["node"] != "It":
            details["node"] = spec["node"]  # the setup or teardown node that failed
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=" ".join([*containers, spec["text"]]),
            group=os.path.basename(declared["path"]) if declared else "",
            location=f"{os.path.basename(place['path'])}:{place['line']}" if place else "",
            kind=_KINDS[header["what"]],
            message=message.removeprefix("Test Panicked\n"),
            details=details,
            frames=frames,
        )
        self.done(failure, self.lines)
        return []
