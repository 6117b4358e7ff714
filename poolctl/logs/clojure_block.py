"""Clojure's clojure.test failures (`clojure.test/run-tests`, `lein test`, the Clojure CLI's
test runners print its report), read into `Failure`s so that they classify as any runner's
failure does; its verdict, `2 failures, 3 errors.` under `Ran 7 tests containing 7
assertions.`, counts them, one for each failed assertion:

    FAIL in (counts-its-busy-workers) (core_test.clj:15)
    after two checkouts
    expected: (= 3 (:busy (checkout (checkout (new-pool 3 "ok")))))
      actual: (not (= 3 2))

    ERROR in (keeps-running-after-a-request) (core.clj:38)
    expected: (str/includes? (request (new-pool 1 "exit") 3 "ping") "ok")
      actual: clojure.lang.ExceptionInfo: worker exited with status 3 before answering
    {:id 3}
     at pool.core$request.invokeStatic (core.clj:38)
        pool.core_test$fn__189.invokeStatic (core_test.clj:24)

A block is its header (the test's name, its `testing` contexts' lines under it, and where the
assertion failed, or where the exception was thrown) to a blank line. A FAIL is of kind
AssertionError, its message its contexts and its expected and actual forms; an ERROR is of the
exception's class, its message what follows the class (and the ex-data printed under it),
placed at its first frame in a test file (`_test.clj`), else where clojure.test says.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "clojure.test"
SOURCE: Source = "clojure_test"
HEADER_RE = re.compile(
    r"^(?P<what>FAIL|ERROR) in \((?P<name>[^)]*)\) \((?P<file>[^\s:()]+):(?P<line>\d+)\)$"
)
STARTS = ("FAIL in (", "ERROR in (")
TRIGGERS = (r"^(?:FAIL|ERROR) in \([^)]*\) \([^\s:()]+:\d+\)",)
VERDICT_RE = re.compile(r"^(?P<failed>\d+) failures?, (?P<errors>\d+) errors?\.$")
VERDICT_TRIGGER = r"^(?:[1-9]\d* failures?, \d+|\d+ failures?, [1-9]\d*) errors?\.\s*$"
CLEAN_RE = re.compile(r"^0 failures, 0 errors\.$")
_ACTUAL = "actual: "
_THROWN_RE = re.compile(
    r"^actual: (?P<kind>[a-zA-Z_][\w.$]*(?:Exception|Error|Info|Throwable))"
    r"(?:: (?P<message>.*))?$"
)
_FRAME_RE = re.compile(r"^(?:at )?(?P<where>\S+) \((?P<file>[^\s:()]+):(?P<line>\d+)\)$")
_TEST_FILE = "_test.clj"
EXPECTATION = "AssertionError"


class ClojureTestBlock(RunnerBlock):
    """One failed assertion's block (a consumer of a text parser's scan), to a blank line; its
    failure goes to `done` when it ends."""

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        if header is None:
            return []
        body = [t.strip() for _, t in self.lines[1:]]
        frames = [t.removeprefix("at ") for t in body if _FRAME_RE.match(t)]
        said = [t for t in body if not _FRAME_RE.match(t)]
        thrown = next((m for t in said if (m := _THROWN_RE.match(t))), None)
        place = f"{header['file']}:{header['line']}"
        kind, message = EXPECTATION, "\n".join(said)
        if header["what"] == "ERROR" and thrown is not None:
            kind = thrown["kind"]
            after = said[said.index(thrown.string) + 1 :]
            message = "\n".join([thrown["message"] or "", *after]).strip()
            own = [
                m for f in frames if (m := _FRAME_RE.match(f)) and m["file"].endswith(_TEST_FILE)
            ]
            place = f"{own[0]['file']}:{own[0]['line']}" if own else place
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=header["name"],
            group=place.rpartition(":")[0],
            location=place,
            kind=kind,
            message=message,
            details={"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, self.lines)
        return []
