"""A pytest run that printed no closing line, ended: stopped before it finished (a kill, a CI
time limit, a crash), or its log cut. Its last lines may say how (a shell's `Killed`), or name
the test it stopped in (`pytest -v`'s start of a test, a file's letters cut before their
`[ NN%]`), and its progress letters count the failures it had (`poolctl.logs.pytest_log`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from poolctl.logs import node_dot, run_end_lines
from poolctl.logs.pytest_lines import (
    CUT_MARKS_RE,
    PRINTED_CUT_RE,
    PROGRESS_RE,
    QUIET_MARKS_RE,
    QUIET_PRINTED_KILLED_RE,
    XDIST_RESULT_RE,
)
from poolctl.logs.pytest_progress import printing_when_ended
from poolctl.logs.records import RunSummary
from poolctl.logs.unfinished import followed, pytest_in_teardown, pytest_running

if TYPE_CHECKING:
    from poolctl.logs.pytest_log import PytestParser


def end_unfinished_run(parser: PytestParser, next_start: int, where: str, last: int) -> None:
    """End a run that printed no closing line. One whose session start was seen was
    stopped before it finished (or its log was cut): the report says so."""
    start, began = parser.run_start, parser.session_started
    if not began:  # no session start: nothing to say of how it ended (a JUnit failure's body)
        parser.end_run(next_start)
        return
    # the lines saying how it ended (a shell's `Killed`), after the runner's last line: at
    # the end of the input, or before the next run's start (a CI script's retry)
    tail = parser.last_lines()
    if next_start:
        tail = [(c.line, c.text) for c in parser.nearby_before(next_start) if c.line >= start]
    end = run_end_lines.ending(tail) if began else None
    final = end.before if end is not None else run_end_lines.runners_last(tail)
    if end is not None and end.before is not None and end.glued:
        parser.progress.feed(*end.before)  # its marks, read without the shell's `Killed`
    # a test's start is the run's last line at the end of the input, or before another
    # run's start when what ended it says so there
    ends_here = not next_start or end is not None
    running = pytest_running(final, parser.name) if ends_here else None
    if running is None and ends_here and final is not None:  # `-s -v`: what it printed after
        printing = printing_when_ended([line for line in tail if line[0] <= final[0]])
        running = pytest_running(printing, parser.name, printed=True)
    if running is None and ends_here:  # `-v`'s result of a test: it ended in its teardown
        running = pytest_in_teardown(final, parser.name)
    if running is not None and end is None and tail and tail[-1][0] != running.line_start:
        running = followed(running)  # its live log after it, say
    if began and parser.ended_in is None and running is not None:  # it ends in a test's start
        parser.ended_in = run_end_lines.ended_in(running, end)
        last = running.line_start
    # a file's letters cut before their `[ NN%]`: the test after the last letter was
    # running, as `-v` would have named it (pytest-xdist prints no file: it cannot tell);
    # a `-q` run's letters, which name no file, cut by its killer: it stopped in a test
    cut = final if began and ends_here and parser.ended_in is None else None
    # (or a file's letters wrapped at the terminal's width, cut on their next line)
    alone = cut is not None and QUIET_MARKS_RE.fullmatch(cut[1].strip())
    quiet = alone and (parser.quiet_start or parser.progress.of_a_file)
    # (or, under `-s` without `-v`, its letters glued to what its tests printed, `F.worker
    # upEhalf a line`, no `[ NN%]` after them: a signal ended it in a test, before its last
    # progress line)
    glued_output = (
        cut is not None
        and end is not None
        and not parser.progress_done
        and not PROGRESS_RE.match(cut[1].strip())
        and "::" not in cut[1]  # `-v`'s line of a test that ended (`t.py::test_a PASSED`)
    )
    in_a_test = cut is not None and bool(
        quiet or CUT_MARKS_RE.match(cut[1]) or PRINTED_CUT_RE.match(cut[1]) or glued_output
    )
    if cut is not None and in_a_test:
        last = max(last, cut[0])  # that line, which no trigger passed to the parser
    # A run its last lines say was ended (a kill, a crash, a job's time limit) stopped in a test
    # or a teardown, though its last line be a test's result; so did one whose last line is
    # pytest-xdist's result of a test (its workers end their tests in any order): neither names
    # that test, which is counted, unread, past the failures read
    unnamed = parser.ended_in is None and not in_a_test
    unnamed = unnamed and (
        end is not None or (cut is not None and bool(XDIST_RESULT_RE.match(cut[1].strip())))
    )
    # the letters count its failures, and the test it ended in has none
    marks = parser.progress.marks
    marked = marks + (parser.ended_in is not None or in_a_test)
    # what ended it in a test, its own dump says (pytest-timeout's thread method, a fatal
    # error): no cut log reads that way (taken before the run's end takes that failure)
    dumped = parser.ended_in[0] if parser.ended_in is not None else None
    ended_by = dumped.details.get("ended by") if dumped is not None else None
    ended_at = dumped.line_start if dumped is not None else 0
    read = parser.end_run(next_start)
    if unnamed:
        marked = max(marked, read) + 1
    parser.session_started = False
    if began:
        text = (
            f"(no closing line: the run that began at line {start} ends {where}, "
            "before pytest printed its result)"
        )
        if ended_by and end is None and not next_start:
            text = f"{text[:-1]}; at line {ended_at} the log says what ended it: {ended_by})"
        elif end is None and not next_start:  # a kill there and a size limit: the same bytes
            text = f"{text[:-1]}; {run_end_lines.MAY_BE_CUT})"
        counted = marked > read  # the runner's own marks count more than were read
        if counted and glued_output and not marks:
            text = (
                f"{text[:-1]}; its progress letters are glued to what its tests printed (-s), "
                "not counted, and stop in a test that printed no result)"
            )
        elif counted and in_a_test:
            text = (
                f"{text[:-1]}; its progress lines mark {marks} failure(s), and stop in a "
                "test that printed no result)"
            )
        elif counted and unnamed:
            marked_too = f"its progress lines mark {marks} failure(s), and " if marks else ""
            text = (
                f"{text[:-1]}; {marked_too}it stopped in a test or a teardown the log does not "
                "name)"
            )
        elif counted:
            text = f"{text[:-1]}; its progress lines mark {marked} failure(s))"
        if end is not None:
            text, last = (
                f"{text[:-1]}; its last lines say how it ended: {end.quoted()})",
                end.line,
            )
        parser.out.summaries.append(
            RunSummary(
                parser.name, last, text, None, max(read, marked), not counted, start, read,
                "progress marks" if counted else "end of input",
            )
        )  # fmt: skip


def killed_quiet(parser: PytestParser, number: int, line: str) -> bool:
    """`pytest -q`'s letters glued to what killed it (`FF.Killed`): the run they are ends on
    this line (`-q` prints no session header: they begin it too, when no run is open), and
    another such line is a run of its own (a retry, `pytest -q … || pytest -q …`)."""
    if node_dot.KILLED_RE.match(line):
        return False  # node's dot reporter's marks (`.X`), the job-status line naming it
    end = run_end_lines.ending([(number, line)])
    glued = end.before if end is not None and end.glued else None
    if glued is None or not (
        QUIET_MARKS_RE.fullmatch(glued[1]) or QUIET_PRINTED_KILLED_RE.match(line)
    ):
        return False
    if parser.exunit_at >= parser.run_start and not parser.session_started:
        return False  # `mix test`'s progress marks (`.Killed`): its run, the kill's
    if parser.quiet_end:  # the run before ended on its own such line
        parser.end_unfinished(number, f"at line {number}, where another starts")
    if not parser.session_started:
        parser.run_start, parser.session_started, parser.quiet_start = number, True, number
    parser.quiet_end = number
    return True
