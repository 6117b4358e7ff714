"""ExUnit console output (Elixir 1.0 to 1.20, and the 0.x format): failure blocks, run summaries,
crash reports.

A failure block is `  N) TYPE NAME (Module)` (TYPE is `test`, `doctest`, `property`, `scenario`,
`feature`…: the test type the test was registered with; before 1.0 the name could be the
function's, `test_the_truth`) or `  N) Module: failure on setup_all callback…`, then lines
indented by five spaces: the test's `file:line` (before 1.0, `at file:line` after the error),
the error (`** (Kind) message`, or an assertion message), `code:`, `left:`, `right:`, the
arguments of a `FunctionClauseError`, and `stacktrace:`. Logger lines, progress dots and `print`
output are interleaved anywhere, even on the header's own line; several pasted runs restart the
numbering at 1; an umbrella prints `==> app` before each app's run; a header wrapped by a
terminal is joined with its continuation lines.
"""

from __future__ import annotations

import re
from typing import ClassVar

from poolctl.logs import (
    bats_pretty,
    exunit_compile,
    exunit_mix,
    exunit_printed,
    exunit_run_end,
    exunit_stopped,
    other_blocks,
    other_verdicts,
    rebar3_eunit,
    rspec_block,
    run_end_lines,
    verdict_lines,
)
from poolctl.logs.exunit_block import (
    CUSTOM_HEADER_RE,
    FAILURE_N_HEADER_RE,
    HEADER_RE,
    HEADER_START_RE,
    ExUnitBlock,
)
from poolctl.logs.exunit_crash import CrashReport
from poolctl.logs.exunit_shards import Shard, Shards, Untold, told
from poolctl.logs.exunit_summary import closing_counts, is_closing_line
from poolctl.logs.passes import EXUNIT_MODULE_RE
from poolctl.logs.records import Lines, LogLine, ParsedLog, RunSummary
from poolctl.logs.scan import (
    PythonTraceback,
    TextParser,
    clip,
)
from poolctl.logs.unfinished import EXUNIT_MODULE_TRIGGER, exunit_running
from poolctl.model import Failure

# pytest's section lines: a pytest run in the same log (`make -k` running both); `pytest -q`
# prints no session header, but its FAILURES or ERRORS section and short summary
PYTEST_SECTIONS = (" test session starts", " FAILURES", " ERRORS", " short test summary info")

# What sends a line outside any block to `outside`: a header (also glued after other text), a
# closing line, a traceback or a crash report. Each starts with a literal or a line start (see
# `candidate_lines`); they are RE2 syntax, searched over bytes.
TRIGGERS = (
    r"\) (?:test|doctest|property|scenario|feature|describe|story)[ _]",
    # a numbered line (a header a terminal cut, or one not understood); an umbrella app's run
    r"^(?: *\d{1,7}\) |==> )",
    r": failure on ",
    r"Failure #",
    r"Traceback \(most recent call last\):",
    # a closing line: `3 tests, 1 failure`, `Result: 1 failed, 2 passed` (see `_closing_line`)
    r"^[ \t]*(?:(?:Result|Failed|Tests):[ \t]*)?\d+ [a-z]",
    r"\[error\] ",
    r"\*\* \(",
    r"^=[A-Z]",  # `=CRASH REPORT====`
    EXUNIT_MODULE_TRIGGER,  # `--trace`: a module's tests follow
    exunit_compile.TRIGGER,  # a file did not compile: no test ran
    exunit_stopped.TRIGGER,  # the VM was told to stop (SIGTERM)
    exunit_mix.AFTER_RUN_TRIGGER,  # Mix failed a run whose tests passed
    exunit_mix.NO_PATH_TRIGGER,  # Mix found no test file at the paths given
    *verdict_lines.TRIGGERS,  # another runner's run failed in the same log (unittest, Jest…)
    *other_blocks.TRIGGERS,  # ... a failure block of its (TAP's, Vitest's), read
    r"^=+ (?:test session starts|FAILURES|ERRORS|short test summary info) =+",  # pytest's
    # an empty run: a `--partitions` shard with no test file, `--stale` with none stale
    r"^(?:There are no tests to run|No stale tests)$",
    r"^--max-failures reached, aborting test suite",  # the tests after it did not run
    # a test ended: a `--trace` line (a line of progress dots is found among the lines kept
    # around the blocks: searched for, the dots of a long run cost a tenth of its triage)
    r"\[L#\d+\]",
    *exunit_printed.TRIGGERS,  # a run's end, or its start: whose a verdict-like line was
)
# the triggers that only start a worker traceback or a crash report
TRACEBACK_TRIGGERS = (
    r"Traceback \(most recent call last\):",
    r"\[error\] ",
    r"\*\* \(",
    r"^=[A-Z]",
)

SEEDED = "Running ExUnit with seed: "
NUMBERED_RE = re.compile(r"^[ \t]*\d{1,7}\) \S")
MAX_WRAPPED = 4  # continuation lines joined to a header a terminal wrapped
# mix test's whole output when it finds no test file (or no test to run), and under `--stale`
# when no test is stale: a run of no test, and it passed
NO_TESTS = ("There are no tests to run", "No stale tests")
CRASH_START_RE = re.compile(r"\[error\] .*(?:terminating|raised an exception|crashed)")


def _ends_run(line: str) -> bool:
    """A line after which the run a held line is in cannot go on: an umbrella app's, Mix's
    error, a compilation error, the VM stopping, pytest starting, an empty run."""
    return (
        line.startswith(("==> ", exunit_mix.PREFIX, "== Compilation error in "))
        or exunit_stopped.SIGTERM_NOTICE in line
        or line.strip() in NO_TESTS
        or (line.startswith("=") and line.rstrip("= ").endswith(" test session starts"))
    )


# the heading of rebar3 eunit's failures (RSpec's and Jasmine's too)
FAILURES_HEADING = "Failures:"


class WrappedHeader:
    """A header start whose `(Module)` a terminal wrapped onto the next lines: joined back."""

    def __init__(self, parser: ExUnitParser, number: int, line: str) -> None:
        self.parser = parser
        self.start = number
        self.lines = [line]

    def feed(self, number: int, line: str) -> bool:
        if not line.strip() or len(self.lines) > MAX_WRAPPED:
            return False
        self.lines.append(line)
        joined = "".join(self.lines)
        match = HEADER_RE.search(joined)
        if match is None or not self.parser.header_ok(joined, match):
            return True
        self.lines = []
        self.parser.start_block(self.start, joined, match)
        return True

    def close(self) -> list[tuple[int, str]]:
        if not self.lines:
            return []
        self.parser.out.suspect(LogLine(self.parser.name, self.start, clip(self.lines[0])))
        return list(enumerate(self.lines[1:], start=self.start + 1))


class ExUnitParser(TextParser):
    """Reads `mix test` console output into `Failure`s, `RunSummary`s and crash reports."""

    source: ClassVar[str] = "exunit"
    triggers: ClassVar[tuple[str, ...]] = TRIGGERS
    traceback_triggers: ClassVar[tuple[str, ...]] = TRACEBACK_TRIGGERS

    def __init__(self, name: str, out: ParsedLog) -> None:
        super().__init__(name, out)
        self.last_counter = 0
        self.app = ""  # the umbrella app whose run this is (`==> app`)
        self.app_line = 0  # where Mix said so
        self.trace_module: tuple[str, str] | None = None  # `--trace`: module and file
        self.compiling: tuple[int, str] | None = None  # `== Compilation error in file …`
        self.closed_at = -1  # the last closing line
        self.finished_at = 0  # the last `Finished in` line
        self.header_at = 0  # the last failure header
        self.held: list[exunit_printed.Held] = []  # verdict-like lines of a run not ended
        self.shards = Shards()  # runs interleaved in the log (partitions run at once)
        self.untold: Untold | None = None  # the last closing line several of them fit alike
        self.restarted_last = 0  # the last counter of the run a numbering restart ended
        self._new_run(1)

    def _new_run(self, start: int) -> None:
        self.run_start = start
        self.run_failures = 0  # failure blocks of tests (not setup_all) in this run
        self.run_read = 0  # ... of them kept
        self.run_last_line = 0
        self.run_stopped = False  # a failure of the run says how it was stopped
        self.run_progress = False  # progress marks came before its first failure block
        self.run_by_mix = False  # Mix stopped it before any test (`** (Mix) …`): a failure of it

    def _progress(self, number: int, line: str) -> None:
        """A line of progress marks (or a `--trace` line) is the end of a test."""
        if line[:1] in ".*? " and exunit_stopped.PROGRESS_RE.match(line.strip()):
            ends = self.out.test_ends.setdefault(self.name, [])
            if ends and ends[-1] > self.header_at:  # only the last before a header is read
                ends[-1] = number  # (`triage.regions`): 2,000,000 `--trace` lines took 76 MB
            else:
                ends.append(number)

    def unmatched(self, number: int, line: str) -> None:
        # The lines after a block that no trigger matched: every check of `outside` but the
        # progress marks' looks for what a trigger finds (no such line is read anywhere else in
        # the log), and they were 22,000 of the 38,000 lines it read in a 200 MB log of 2,450
        # failures. A compile error's header and held verdict-like lines take the line after
        # them whole.
        if self.compiling is not None or self.held:
            self.outside(number, line)
        else:
            self._progress(number, line)

    def outside(self, number: int, line: str) -> None:
        self._progress(number, line)
        if line[:1] == "F" and exunit_printed.is_finished(line):
            self.held.clear()  # a test's output: the run's tests end here
            self.finished_at = number
            return
        if self._theirs(number, line):
            return
        if self.held and (exunit_printed.starts_run(line) or _ends_run(line)):
            self._release()  # they were no test's output: the run has ended
        if line[:1] == "R" and line.startswith(SEEDED):
            self._seeded(number)
            return
        if exunit_stopped.SIGTERM_NOTICE in line:
            self._sigterm(number, line)
            return
        compiling = self.compiling is not None or line.startswith("== Compilation error in ")
        if compiling and self._compile_error(number, line):
            return
        if line.startswith(exunit_mix.PREFIX):  # Mix stopped the run: no test ran
            closed = self.closed_at >= 0 and self.run_start == self.closed_at + 1
            counted = (
                (self.out.summaries[-1].failures or 0) if closed and not self.run_failures else 0
            )
            if not exunit_mix.verdict_on_counted_failures(line, counted):
                self.consumer = exunit_mix.MixError(number, line, self.name, self._mix_stopped)
            return
        if line.startswith(exunit_mix.NO_PATH):  # no test ran: a failure of the run
            self.consumer = exunit_mix.MixError(
                number, line, self.name, self._mix_stopped, "mix test arguments"
            )
            return
        failed_after = exunit_mix.verdict_after_run(line)
        if failed_after:  # Mix failed a run whose tests passed
            self.consumer = exunit_mix.MixError(
                number, line, self.name, self._failed_after_run, failed_after
            )
            return
        if line.endswith(".exs]") and line[:1].isupper():
            module = EXUNIT_MODULE_RE.match(line.strip())
            if module:
                self.trace_module = (module["module"], module["file"])
                return
        if ") " in line:
            match = HEADER_RE.search(line)
            if match is not None:
                if self.header_ok(line, match):
                    self.start_block(number, line, match)
                    return
            elif HEADER_START_RE.match(line):
                self.consumer = WrappedHeader(self, number, line)
                return
            elif custom := CUSTOM_HEADER_RE.match(line):
                self.start_block(number, line, custom)
                return
            elif rebar3 := rebar3_eunit.HEADER_RE.match(line):  # `rebar3 eunit`'s failure
                self.consumer = rebar3_eunit.Rebar3EunitBlock(
                    number, line, rebar3, self.name, self._run_error
                )
                return
            elif NUMBERED_RE.match(line):
                self.out.suspect(LogLine(self.name, number, clip(line.strip())))
        if "Failure #" in line:
            match = FAILURE_N_HEADER_RE.match(line)
            if match:
                self.start_block(number, line, match)
                return
        if "Traceback (most recent call last):" in line:
            if not self.tracebacks_full:
                self.consumer = PythonTraceback(self, number, line)
            return
        stripped = line.strip()
        running = self.finished_at < self.run_start  # the run's tests have not ended
        if running and exunit_printed.verdict_like(line, stripped):  # a test may have printed it
            self.held.append(exunit_printed.Held(number, line, self.run_failures, self.run_read))
            return
        if self._verdict(number, line, stripped, jobs_only=running):
            return
        if line.startswith("==> "):
            self._app(number, line[4:].strip())
            return
        if line.startswith("--max-failures reached"):
            self.out.skipped.append(
                f"{self.name}:{number}: mix test stopped at --max-failures: the tests after it "
                "did not run, and are not triaged"
            )
            return
        if line.startswith("=") and line.rstrip("= ").endswith(PYTEST_SECTIONS):
            self.out.also[self.name] = "pytest"  # read by the pytest parser after this one
            return
        if stripped in NO_TESTS:
            self._closed(RunSummary(self.name, number, stripped, 0, 0, start=number, read=0))
            return
        if self.tracebacks_full:
            return
        if CRASH_START_RE.search(line) or stripped.startswith("** (") or line.startswith("="):
            if line.startswith("=") and "REPORT" not in line:
                return
            self.consumer = CrashReport(
                number, line, self.name, self.app, self.add_traceback, self._run_error
            )

    def _theirs(self, number: int, line: str) -> bool:
        """Another runner's failure block (TAP's, Vitest's: `poolctl.logs.other_blocks`) begins
        on `line`, after mix test's run closed and before any test of a later one (a bats step
        after `mix test`), or before any of mix test's (a Jest or cargo step before it): it is
        read. True when the line is the block's alone (a `not ok` line is a verdict too: it is
        held or read as one still)."""
        ends = self.out.test_ends.get(self.name)
        before_any = self.closed_at < 0 and not self.header_at and not ends
        if not before_any and (self.closed_at < 0 or self.header_at > self.closed_at):
            return False
        if before_any and line.rstrip() == FAILURES_HEADING:
            return False  # rebar3 eunit's, which this parser reads (RSpec's and Jasmine's too)
        # a verdict's line there may be the first test's output (`FAIL\tpkg\t0.002s`): it is
        # held until the run shows whose it is (`exunit_printed`); TAP's `not ok` is judged so
        # after its block is read
        tap = line.lstrip().startswith(("not ok ", "Bail out!"))
        if before_any and not tap and exunit_printed.verdict_like(line, line.strip()):
            return False
        if ends and ends[-1] > self.closed_at:
            return False
        block = other_blocks.block_at(self, number, line) or other_blocks.beside(self, number, line)
        if block is None:
            return False
        self.consumer = block
        return not line.startswith(("not ok ", "Bail out!"))

    def _verdict(self, number: int, line: str, stripped: str, jobs_only: bool = False) -> bool:
        """A closing line, or another runner's verdict: the run it closes is recorded.
        `jobs_only`: the line is no verdict (`verdict_like` said so): only a CI service's line
        for a failed job may be read."""
        # ExUnit's own closing line first: a test type of a library's (`3 examples, 2 failures`)
        # closes as RSpec's run does, unless RSpec's entries were read since the run began; so
        # does bats' pretty formatter's (`7 tests, 5 failures, 1 skipped`)
        ours = not self._after_other_runner(stripped)
        if (
            not jobs_only
            and ours
            and is_closing_line(line, stripped)
            and self._summary(number, stripped)
        ):
            return True
        if other_verdicts.read_verdict(
            self.out, self.name, number, line, printed_by_a_test=jobs_only
        ):
            if not self.run_failures:  # the progress marks before it were that runner's
                self._new_run(number + 1)
            return True
        return False

    def _release(self) -> None:
        """The held lines were no test's output (a run boundary came before `Finished in`):
        each is read where it was, the run as it was there; the failures after the last one
        that closed a run are the next run's."""
        held, self.held = self.held, []
        failures, read, last = self.run_failures, self.run_read, self.run_last_line
        counter, start = self.last_counter, self.run_start
        base = (0, 0)  # the failures (and those read) before the run the line is in
        for line in held:
            self.run_failures, self.run_read = line.failures - base[0], line.read - base[1]
            self._verdict(line.number, line.line, line.line.strip())
            if self.run_start != start:  # it closed the run: the next one starts after it
                base, start = (line.failures, line.read), self.run_start
        self.run_failures, self.run_read = failures - base[0], read - base[1]
        self.run_last_line, self.last_counter = last, counter

    def _compile_error(self, number: int, line: str) -> bool:
        """The header of a compilation error, or the error after it (a failure of the run)."""
        header = exunit_compile.HEADER_RE.match(line)
        if header is not None:
            self.compiling = (number, header["file"])
            return True
        compiling, self.compiling = self.compiling, None
        assert compiling is not None
        before = self.nearby_before(compiling[0])
        failure = exunit_compile.compile_failure(compiling, number, line, self.name, before)
        if failure is None:
            return False
        self._run_error(failure)
        return True

    def _run_error(self, failure: Failure, lines: Lines | None = None) -> None:
        """A failure of the run itself (no test ran): kept, and counted in the run."""
        self.run_read += self.keep(failure, lines)
        self.run_failures += 1
        self.run_last_line = failure.line_end

    def _mix_stopped(self, failure: Failure, lines: Lines | None = None) -> None:
        """Mix stopped the run before any test: its error is a failure of the run."""
        self._run_error(failure, lines)
        self.run_by_mix = True

    def _failed_after_run(self, failure: Failure, lines: Lines | None = None) -> None:
        """Mix failed a run after its closing line: kept, and no run of its own (the run it
        fails was counted by its closing line, its tests passed)."""
        self.keep(failure, lines)

    def _sigterm(self, number: int, line: str) -> None:
        """The VM's `SIGTERM received` notice: the run it stopped is a failure, unless the
        notice follows a closing line with no test run since (the VM stopped after it)."""
        before = [(c.line, c.text) for c in self.nearby_before(number) if c.line >= self.run_start]
        shown = exunit_stopped.began([line, *(text for _, text in before)])
        if self.run_stopped or (self.run_start == self.closed_at + 1 and not shown):
            return
        self.run_stopped = True
        stopped = exunit_stopped.sigterm_failure(
            (number, line), before, self.trace_module, self.app, self.name
        )
        self._run_error(*stopped)

    def _seeded(self, number: int) -> None:
        """`Running ExUnit with seed: …`, a run's first line (since Elixir 1.17; with `--trace`
        before): a run before it with no closing line ended there, as where numbering restarts
        (a CI script's retry after the VM was killed: the kill notice is among the lines before
        it, ahead of the new run's compiler warnings, which push it out of reach of its first
        header)."""
        ran = exunit_stopped.began(
            c.text for c in self.nearby_before(number) if c.line >= self.run_start
        )
        if not (self.run_failures or ran):
            return
        self._ended_before(number)
        self.run_end(number, "a new run starts")
        self.last_counter = 0

    def _app(self, number: int, app: str) -> None:
        """`==> app`: an umbrella app's output follows (its compilation, or its test run)."""
        ran = exunit_stopped.began(
            c.text for c in self.nearby_before(number) if c.line >= self.run_start
        )
        if self.run_failures or ran:  # the run printed no closing line
            self.run_end(number, "the next app's output starts")
        self.app, self.app_line = app, number
        self.last_counter = 0
        self._new_run(number + 1)

    def header_ok(self, line: str, match: re.Match[str]) -> bool:
        before = line[: match.start()]
        if not before.strip():
            return True
        # Glued after other output: the counter must not continue a word or a number.
        return before[-1] in " \t.*?!:;,)]}>\"'"

    def start_block(self, number: int, line: str, match: re.Match[str]) -> None:
        self.header_at = number
        counter = int(match.group("counter"))
        setup = bool(match.groupdict().get("callback"))
        restart = counter < self.last_counter or (
            counter == 1 and self.last_counter == 1 and not setup
        )
        module = match.groupdict().get("module") or ""
        if self.untold is not None and told(self.untold, module, self.out.skipped):
            self.untold = None  # a failure of a run still open told which one closed
        if self.shards.active or self._interleaves(counter):
            restart = False
            self.shards.header(counter, number)
        elif restart and self.run_failures:
            self.restarted_last = self.last_counter
        if restart and self.held:  # a run ended before this header: a held closing line's?
            self._release()  # (then the failures after it are this run's)
        if restart and self.run_failures:
            self._ended_before(number)
            self.run_end(number, "numbering restarts")
        self.last_counter = counter
        block = ExUnitBlock(self, number, match, line)
        before = self.nearby_before(number)
        block.context[:0] = before
        if not self.run_failures:  # the run's first: are its progress marks before it?
            self.run_progress = exunit_stopped.began(
                c.text for c in before if c.line >= self.run_start
            )
        self.consumer = block
        self.recorder.begin(number, line)

    def _interleaves(self, counter: int) -> bool:
        """Whether header `counter` shows two runs interleaved (`exunit_shards`); if so the
        run a numbering restart ended goes on beside the one read since."""
        run = Shard(self.last_counter, self.run_failures, self.run_read, self.run_start)
        if not self.shards.interleaves(self.out.summaries, counter, self.restarted_last, run):
            return False
        self._run_from(self.shards.merged())
        return True

    def _run_from(self, shard: Shard) -> None:
        self.run_start, self.run_failures, self.run_read = shard.start, shard.failures, shard.read
        self.last_counter = shard.last

    def _ended_before(self, number: int) -> None:
        """A run with no closing line, another's first header at line `number`: when the lines
        between say how it ended (a CI script's retry after the VM died), the test it was in,
        or else the run, is a failure of it, as at the end of the input."""
        after = [(c.line, c.text) for c in self.nearby_before(number) if c.line > self.barrier]
        end = run_end_lines.first_ending(after)
        if end is None:
            return
        running = exunit_running(end.before, self.trace_module, self.name)
        ended = run_end_lines.exunit_ended(running, end, True, self.app, self.name)
        if ended is not None:
            self.run_read += self.keep(*ended)
            self.run_failures += 1
            self.run_last_line = ended[0].line_end

    def block_done(self, block: ExUnitBlock) -> None:
        kept = self.keep(block.failure())
        self.barrier = max(self.barrier, block.end)
        self.run_last_line = block.end
        if not block.callback:  # a setup_all failure: its invalidated tests count as invalid
            self.run_failures += 1
            self.run_read += kept
        self.shards.done(kept, counted=not block.callback)

    def _after_other_runner(self, stripped: str) -> bool:
        """Whether `stripped`, `N examples, M failures`, is RSpec's verdict: the failures read
        since mix test's run closed are RSpec's (`poolctl.logs.rspec_block`), none ExUnit's;
        or `N tests, M failures`, bats' (`poolctl.logs.bats_pretty`)."""
        if not stripped[:1].isdigit() or self.run_failures:
            return False
        if " example" in stripped:
            source = rspec_block.SOURCE
        elif " test" in stripped:
            source = bats_pretty.SOURCE
        else:
            return False
        return any(
            f.source == source and f.input_file == self.name and f.line_start > self.closed_at
            for f in reversed(self.out.failures)
        )

    def _summary(self, number: int, stripped: str) -> bool:
        counts = closing_counts(stripped)
        if counts is None:
            return False
        tests, failures = counts
        self.untold = None
        shard, alike = self.shards.close(failures) if self.shards.active else (None, 1)
        start, read = (shard.start, shard.read) if shard else (self.run_start, self.run_read)
        if alike > 1:  # interleaved runs as long: which one this line closes is not told yet
            self.out.skipped.append(
                f"{self.name}:{number}: {alike} interleaved `mix test` runs (partitions run at "
                f"once) count {failures} failure(s) each: the log does not tell which of them "
                f"this closing line closes; each is taken to run from line {start}"
            )
            modules = {
                f.group
                for f in self.out.failures
                if f.input_file == self.name and f.source == "exunit" and f.line_start >= start
            }
            self.untold = Untold(len(self.out.skipped) - 1, frozenset(modules))
        self._closed(
            RunSummary(self.name, number, stripped, tests, failures, start=start, read=read)
        )
        if shard is not None and (left := self.shards.left()) is not None:
            self._run_from(left)  # the runs still open are the one read on
        return True

    def _closed(self, summary: RunSummary) -> None:
        """A run ends with its closing line."""
        self.out.summaries.append(summary)
        self.last_counter = 0
        self.closed_at = summary.line
        self._new_run(summary.line + 1)

    def run_end(
        self, before: int, why: str, end: run_end_lines.Ending | None = None, cut: str = ""
    ) -> None:
        """A run whose closing line is missing ends before line `before` (its last lines
        saying how, `end`; `cut` in a test, as its last line shows: `cut` says how): count its
        blocks, and the test it was in when cut, unread."""
        text, source = exunit_run_end.no_closing_line(
            why, before, self.run_failures, self.run_by_mix, end, cut
        )
        self.out.summaries.append(
            RunSummary(
                self.name,
                self.run_last_line or before - 1,
                text,
                None,
                self.run_failures + bool(cut),
                inferred=not cut,  # its last line counts the test it stopped in
                start=self.run_start,
                read=self.run_read,
                source=source,
            )
        )
        self._new_run(before)

    def finish(self) -> None:
        if self.held:  # the input ended with no `Finished in`: they were runs' verdicts
            self._release()
        exunit_run_end.end_with_input(self)
