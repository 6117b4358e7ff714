"""pytest console output: a run's sections, its failure blocks, short summary and closing line.

Failure blocks (`____ name ____` in the FAILURES or ERRORS section) are read by
`poolctl.logs.pytest_block`. With `--tb=line` each failure is `E` lines and one
`file.py:12: message` line; with `--tb=no` only the short summary names the failures (`FAILED
path::test - message`, maybe cut); a run that printed no summary is read from its progress lines
(`poolctl.logs.pytest_progress`). Several runs in one input (tox or nox environments, pasted
runs) are read one by one: each closing line ends a run, whose blocks and summary lines are
matched within that run only (`poolctl.logs.pytest_run_failures`). What tests print (`-rA`'s
PASSES section, `-s`, a pytester session) is their text: a summary or closing line there is no
failure, nor the run's end.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from poolctl.logs import (
    no_tests_ran,
    other_blocks,
    other_verdicts,
    pytest_doctest_line,
    pytest_fatal,
    pytest_instafail,
    pytest_pretty,
    pytest_progress,
    pytest_run_errors,
    pytest_run_failures,
    pytest_stopped,
    pytest_unfinished,
    reruns,
    scan,
    side_by_side,
)
from poolctl.logs.pytest_block import (
    CAPTURED_RE,
    FRAME_RE,
    HEADER_RE,
    SEPARATOR_RE,
    SUGAR_HEADER_RE,
    PytestBlock,
    inner_end,
    inner_section,
)
from poolctl.logs.pytest_line_mode import LineCaptured, LineModeMessage
from poolctl.logs.pytest_lines import (
    BLOCK_SECTIONS,
    ERROR_SECTIONS,
    EXUNIT_CLOSING_RE,
    EXUNIT_HEADER_RE,
    GLUED_SESSION_RE,
    LAST_FAILED_RE,
    LAST_PROGRESS_RE,
    NODE_DOWN_RE,
    PROGRESS_RE,
    QUIET_MARKS_RE,
    QUIET_PROGRESS_RE,
    SUMMARY_LINE_RE,
    TRIGGERS,
    marks_before_unraisable,
)
from poolctl.logs.pytest_summary import (
    SECTION_RE,
    Summary,
    closing_counts,
    pytests_closing,
)
from poolctl.logs.pytest_timeout import BANNER_RE, TimeoutDump
from poolctl.logs.records import Lines, LogLine, ParsedLog, RunSummary
from poolctl.logs.scan import MAX_FIELD, TextParser, clip, overflow_failure
from poolctl.logs.unfinished import pytest_running
from poolctl.model import Failure


class PytestParser(TextParser):
    """Reads pytest console output into `Failure`s and a `RunSummary` per closing line."""

    source: ClassVar[str] = "pytest"
    triggers: ClassVar[tuple[str, ...]] = TRIGGERS
    traceback_triggers: ClassVar[tuple[str, ...]] = (r"Traceback \(most recent call last\):",)

    def __init__(self, name: str, out: ParsedLog) -> None:
        super().__init__(name, out)
        self.section = ""
        self.run_start = 1
        self.failures: list[Failure] = []  # this run's blocks
        self.summary_lines: list[Summary] = []  # line, outcome, nodeid, message
        self.summary_text: dict[int, str] = {}  # each summary line as printed, by number
        self.pretty = pytest_pretty.PrettyNames()  # the lines that name failures for it
        # `--tb=line` locations among the progress lines (pytest-instafail's, pytest-sugar's)
        self.inline_lines: Lines = []
        self.sugar_session = False  # pytest-sugar's session start, whose progress opens no section
        # a doctest's report under `--tb=line`, read up to its location line: where it began,
        # what it said, its lines (`pytest_doctest_line`)
        self.doctest_report: tuple[int, str, Lines] | None = None
        self.doctests = pytest_doctest_line.DoctestTests()  # which of them are of one test
        # --tb=line entries: first line, location line, `E` texts, location, the lines
        self.line_mode: list[tuple[int, int, list[str], str, Lines]] = []
        self.e_pending: list[tuple[int, str]] = []
        self.e_chained_at = 0  # where in e_pending a chained exception's last part begins
        # blocks of this run past the cap: their names (their summary lines are theirs) and
        # whether they were read (classified and counted)
        self.overflowed: list[tuple[str, bool]] = []
        # A test's captured output may print anything pytest prints. While it lasts (from a
        # `---- Captured … ----` line to the next line only pytest prints: a block header, a
        # section), summary and `E` lines are its text, a session it printed is skipped
        # whole (`nested`), and a closing line ends the run only once a line of the next run,
        # or the end, shows it was pytest's own (`pending_close`).
        self.in_capture = False
        self.line_capture = False  # the same, outside any block (--tb=line)
        # --tb=line: the captured sections between a failure's `E` lines and its location
        # line, kept as a block's are (its details), by that location line's number
        self.line_captured: dict[str, list[str]] = {}
        self.line_captured_at: dict[int, dict[str, str]] = {}
        self.reruns = reruns.PytestReruns()
        self.progress = pytest_progress.Progress()
        self.run_errors = pytest_run_errors.RunErrors(name)
        self.nested = 0
        self.pending_close: tuple[int, str, dict[str, int]] | None = None
        self.progress_done = False  # this run printed its last test's progress line
        self.session_started = False  # this run's `test session starts` line was seen
        self.beside = side_by_side.SideBySide()  # other runs writing to the log as it goes
        self.rootdir = ""
        self.width = 0  # of the run's section lines: its block headers are as wide
        self.failed_progress_at = 0  # the last progress line that shows a failure
        self.failed_marks = ""  # ... when it is letters alone (`pytest -q`'s, xdist's)
        self.failed_mark = ""  # ... its last test's outcome: `E`, `F` (`ERROR`, `FAILED`)
        # the test the run ended in, with its lines: pytest-timeout's dump named it, or the
        # input's last line is its start
        self.ended_in: tuple[Failure, Lines] | None = None
        self.dump_after = ""  # before a dump on its first line: progress marks, or a node id
        # a `pytest -q` run begun (no header) and ended by its letters glued to what killed it
        self.quiet_start = self.quiet_end = 0
        self.exunit_at = 0  # the last line of `mix test`'s output seen (another parser's)

    def outside(self, number: int, line: str) -> None:
        first = line[:1]
        if self.progress.doubtful:  # an outcome alone before: pytest's, or a test's text
            before = [(c.line, c.text) for c in self.nearby_before(number)]
            self.progress.check_doubtful(before, number, line)
        if self.nested:  # a session printed by a test (--tb=line, -rA, -s: no block holds it)
            if self.beside.run_beside(number, line, self.rootdir):
                self.nested = 0  # a run of this project beside this one (`make -j`): read it
                return
            self.nested += inner_end(line)
            return
        # (letters glued to what killed the run: never a space after the first, as in an
        # assertion's `E   assert …`, which every failure block holds)
        glued = first in ".sxXFE,u" and line[1:2] != " "
        if glued and not self.in_capture and pytest_unfinished.killed_quiet(self, number, line):
            return
        if glued and not self.in_capture and (letters := marks_before_unraisable(line)):
            if not self.section:  # a `-q` run's first letters begin it
                self._quiet_run_begins(number)
            self._progress(number, letters)
            return
        if self.pending_close is not None and self.in_capture and QUIET_PROGRESS_RE.match(line):
            # a closing line after a test's captured output, then a `pytest -q` run's first
            # progress line (it prints no header): that closing line was pytest's own
            self._commit_close()
            self._progress(number, line)
            return
        if self.session_started and first != "=" and GLUED_SESSION_RE.search(line):
            # another tox environment's run, read as this run's lines; or printed by a test
            # under `-s`, after its progress mark
            self.nested = 0 if self.beside.glued(number) else 1
            return
        if not self.in_capture and self.beside.feed(line):
            return
        self.beside.feed_header(line)
        marking = self.section == "test session starts" and not self.in_capture
        if marking and "]" in line[-3:] and LAST_PROGRESS_RE.search(line):
            self.progress_done = True
        if first == "r" and line.startswith("rootdir: "):
            self.rootdir = side_by_side.rootdir_of(line)
            return
        if first == "r" and not self.in_capture and (rerun := LAST_FAILED_RE.match(line)):
            self.out.skipped.append(
                f"{self.name}:{number}: pytest --lf reran only the {rerun[1]} test(s) that "
                "failed last time: the others did not run, and are not triaged"
            )
            return
        if "RERUN" in line and not self.in_capture and self._rerun(number, line):
            return
        errors = self.run_errors
        maybe = (first in "EIp!F" or errors.open) and not self.in_capture
        if first == "I" and errors.open != "internal" and line.startswith("INTERNALERROR> "):
            # under `-v`, the test pytest had started when it broke (pytest-timeout firing
            # while a traceback was drawn): the line before, a test's start with no outcome
            before = [(c.line, c.text) for c in self.nearby_before(number)[-1:]]
            errors.running = pytest_running(before[0], self.name) if before else None
        if maybe and errors.feed(number, line, in_session=self.session_started):
            return
        stops = first in ("!", "=") and not self.in_capture
        if stops and (note := pytest_stopped.stopped_note(self.name, number, line)):
            self.out.skipped.append(note)
            if first == "!":
                return
        if "+ Timeout +" in line and (banner := BANNER_RE.search(line)):
            self.dump_after = line[: banner.start()]
            self.consumer = TimeoutDump(self, number, line)
            self._progress(number, self.dump_after)  # a progress line it cut
            return
        if "Fatal Python error: " in line:
            self.dump_after = line[: line.find("Fatal Python error: ")]
            self.consumer = pytest_fatal.FatalError(self, number, line)
            self._progress(number, self.dump_after)
            return
        if "Timeout (" in line and (timeout := pytest_fatal.TIMEOUT_RE.search(line)):
            self.dump_after = line[: timeout.start()]
            self.consumer = pytest_fatal.FatalError(self, number, line)
            self._progress(number, self.dump_after)  # a progress line it cut
            return
        if first in ".sxXFE" and (bare := self.beside.section(line)) is not line:
            line, first = bare, "="
        if first == "=":
            section = SECTION_RE.match(line)
            if section:
                title = section.group("title")
                if self._printed_session(title):
                    self.nested = 1  # a `-q` session a test printed: it ends at its closing line
                    return
                self.width = len(line.rstrip())
                if title == "test session starts":
                    if self.line_capture and self.pending_close is None:
                        self.nested = 1  # a test's captured output, outside any block
                        return
                    self._commit_close()
                    if self.beside.session_started(number, self.session_started) and (
                        self.session_started
                    ):
                        return  # another tox environment's or make target's run: this one goes on
                    # a new run: the previous one printed no closing line
                    self.end_unfinished(number, f"at line {number}, where another starts")
                    self.session_started = True
                    self.beside.opened()
                if not self._closing(number, line, title):
                    self.pending_close = None  # the run goes on: that closing line was text
                    self.section = title
                    self.in_capture = self.line_capture = False
                if self.pending_close is None:  # else a test's text: its `E` lines still wait
                    self.e_pending = []
                return
        if first == "_" and self.in_capture and self.narrow(line):
            return  # a `____ name ____` line a test printed, no block's header
        if first == "_" and self.section in ERROR_SECTIONS:
            header = HEADER_RE.match(line)
            if header and not SEPARATOR_RE.match(line):
                self.pending_close = None
                self.in_capture = self.line_capture = False
                self.e_pending = []
                block = PytestBlock(self, number, header.group("title"), self.section)
                self.consumer = block
                self.recorder.begin(number, line)
                return
        if first == "_" and pytest_instafail.inline_block(self, number, line):
            return
        if first == "\u2015" and not self.in_capture and (sugar := SUGAR_HEADER_RE.match(line)):
            pytest_instafail.start_block(self, number, line, sugar.group("title"))
            return
        if first == "_" and self.section == "PASSES" and HEADER_RE.match(line):
            self.pending_close = None  # the run goes on: a closing line before was text
            self.in_capture = self.line_capture = False  # a passing test's block: no failure
            return
        if first == "-" and self.section in BLOCK_SECTIONS and (capture := CAPTURED_RE.match(line)):
            self.in_capture = self.line_capture = True  # --tb=line: before its location line
            if self.section in ERROR_SECTIONS:  # its lines are its failure's, read whole
                self.consumer = LineCaptured(
                    self.line_captured.setdefault(capture["what"].lower(), [])
                )
            return
        if self.in_capture and first and first in "FE":
            return  # a summary or `E` line the test printed
        # a summary line in the progress section is a test's output (`-s`)
        in_progress = self.section == "test session starts"
        by_a_test = in_progress or self.in_capture  # another runner's verdict there too
        if other_verdicts.read_verdict(
            self.out, self.name, number, line, printed_by_a_test=by_a_test
        ):
            self.consumer = other_blocks.block_at(self, number, line)  # its failure's text
            return
        if not by_a_test and (theirs := other_blocks.beside(self, number, line)):
            self.consumer = theirs  # another runner's failure its verdict comes after
            return
        said = first in "FES" and line.startswith(("FAILED ", "ERROR ", "SUBFAILED"))
        if said and not in_progress and not self.in_capture:
            summary = SUMMARY_LINE_RE.match(line.rstrip())
            if summary:
                self.pending_close = None  # the run goes on: that closing line was text
                outcome, nodeid = summary["outcome"] or "FAILED", summary["nodeid"]
                if summary["sub"]:  # a subtest: named as its block's header names it
                    nodeid = f"{nodeid} {summary['sub'].strip()}"
                self.summary_lines.append((number, outcome, nodeid, summary["message"] or ""))
                self.summary_text[number] = line
                return
        if self.section in ERROR_SECTIONS:
            if first == "[" and self.pretty.xpassed(number, line):
                return
            if first.isdigit() and pytest_doctest_line.EXAMPLE_RE.match(line):
                self.consumer = pytest_doctest_line.DoctestLineReport(self, number, line)
                return
            if line.startswith("E ") or line == "E":
                self.pending_close = None
                self.line_captured = {}  # a failure's `E` lines come before its captures
                self.e_pending.append((number, line))
                self.e_chained_at = 0
                self.consumer = LineModeMessage(self)  # --tb=line: its lines, to the location
                return
            frame = FRAME_RE.match(line)
            if frame and frame.group("rest"):  # --tb=line: `path.py:12: message`
                if self.pending_close is not None and not self.line_capture:
                    # after a block's captured output and a closing line: no --tb=line run
                    # prints blocks, so the run ended and this is what followed it (a plugin's
                    # `plugin.py:207: PytestDeprecationWarning: …` as a `pytest -q` run starts)
                    self._commit_close()
                    return
                self.in_capture = self.line_capture = False
                self.pending_close = None
                start = self.e_pending[0][0] if self.e_pending else number
                # behind `E   ` or 4 spaces; of a chained exception, its last part's (as under -v)
                chained = self.e_chained_at if self.e_chained_at < len(self.e_pending) else 0
                lines = [text[1:] for _, text in self.e_pending[chained:]]
                printed = [*self.e_pending, (number, line)]
                report = None
                if self.doctest_report is not None:  # a doctest's: no `E` line, its report
                    (start, message, report), self.doctest_report = self.doctest_report, None
                    lines, printed = [message], [*report, (number, line)]
                self.line_mode.append((start, number, lines, line.strip(), printed))
                self.e_pending = []
                if self.line_captured:
                    self.line_captured_at[number] = {
                        what: clip("\n".join(text).strip("\n"), MAX_FIELD)
                        for what, text in self.line_captured.items()
                    }
                    self.line_captured = {}
                if report is not None:  # its test's last report, or one more follows
                    self.consumer = self.doctests.located(len(self.line_mode) - 1, report, line)
                return
        if "Traceback (most recent call last):" in line:
            if not self.tracebacks_full:
                self.consumer = pytest_run_errors.CrashTraceback(
                    self, number, line, self.run_errors
                )
            return
        # mix test's closing line, or its failure's header (killed, it printed no closing line)
        mix = first == " " and not self.section and EXUNIT_HEADER_RE.match(line)
        if mix or (first.isdigit() and EXUNIT_CLOSING_RE.match(line)):
            self.out.also[self.name] = "exunit"
            self.exunit_at = number  # marks glued to a kill after it are mix test's, no run here
            return
        if first == "R" and (results := pytest_pretty.RESULTS_RE.match(line)):
            self.consumer = pytest_pretty.PrettyResults(self, number, line, results["time"])
            return
        counts = first.isdigit() and (
            self.session_started
            or pytests_closing(line.strip(), partial(self.nearby_before, number))
        )
        closing = counts or line.startswith(("no tests ran", "no tests collected"))
        if closing and self._closing(number, line, line.strip()):
            return
        inline = first == "[" and line.startswith("[XPASS(strict)] ")
        if first == "T" and line.startswith("Test session starts (platform: "):
            self.sugar_session = True
            return
        sugar_progress = self.sugar_session and not self.section
        among = in_progress or sugar_progress or pytest_instafail.after_quiet_marks(self, number)
        among = among and not self.in_capture
        if among and (inline or FRAME_RE.match(line)):  # --tb=line's location, as it failed
            self.quiet_run_begins_at_marks()
            self.inline_lines.append((number, line.strip()))  # named at the run's end
            return
        if not self.section and not self.in_capture and first in ".sxXFE,u ":
            self.pretty.quiet_failed(number, line)  # `-q`: read as progress too, below
        erred = self.failed_progress_at == number - 1 and self.failed_mark == "E"
        if in_progress and not self.in_capture and self.pretty.failed(number, line, erred):
            # its quote, should it name a failure read nowhere else
            self.summary_text[number] = line
            return
        if (
            (in_progress or not self.section)
            and not self.in_capture
            and self._live_log(number, line)
        ):
            return
        if in_progress and first == "[" and NODE_DOWN_RE.match(line):
            self.progress.node_down(line)  # (its test's line follows, under `-v`)
            return
        progress = PROGRESS_RE.match(line)
        marks = progress["marks"] if progress else None
        if progress and (marks is None or marks.strip(".sxX,")):  # an F, E or u among them
            # where failures are, should their blocks be missing
            self.out.suspect(LogLine(self.name, number, clip(line.strip())))
            self._progress(number, line)
            self.failed_progress_at = number
            self.failed_marks = line if QUIET_MARKS_RE.fullmatch(line.strip()) else ""
            self.failed_mark = marks.rstrip()[-1:] if marks else "E" if " ERROR " in line else "F"

    def _live_log(self, number: int, line: str) -> bool:
        """A test's start or its outcome alone on a line, as live logging prints them around the
        test's live log (`pytest_progress`); False when `line` is neither."""
        if not self.section:  # `-q` prints no session header: a test's start begins the run
            if ".py::" not in pytest_progress.test_start(line):
                return False
            self._quiet_run_begins(number)
        if self.progress.started(number, line):
            return True
        if self.progress.start is None and line[:1] in "FE":  # (what a test printed under -s)
            self.progress.start_before(line, [(c.line, c.text) for c in self.nearby_before(number)])
        if not self.progress.alone(number, line) and not self.progress.glued(
            number, line, lambda: [(c.line, c.text) for c in self.nearby_before(number)]
        ):
            return False
        self.out.suspect(LogLine(self.name, number, clip(line.strip())))
        self.failed_progress_at, self.failed_marks = number, ""
        self.failed_mark = "E" if self.progress.named[-1][1] == "ERROR" else "F"
        return True

    def quiet_run_begins_at_marks(self) -> None:
        """A `-q` run's first letters with a failure begin it, when no section is open."""
        if not self.section and self.failed_marks:
            self._quiet_run_begins(self.failed_progress_at)
            self.progress.feed(self.failed_progress_at, self.failed_marks)

    def narrow(self, line: str) -> bool:
        """Whether a `____ name ____` line is narrower than the run's section lines: pytest
        draws its block headers as wide as they are (or wider, for a long name)."""
        return bool(self.width) and len(line.rstrip()) < self.width

    def _printed_session(self, title: str) -> bool:
        """Whether a FAILURES or ERRORS section line begins a session a test printed with
        `-q` (no `test session starts` line): in captured output, a section the run is past.
        (Under `-s` such a session is not told from the run's own: pytest prints its own
        FAILURES right after the progress line under `-q` and under xdist without `-v`.)"""
        return self.in_capture and inner_section(title, self.section)

    def _progress(self, number: int, line: str) -> None:
        """A progress line (or what a dump ending the run left of one: `t.py .F`)."""
        if not self.section and QUIET_PROGRESS_RE.match(line):
            # `pytest -q` (`-qq`) prints no session header: its progress line begins the run
            self._quiet_run_begins(number)
        if self.section == "test session starts" and not self.in_capture:
            self.progress.feed(number, line)

    def _quiet_run_begins(self, number: int) -> None:
        """A `pytest -q` run's first letters, on line `number`, begin it (no session header)."""
        self.end_unfinished(number, f"at line {number}, where another starts")
        self.session_started = True
        self.section = "test session starts"
        self.quiet_start = number  # letters of no file: cut by a kill, a test ran

    def closing(self, number: int, line: str, body: str) -> bool:
        """`_closing`, for a closing line another plugin printed in its own way."""
        return self._closing(number, line, body)

    def _closing(self, number: int, line: str, body: str) -> bool:
        """Record pytest's closing line (`== 3 failed, 5 passed in 1.2s ==`) and end the run
        it closes; False if `body` is not one. Printed in a test's captured output, it may be
        the test's own text: the run ends there only if no line of the run follows it."""
        counts = closing_counts(body)
        if counts is None:
            return False
        # after the progress line of the run's last test, no test prints: pytest's own (a
        # second run's lines may follow it with nothing between: `pytest -q` prints no header)
        in_progress = self.section == "test session starts" and bool(counts)
        if self.in_capture or (in_progress and not self.progress_done):
            # maybe a test's text (`-s`): known by what follows
            self.pending_close = (number, line, counts)
            return True
        self._close_run(number, line, counts)
        return True

    def _close_run(self, number: int, line: str, counts: dict[str, int]) -> None:
        self.pending_close = None
        self.ended_in = None  # the runner went on after the dump, and counted that test itself
        if not counts:  # `no tests ran`: a usage error of pytest's may follow
            self.run_errors.empty_run_closed = number
        self.beside.closed()
        self.session_started = False
        failures = counts.get("failed", 0) + counts.get("errors", 0)
        tests = sum(
            counts.get(w, 0)
            for w in ("failed", "passed", "errors", "skipped", "xfailed", "xpassed")
        )
        unnamed = self.reruns.unnamed(counts, f"{self.name}:{number}")
        if unnamed is not None:
            self.out.skipped.append(unnamed)
        start = self.run_start
        read = self.end_run(number + 1)
        self.out.summaries.append(
            RunSummary(self.name, number, line.strip(), tests, failures, start=start, read=read)
        )
        self.section = ""
        self.in_capture = self.line_capture = False

    def block_done(self, failure: Failure) -> None:
        self.barrier = max(self.barrier, failure.line_end)
        if len(self.out.failures) + len(self.failures) < scan.MAX_FAILURES:
            self.recorder.done(failure)
            self.failures.append(failure)
            return
        # past the cap: classified and counted now (a long run is never held whole); the
        # summary line naming it is its own, not a failure of its own (nor are the lines after
        # it taken: see `TextParser.keep`)
        self.recorder.done(failure, after=False)
        self.overflowed.append((failure.name, overflow_failure(self.out, failure, self.recorder)))

    def finish(self) -> None:
        other_blocks.finish(self)  # another runner's run killed before its verdict
        self._commit_close()
        self.end_unfinished(0, "with the input")
        self.beside.finish(self.out, self.name, self._line_number)
        self.reruns.finish(self.out, self.name)
        no_tests_ran.pytest_ran_none(self.out, self.name, self.recorder)

    def _rerun(self, number: int, line: str) -> bool:
        """A `RERUN` line, given with the line before it (a PASSED or RERUN of the same test
        tells how many tries the lines are)."""
        named = self.progress.rerun_named(line)  # alone after a try's live log
        if named:
            return self.reruns.feed(named)  # (the line before it is the try's log's)
        before = self.nearby_before(number)
        return self.reruns.feed(line, before[-1].text if before else "")

    def ended_in_test(self, failure: Failure, lines: Lines) -> None:
        """pytest-timeout, or a crash of the interpreter, ended the run in `failure`'s test: a
        failure of the run, unless the run goes on to a closing line that counts it."""
        self.ended_in = (failure, lines)

    def end_unfinished(self, next_start: int, where: str) -> None:
        """End a run that printed no closing line (`pytest_unfinished.end_unfinished_run`)."""
        pytest_unfinished.end_unfinished_run(self, next_start, where, self._line_number)

    def _commit_close(self) -> None:
        """A closing line seen in captured output was pytest's own after all."""
        if self.pending_close is not None:
            self._close_run(*self.pending_close)

    def end_run(self, next_start: int) -> int:
        """Match this run's blocks with its summary lines, keep its failures, and start the
        next run at line `next_start`; returns how many failures were kept."""
        kept = pytest_run_failures.keep_run_failures(self, next_start)
        self.failures, self.summary_lines, self.line_mode = self.beside.carried(), [], []
        self.doctests = pytest_doctest_line.DoctestTests()
        self.summary_text, self.overflowed, self.inline_lines = {}, [], []
        self.sugar_session = False
        self.pretty = pytest_pretty.PrettyNames()
        self.e_pending = []
        self.progress = pytest_progress.Progress()
        self.progress_done = False
        self.quiet_start = self.quiet_end = 0
        self.run_start = next_start
        return kept
