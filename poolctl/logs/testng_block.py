"""TestNG's console (`java org.testng.TestNG`, and the runs build tools start): its suite's
count, `Total tests run: 6, Failures: 3, Skips: 1` (TestNG 7: `…, Passes: 2, Failures: 3, …`),
is its verdict; under `-verbose 2` (or more) each failed test is printed, read into a
`Failure` so that it classifies as any runner's failure does:

    FAILED: secondCallerChecksOutWithin200ms
    com.example.pool.PoolTimeoutException: timed out waiting for an idle worker after 200 ms …
        at com.example.pool.WorkerPool.checkout(WorkerPool.java:38)
        at com.example.pool.PoolTestNgTest.secondCallerChecksOutWithin200ms(PoolTestNgTest.java:17)

A block is `FAILED: ` and the test's method (its class too, TestNG 7), the exception's class
and message, and its frames, to a blank line; named by its method, grouped by its class (the
frame of that method), placed there, of the exception's class. A `FAILED: ` line with no
exception's class under it (another tool's) is no block. Each test's count at that verbosity,
`Tests run: 6, Failures: 3, Skips: 1` indented above the suite's, is no verdict: the suite's
counts them all.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "TestNG"
SOURCE: Source = "testng"
HEADER = "FAILED: "
HEADER_RE = re.compile(r"^FAILED: (?P<name>[\w.$]+)$")
TRIGGERS = (r"^FAILED: [\w.$]+\s*$",)
VERDICT_RE = re.compile(
    r"^Total tests run: \d+, (?:Passes: \d+, )?Failures: (?P<failed>\d+), Skips: \d+$"
)
VERDICT_TRIGGER = r"^Total tests run: \d+, (?:Passes: \d+, )?Failures: [1-9]"
CLEAN_RE = re.compile(r"^Total tests run: \d+, (?:Passes: \d+, )?Failures: 0, Skips: \d+$")
_THROWN_RE = re.compile(r"^(?P<kind>[\w.$]+(?:Exception|Error|Throwable))(?:: (?P<message>.*))?$")
_FRAME_RE = re.compile(r"^at (?P<cls>[\w.$/]+)\.(?P<method>[\w$<>]+)\((?P<where>[^)]*)\)$")


class TestngBlock(RunnerBlock):
    """One failed test's block (a consumer of a text parser's scan), to a blank line; its
    failure goes to `done` when it ends."""

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        thrown = _THROWN_RE.match(self.lines[1][1]) if len(self.lines) > 1 else None
        if header is None or thrown is None:
            return []
        body = [t.strip() for _, t in self.lines[2:]]
        frames = [t for t in body if t.startswith(("at ", "..."))]
        said = [thrown["message"] or "", *(t for t in body if t not in frames)]
        method = header["name"].rpartition(".")[2]
        own = next((m for t in frames if (m := _FRAME_RE.match(t)) and m["method"] == method), None)
        place = own["where"] if own and ":" in own["where"] else ""
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=method,
            group=own["cls"] if own else header["name"].rpartition(".")[0],
            location=place,
            kind=thrown["kind"],
            message="\n".join(said).strip(),
            details={
                "runner": RUNNER,
                "text": clip("\n".join(t for _, t in self.lines), MAX_FIELD),
            },
            frames=frames,
        )
        self.done(failure, self.lines)
        return []
