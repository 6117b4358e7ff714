"""Which failures read count for which verdict, once a log is read: a verdict of a runner
poolctl does not parse whole (`poolctl.logs.other_verdicts`) counts as read the failures read
from that runner's own blocks (`poolctl.logs.other_blocks`) between its run's start and its
output's end; a failed CI job none of whose runs failed is one failure, unread."""

from __future__ import annotations

import dataclasses

from poolctl.logs import (
    boost_test_block,
    eunit_block,
    go_json,
    pytest_reportlog,
    shunit2_block,
    tap_verdicts,
    unittest_block,
)
from poolctl.logs.job_failed import WRAPPERS
from poolctl.logs.other_verdicts import NODE, TAP_VERDICT, note_unread
from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.verdict_lines import VERDICTS
from poolctl.model import Failure

PROVE = "prove"  # its verdicts' runner (`VERDICTS`)
JEST = "Jest"
GO = "go test"
GO_JSON = "go test -json"
BEHAVE = "behave"
# runners whose verdict may count fewer failures than their blocks read: the blocks count them
_ONE_OR_MORE = (GO, tap_verdicts.TAP, BEHAVE, boost_test_block.RUNNER, pytest_reportlog.RUNNER)


def finish(out: ParsedLog, file: str, failures_before: int, summaries_before: int) -> None:
    """Once `file` is read (its failures and runs from those indexes on): each verdict's run
    begins after the run closed before it, and a failed CI job none of whose runs failed is one
    failure."""
    _spec_stopped(out, file, summaries_before)
    unittest_block.stopped(out, file, failures_before)
    runners = {v.runner for v in VERDICTS}
    beside = [f for f in out.failures[failures_before:] if _read_beside(f, file)]
    theirs = [f.line_start for f in beside]
    # (a test failed by its subtests, which `node --test` counts too, is read as they are)
    theirs += out.failed_by_subtests.get(file, []) if theirs else []
    for i in range(summaries_before, len(out.summaries)):
        run = out.summaries[i]
        first = run.start  # a TAP run's first `not ok` line
        if run.source == tap_verdicts.TAP and run.file == file:
            # its output begins after the run before (and ends at its last line's `}`, a
            # buffered subtest's: Vitest's TAP)
            end = out.braced_ends.get(file, {}).get(run.line, run.output_end)
            run = dataclasses.replace(run, start=_after_last_run(out, file, first), output_end=end)
        elif run.source in runners and run.start == run.line:
            run = dataclasses.replace(run, start=_after_last_run(out, file, run.line))
        if run.source == PROVE and run.file == file and beside:
            run = dataclasses.replace(run, read=_read_in_script(run, beside))
        elif run.source in runners and run.file == file and theirs:
            # the blocks read between its start and its output's end are its failures
            end = run.line if run.output_end is None else run.output_end
            read = sum(run.start <= n <= end for n in theirs)
            if run.source == NODE:
                read += _failed_by_subtests(out, file, run, read)
                # node counts tests, not describe suites: a suite whose hook failed is listed
                # (and read) beyond its count
                read = min(read, run.failures or 0)
            elif run.source == JEST:
                read = min(read, run.failures or 0)  # (a file that failed to run: not counted)
            elif run.source == shunit2_block.RUNNER:  # (it counts assertions, not tests)
                mine = [f for f in beside if run.start <= f.line_start <= end]
                read = sum(int(f.details.get("counted", "1")) for f in mine)
            elif run.source == GO_JSON:
                # its packages' events interleave: a package's failures are those of its group
                package = go_json.verdict_package(run.text)
                read = sum(f.group == package for f in beside)
                run = dataclasses.replace(run, failures=max(read, run.failures or 0))
            elif run.source == eunit_block.RUNNER:
                read = _eunit_read(out, file, run, beside)
                if run.text == eunit_block.CANCELLED:  # one or more: its blocks say how many
                    run = dataclasses.replace(run, failures=max(read, run.failures or 0))
            elif run.source in _ONE_OR_MORE and read > (run.failures or 0):
                # a package's verdict says one or more of its tests failed: its blocks say which;
                # so does a TAP test's `not ok` of its subtests' (node-tap's, a file's), and
                # Boost.Test's report's heading, pytest-reportlog's exit status; behave's count
                # leaves out a `before_feature` hook's error (its scenarios `untested`)
                run = dataclasses.replace(run, failures=read)
            run = dataclasses.replace(run, read=read)
        out.summaries[i] = run
        if run.source == tap_verdicts.TAP and run.file == file and run.read != run.failures:
            note_unread(out, file, first, run.text, TAP_VERDICT)
        elif run.source in runners and run.file == file and run.read == run.failures:
            _drop_notes(out, file, run)
    _count_job_failure(out, file, failures_before, summaries_before)


def _eunit_read(out: ParsedLog, file: str, run: RunSummary, beside: list[Failure]) -> int:
    """The EUnit blocks an EUnit verdict counts: `Failed: N.` those read in its run that
    failed; `One or more tests were cancelled.`, printed right after it, those of that run
    cancelled past their timeout."""
    verdict = run.text
    if verdict == eunit_block.CANCELLED:
        before = [s for s in out.summaries if s.file == file and s.line == run.line - 1]
        run = before[0] if before else run
    end = run.line if run.output_end is None else run.output_end
    return sum(
        f.details.get("runner") == eunit_block.RUNNER
        and run.start <= f.line_start <= end
        and eunit_block.counted_by(verdict, f)
        for f in beside
    )


def _spec_stopped(out: ParsedLog, file: str, summaries_before: int) -> None:
    """`node --test`'s spec reporter prints each failure inline as its test ends, and its counts
    (`ℹ fail 2`) and closing section once the run ends: failures printed inline after the last
    of `file`'s node runs (or with none) are a run stopped before its end (a CI job's time
    limit, a kill), counted and not read (they are read from the section, which it did not
    print)."""
    runs = [s.line for s in out.summaries[summaries_before:] if s.file == file and s.source == NODE]
    after = max(runs, default=0)
    failed = [n for n, parent in out.spec_inline.get(file, []) if n > after and not parent]
    if not failed:
        return
    text = (
        f"(no counts: node --test's spec reporter printed {len(failed)} failure(s) inline, and no "
        "`ℹ fail` line or closing section after them: the run stopped before its end)"
    )
    out.summaries.append(
        RunSummary(file, failed[-1], text, None, len(failed), start=failed[0], read=0, source=NODE)
    )


def _failed_by_subtests(out: ParsedLog, file: str, run: RunSummary, read: int) -> int:
    """The tests of a `node --test` run under its spec reporter that failed by their subtests
    alone, read as those are: node counts each and leaves it out of its closing section, which
    holds every other failure (its subtests' among them). Inline, such a test is a `✖ NAME
    (TIME)` line with nothing under it, as a failed describe suite is (not counted): of those
    lines, as many as the verdict counts beyond the failures read, once the section's failures
    read are as many as the failures printed inline (a log cut in the section: none)."""
    inline = [parent for n, parent in out.spec_inline.get(file, []) if run.start <= n <= run.line]
    parents = sum(inline)
    if read < len(inline) - parents:
        return 0
    return min(parents, max(0, (run.failures or 0) - read))


def _read_in_script(run: RunSummary, beside: list[Failure]) -> int:
    """The failures read of the script a prove verdict names (`t/b.t (Wstat: …`): all its
    verdicts come at the end, in its Test Summary Report, so not the blocks between it and the
    one before (the first would take every script's): those whose place is in that script
    (Test::More's `at t/b.t line 2.`), and those of no place (a raw TAP `not ok`) read between."""
    script = run.text.partition("(Wstat: ")[0].rstrip()  # (padded to the longest name)
    end = run.line if run.output_end is None else run.output_end
    return sum(
        f.location.rpartition(":")[0] == script if f.location else run.start <= f.line_start <= end
        for f in beside
    )


def _read_beside(failure: Failure, file: str) -> bool:
    """Whether `failure` of `file` is another runner's, read from its own block
    (`poolctl.logs.other_blocks`)."""
    return failure.input_file == file and "runner" in failure.details


def _drop_notes(out: ParsedLog, file: str, run: RunSummary) -> None:
    """A run whose failures were all read: the notes on its verdict lines saying they are not
    go."""
    where = {f"{file}:{n}: " for n in range(run.start, run.line + 1)}
    out.skipped[:] = [
        note
        for note in out.skipped
        if " run's verdict, " not in note or note[: note.find(": ") + 2] not in where
    ]


def _count_job_failure(
    out: ParsedLog, file: str, failures_before: int, summaries_before: int
) -> None:
    """`file`'s CI job failed (its service says so) though none of its runs did: one failure,
    unread, and a note saying where to look."""
    said = [j for j in out.job_failures if j[0] == file]
    if not said:
        return
    if any(f.input_file == file for f in out.failures[failures_before:]):
        return
    if any(s.failures for s in out.summaries[summaries_before:] if s.file == file):
        return
    if out.overflowed:
        return
    _, number, text, service = said[-1]
    start = _after_last_run(out, file, number)  # the failed step's output
    out.summaries.append(
        RunSummary(file, number, text, None, 1, start=start, read=0, source=service)
    )
    what = WRAPPERS.get(service, "job")
    out.skipped.append(
        f"{file}:{number}: the {service} {what} failed ('{text}') but no test run in the log "
        "did: a step that is no test run poolctl reads failed (a linter, a build, another "
        "runner); its output is above that line"
    )


def _after_last_run(out: ParsedLog, file: str, number: int) -> int:
    """The line after the last run `file` closed before line `number`: where the output of the
    run (or step) that ends at `number` begins."""
    runs = [s for s in out.summaries if s.file == file and s.line < number]
    # (unittest's `Ran N tests` is no closed run: its verdict's blocks are before it; a run whose
    # failures are printed below its counts, Mocha's, node's spec reporter's, ends after them)
    ends = (max(s.line, s.output_end or 0) for s in runs if s.failures is not None)
    return 1 + max(ends, default=0)
