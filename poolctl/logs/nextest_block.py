"""cargo-nextest's console output (`cargo nextest run`), read into `Failure`s so that they
classify as any runner's failure does (its verdict, `Summary [   0.055s] 6 tests run: 2
passed, 4 failed, 0 skipped`, counts them: `poolctl.logs.verdict_lines`).

        FAIL [   0.014s] (1/6) pool-client tests::checkout_waits_for_a_worker
      stdout ───

        running 1 test
        test tests::checkout_waits_for_a_worker ... FAILED
        …
      stderr ───

        thread 'tests::checkout_waits_for_a_worker' (21125) panicked at crates/pool-client/…:
        checkout timed out after 400ms (pool pool_a: 0 ready, 1 busy, 3 waiting)

    ────────────
         Summary [   0.055s] 6 tests run: 2 passed, 4 failed, 0 skipped
            FAIL [   0.014s] (1/6) pool-client tests::checkout_waits_for_a_worker

Each test that failed prints its result line (its status, time, place in the run, binary id and
name), then what its test binary printed, indented: libtest's lines and the panic, read as cargo
test's own block is (`poolctl.logs.cargo_block`). Its group is the binary id, which names the
crate (`pool-client`, `pool-client::integration` for an integration test, `pool-client::bin/x`).
After the summary the failed tests' result lines come again: no failures of their own.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from poolctl.logs import cargo_block
from poolctl.logs.records import Lines, ParsedLog
from poolctl.logs.scan import MAX_BLOCK_LINES
from poolctl.model import Failure

RUNNER = "cargo nextest"
# a test's result: `FAIL`, `TIMEOUT`, a signal that ended it (`SIGSEGV`), `ABORT`, `LEAK-FAIL`;
# under `--retries` each try's, `TRY 1 FAIL`, a try before the last counted `(───)`
RESULT_RE = re.compile(
    r"^ +(?:TRY (?P<try>\d+) )?(?P<status>FAIL|TIMEOUT|ABORT|LEAK-FAIL|SIG[A-Z]+) +\[ *[\d.]+s\] "
    r"(?:\((?P<counter>[^)]*)\) )?(?P<binary>\S+) (?P<name>\S+)$"
)
# any test's result line (a passed one's ends the block above it too; `FLAKY 2/2` its summary's)
_ANY_RESULT_RE = re.compile(r"^ +(?:TRY \d+ )?[A-Z][A-Z-]+(?: \d+/\d+)? +\[ *[\d.]+s\] ")
_FLAKY_RE = re.compile(
    r"^ +FLAKY (?P<tries>\d+/\d+) +\[ *[\d.]+s\] (?:\([^)]*\) )?(?P<binary>\S+) (?P<name>\S+)$"
)
# its word after the summary of a run it cancelled (fail-fast, its default; --max-fail N)
NOT_RUN_RE = re.compile(
    r"^warning: (?P<not_run>\d+)/(?P<tests>\d+) tests? (?:was|were) not run due to (?P<why>[^(]+?)"
    r"(?: \(.*\))?$"
)
# a test's start, under --no-capture (its output follows unindented, then its result line)
_START_RE = re.compile(r"^ +START +\[ *\] ")
SUMMARY_RE = re.compile(r"^ +Summary \[ *[\d.]+s\] (?:\d+/)?\d+ tests? run: ")
TRIGGERS = (r"^ +(?:TRY \d+ )?(?:FAIL|TIMEOUT|ABORT|LEAK-FAIL|SIG[A-Z]+) +\[ *[\d.]+s\] ",)
_SECTION_RE = re.compile(r"^  (?:stdout|stderr) ───$")
_KINDS = {"TIMEOUT": "timeout", "ABORT": "abort", "LEAK-FAIL": "leak"}


class Tries(dict[tuple[str, str], list[str]]):
    """Each test's tries before its last (`--retries`), by binary id and name, beside the log's
    reading (`out`), where a test's output printed above its line (`--no-capture`) was read."""

    def __init__(self, out: ParsedLog) -> None:
        super().__init__()
        self.out = out


class NextestBlock:
    """A failed test's result line and what its binary printed under it (a consumer of a text
    parser's scan); its failure goes to `done` when the block ends."""

    def __init__(
        self,
        number: int,
        line: str,
        input_file: str,
        done: Callable[[Failure, Lines], object],
        tries: dict[tuple[str, str], list[str]],
    ) -> None:
        self.lines: Lines = [(number, line.rstrip())]
        self.input_file = input_file
        self.done = done
        self.tries = tries  # the messages of each test's tries before its last, `--retries`

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or _ANY_RESULT_RE.match(text):
            return False
        if _START_RE.match(text):
            return False  # (--no-capture: the next test's start)
        if text and not text.startswith("    ") and not _SECTION_RE.match(text):
            return False  # (the rule above the summary, cargo's lines, another runner's)
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        while len(self.lines) > 1 and not self.lines[-1][1].strip():
            self.lines.pop()
        found = RESULT_RE.match(self.lines[0][1])
        if found is None:
            return []
        body = [t[4:] for _, t in self.lines[1:] if not _SECTION_RE.match(t)]
        run = cargo_block.CargoRun(target=found["binary"])
        failure = cargo_block.panic_failure(found["name"], body, self.input_file, self.lines, run)
        details = {**failure.details, "runner": RUNNER}
        status = found["status"]
        kind = _KINDS.get(status, status if status.startswith("SIG") else failure.kind)
        message = failure.message or f"nextest's result: {status}"
        earlier = self.tries.setdefault((found["binary"], found["name"]), [])
        if found["try"] and not (found["counter"] or "").strip()[:1].isdigit():
            earlier.append(message)  # a try before the last: the test's result is the last's
            return []
        if earlier:
            details["earlier tries"] = "\n".join(earlier)
            details["note"] = f"nextest ran it {found['try']} times (--retries): each failed"
            del self.tries[(found["binary"], found["name"])]
        failure = dataclasses.replace(failure, kind=kind, message=message, details=details)
        printed = None
        if isinstance(self.tries, Tries) and not any(_SECTION_RE.match(t) for _, t in self.lines):
            printed = _printed_above(self.tries.out, self.input_file, self.lines[0][0], found)
        if printed is not None:  # (--no-capture: its output, above its line, read as cargo's)
            failure = dataclasses.replace(printed, details={**printed.details, "runner": RUNNER})
        self.done(failure, self.lines)
        return []


def _printed_above(out: ParsedLog, file: str, line: int, found: re.Match[str]) -> Failure | None:
    """Under `--no-capture` a test's output comes unindented between its `START` line and its
    result line, read as cargo test's (its panic, libtest's `test result: FAILED.`): that
    failure, grouped by the binary id, taken from the failures read (and libtest's verdict
    from the runs), if one of the test's name, of no cargo target, was read since the last
    nextest failure."""
    for i in range(len(out.failures) - 1, -1, -1):
        read = out.failures[i]
        if read.input_file != file or read.details.get("runner") != cargo_block.RUNNER:
            if read.input_file == file and read.details.get("runner") == RUNNER:
                return None  # (an earlier test's)
            continue
        if read.name != found["name"] or read.line_start > line or read.group:
            continue  # (cargo test's own run names its target, `Running …`: no nextest output)
        del out.failures[i]
        between = range(read.line_start, line)
        theirs = [
            s
            for s in out.summaries
            if s.file == file and s.source == cargo_block.RUNNER and s.line in between
        ]
        out.summaries[:] = [s for s in out.summaries if s not in theirs]
        notes = {f"{file}:{s.line}: " for s in theirs}
        out.skipped[:] = [n for n in out.skipped if n[: n.find(": ") + 2] not in notes]
        return dataclasses.replace(read, group=found["binary"])
    return None


class RepeatedResults:
    """The summary's own list of the failed tests' result lines, after its count: read
    already, each above its output; a test that failed and then passed when tried again is
    listed `FLAKY 2/2`: no failure, said in a note. A run nextest cancelled (fail-fast, its
    default, or --max-fail) says below them how many tests it did not run: said in a note, as
    they are neither passes nor failures. Under `--failure-output final` (or
    `immediate-final`) a failed test's output comes here, under its line again: read as its
    block, in place of the one read with none above (`_in_place`)."""

    def __init__(self, out: ParsedLog, input_file: str, keep: Callable[[Failure, Lines], object]):
        self.out = out
        self.input_file = input_file
        self.keep = keep
        self.block: NextestBlock | None = None  # a failed test's line again, and its output

    def feed(self, number: int, line: str) -> bool:
        if self.block is not None and self.block.feed(number, line):
            return True
        self._block_ends()
        if RESULT_RE.match(line.rstrip()):
            self.block = NextestBlock(
                number, line, self.input_file, self._in_place, Tries(self.out)
            )
            return True
        return self._listed(number, line)

    def _block_ends(self) -> None:
        """The failed test's line read again ends: its output, if any came under it, is read."""
        block, self.block = self.block, None
        if block is not None and any(_SECTION_RE.match(t) for _, t in block.lines[1:]):
            block.close()

    def _in_place(self, failure: Failure, lines: Lines) -> None:
        """The test's failure, read from its output after the summary: in place of the one read
        from its line above with no output (`--failure-output final`), else kept; the run's
        output goes on to it."""
        runs = [
            i
            for i, run in enumerate(self.out.summaries)
            if run.file == self.input_file and run.source == RUNNER
        ]
        if runs:
            run = self.out.summaries[runs[-1]]
            self.out.summaries[runs[-1]] = dataclasses.replace(run, output_end=lines[-1][0])
        for i, read in enumerate(self.out.failures):
            if (
                read.input_file == self.input_file
                and (read.group, read.name) == (failure.group, failure.name)
                and read.details.get("runner") == RUNNER
                and read.line_end == read.line_start  # (its line alone)
            ):
                self.out.failures[i] = failure
                return
        self.keep(failure, lines)

    def _listed(self, number: int, line: str) -> bool:
        flaky = _FLAKY_RE.match(line.rstrip())
        if flaky is not None:
            self.out.skipped.append(
                f"{self.input_file}:{number}: cargo nextest's test {flaky['binary']} "
                f"{flaky['name']} failed and then passed when tried again (try {flaky['tries']}):"
                " flaky, no failure"
            )
        cancelled = NOT_RUN_RE.match(line.rstrip())
        if cancelled is not None:
            self.out.skipped.append(
                f"{self.input_file}:{number}: cargo nextest stopped its run early (due to "
                f"{cancelled['why']}): {cancelled['not_run']} of its {cancelled['tests']} tests "
                "were not run, neither passed nor failed; --no-fail-fast runs them all"
            )
        return _ANY_RESULT_RE.match(line.rstrip()) is not None

    def close(self) -> Lines:
        self._block_ends()
        return []
