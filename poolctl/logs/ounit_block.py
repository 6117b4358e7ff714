"""OCaml's OUnit (ounit2's `run_test_tt_main`) failures, read into `Failure`s so that they
classify as any runner's failure does; its verdict, `FAILED: Cases: 6 Tried: 6 Errors: 3
Failures: 2 Skip:  0 Todo: 0 Timeouts: 0.`, counts them. Each is a block under a rule of `=`:

    ==============================================================================
    Error: pool:1:worker:0:answers ping when silent.

    File "_build/oUnit-pool-vm#01.log", line 13, characters 1-1:
    Error: pool:1:worker:0:answers ping when silent (in the log).

    Raised at Stdlib.failwith in file "stdlib.ml", line 29, characters 17-33
    Called from Test_ounit.suite.(fun) in file "test_ounit.ml", line 20, characters 49-89
    Called from OUnitRunner.run_one_test.(fun) in file "src/lib/ounit2/advanced/oUnitRunner.ml", …

    Failure("No response received from worker within 5s")
    ------------------------------------------------------------------------------

Its header says what failed (an `Error`, an exception the test raised, or a `Failure`, an
assertion) and the test's path (its suites' names and indexes); then where OUnit's log holds it,
the backtrace (when recorded) and what failed, to a rule of `-`. Named by the path's last name,
grouped by its suites' names, placed at the test's own frame (the last before OUnit's), an
Error of its exception's constructor (`Failure`, `Not_found`) with its argument its message, a
Failure of kind AssertionError with its message.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "OUnit"
SOURCE: Source = "ounit"
RULE = "=" * 78
STARTS = ("Error: ", "Failure: ")
HEADER_RE = re.compile(r"^(?P<what>Error|Failure): (?P<path>\S.*)\.$")
TRIGGERS = (r"^(?:Error|Failure): \S.*\.\s*$",)
VERDICT_RE = re.compile(
    r"^FAILED: Cases: \d+ Tried: \d+ Errors: (?P<errors>\d+) Failures: (?P<failed>\d+) "
    r"Skip: +\d+ Todo: \d+ Timeouts: (?P<timed_out_errors>\d+)\.$"
)
VERDICT_TRIGGER = r"^FAILED: Cases: \d+ Tried: \d+ Errors: "
CLEAN_RE = re.compile(r"^OK: Cases: \d+(?: |$)")  # (a clean run prints no Tried, no Errors)
_END = "-" * 78
_FRAME_RE = re.compile(
    r'^(?:Raised at|Re-raised at|Called from) (?P<where>\S+) in file "(?P<file>[^"]+)", '
    r"line (?P<line>\d+)"
)
_IN_LOG = re.compile(r'^File ".*", line \d+, characters \d+-\d+:$')
RAISED_RE = re.compile(r'^(?P<kind>[A-Z][\w.]*)(?:\("(?P<message>.*)"\)|\((?P<arg>.*)\))?$')
EXPECTATION = "AssertionError"
# alcotest's verdict (OCaml too): it prints the first failure's output alone (all of them under
# --show-errors), its others in files under _build/_tests: its failures are counted, not read
ALCOTEST = "Alcotest"
ALCOTEST_RE = re.compile(r"^(?P<failed>\d+) failures?! in [\d.]+s\. \d+ tests? run\.$")
ALCOTEST_TRIGGER = r"^[1-9]\d* failures?! in [\d.]+s\. \d+ tests? run\."
ALCOTEST_CLEAN_RE = re.compile(r"^Test Successful in [\d.]+s\. \d+ tests? run\.$")


class OunitBlock(RunnerBlock):
    """One failed test's block (a consumer of a text parser's scan), to its closing rule; its
    failure goes to `done` when it ends."""

    def ends_before(self, text: str) -> bool:
        return text in (_END, RULE)

    def close(self) -> Lines:
        header = HEADER_RE.match(self.lines[0][1])
        if header is None:
            return []
        path = header["path"]
        body = [t for _, t in self.lines[1:] if t and not _IN_LOG.match(t)]
        body = [t for t in body if t != f"{header['what']}: {path} (in the log)."]
        frames = [t for t in body if _FRAME_RE.match(t)]
        said = [t for t in body if t not in frames]
        own = [
            m for t in frames if (m := _FRAME_RE.match(t)) and not m["where"].startswith("OUnit")
        ]
        place = f"{own[-1]['file']}:{own[-1]['line']}" if own else ""
        names = [part for part in path.split(":") if not part.isdigit()]
        kind, message = EXPECTATION, "\n".join(said)
        raised = RAISED_RE.match(said[-1]) if header["what"] == "Error" and said else None
        if raised is not None:
            kind = raised["kind"]
            message = raised["message"] or raised["arg"] or ""
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=names[-1] if names else path,
            group=":".join(names[:-1]),
            location=place,
            kind=kind,
            message=message,
            details={"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, self.lines)
        return []
