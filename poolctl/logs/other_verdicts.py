"""The verdicts of other test runners, in a log read as pytest's or ExUnit's.

A CI job often runs two runners into one log: a clean pytest (or `mix test`) run, then a failed
`python -m unittest`, `cargo test`, Jest, RSpec, ctest… run. The log must not pass as clean:
each runner's closing verdict is a run whose failures are counted (exit 1); those read from its
own blocks (`poolctl.logs.other_blocks`) are counted read, and where none are, a note says how
to have them read.

A CI service's own line for a failed job, or a wrapper's (tox, nox, make), is read here too
(`poolctl.logs.job_failed`).
"""

from __future__ import annotations

import dataclasses
import re

from poolctl.logs import (
    bats_pretty,
    bun_block,
    hspec_block,
    job_failed,
    junit5_console,
    no_tests_ran,
    node_tap_report,
    shunit2_block,
    tap_producers,
    tap_verdicts,
    testthat_block,
    uvu_block,
)
from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.verdict_lines import CUT_RE, OUTSIDE_RE, ROBOT, VERDICTS, ZOPE, Verdict

VITEST = "Vitest"

# stestr's Totals, after the output of the failures its verdict counted
STESTR_TOTALS_RE = re.compile(r"^Ran: \d+ tests? in [\d.]+ sec\.$")
STESTR = "stestr"

# unittest's line before its verdict: a run of it, whatever the verdict (`OK` alone says too
# little to be looked for), counted as a run of so many tests
UNITTEST_RAN_RE = re.compile(r"^Ran (?P<tests>\d+) tests? in [\d.]+s$")


GROUP_NAME = re.compile(r"\(\?P<\w+>")


def _any_of(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str]:
    """One regex that matches where any of `patterns` (anchored, no flags) does: their
    alternation, tried in order, with their group names left out (names do not change what
    matches, and two patterns name the same group)."""
    unnamed = (GROUP_NAME.sub("(?:", pattern.pattern) for pattern in patterns)
    return re.compile("|".join(f"(?:{source})" for source in unnamed))


TAP_VERDICT = next(v for v in VERDICTS if v.runner == tap_verdicts.TAP)
RSPEC = "RSpec"
UNITTEST = "unittest"
HSPEC = next(v for v in VERDICTS if v.runner == hspec_block.RUNNER)
SHUNIT2 = next(v for v in VERDICTS if v.runner == shunit2_block.RUNNER)

# Whether a stripped line is any runner's verdict, in one call: nearly every line looked at is
# none (the Logger lines after each ExUnit failure block, ending in `)` or holding ` fail`, were
# matched against every runner's verdict, 28 calls a line)
ANY_VERDICT = _any_of(tuple(verdict.line for verdict in VERDICTS))


def read_verdict(
    out: ParsedLog, file: str, number: int, line: str, *, printed_by_a_test: bool = False
) -> bool:
    """Record `line` as another runner's verdict of a failed run, if it is one (or as a run of
    unittest's, `Ran 2 tests in 0.001s`). `printed_by_a_test`: the line is inside a run's own
    output (a test's under `pytest -s`, a captured section), where a test that printed `3
    failed` made a passing run fail; only a CI service's line for a failed job is read there
    (a run killed mid-way is followed by it)."""
    text = line.strip()
    if not printed_by_a_test and (
        text in ("NO TESTS RAN", "OK") or no_tests_ran.RUNS_UNITTEST in text
    ):
        no_tests_ran.unittest_line(out, file, number, text)  # a run of no test; failfast
    ran = None if printed_by_a_test or not text.startswith("Ran ") else UNITTEST_RAN_RE.match(text)
    if ran is not None:
        tests = int(ran["tests"])
        out.summaries.append(RunSummary(file, number, text, tests, None, start=number, read=0))
        return True
    if job_failed.is_one(text):
        return job_failed.read(out, file, number, text)
    # a TAP run's `# fail N` above: node's, Mocha's or another's, by this line
    last = _last_node_run(out, file) if text[:1] in "1#" and not printed_by_a_test else None
    if runner := tap_producers.after_fail_count(last, number, text):
        _rename(out, runner)
    if text.startswith("Ran: ") and STESTR_TOTALS_RE.match(text):
        return _stestr_output_ends(out, file, number)
    if text.startswith("Test Files ") and not printed_by_a_test:
        return _vitest_suites_end(out, file, number)
    matched = None if printed_by_a_test else _failed_run(text)
    if matched is None:
        return False
    verdict, failed = matched
    if verdict.runner == RSPEC and hspec_block.read_since(out, file):
        verdict = HSPEC  # (its verdict is RSpec's shape)
    if verdict.runner == UNITTEST and shunit2_block.read_since(out, file):
        verdict = SHUNIT2  # (its verdict is unittest's shape)
    if verdict.runner == bats_pretty.RUNNER and not _bats_run(out, file):
        return False
    if verdict.runner == NODE and _joins_node_run(out, file, number, text, failed):
        return True
    if verdict.line is bun_block.ERRORS_RE and _joins_bun_run(out, file, number, text, failed):
        return True
    if verdict.line is bun_block.BAILED_RE:
        out.skipped.append(
            f"{file}:{number}: bun test stopped its run at its failure (--bail): the tests after"
            " it were not run, neither passed nor failed"
        )
    if verdict.runner == VITEST and _joins_vitest_run(out, file, number, text, failed):
        note_unread(out, file, number, text, verdict)
        return True
    if verdict.runner == testthat_block.RUNNER and testthat_block.again(out, file, number, text):
        note_unread(out, file, number, text, verdict)
        return True
    if verdict.runner == junit5_console.RUNNER and junit5_console.joins_containers(
        out, file, number, text, failed
    ):
        note_unread(out, file, number, out.summaries[-1].text, verdict)
        return True
    if (verdict.no_test or verdict.cut) and _joins_line_above(out, file, number, text, verdict):
        return True
    if verdict.line is OUTSIDE_RE and _joins_cut_run(out, file, number, text, failed):
        return True
    if verdict.runner == JEST and text.startswith("Tests:"):
        _jest_tests_counted(out, file, number)
        if _jest_summary_again(out, file, number, text):
            return True
    if verdict.runner == node_tap_report.RUNNER and node_tap_report.again(out, file, number, text):
        return True
    if verdict.runner == tap_verdicts.TAP:
        if not tap_verdicts.failed_test(line, text):
            return False
        if tap_verdicts.joins_run(out, file, number):
            return True
    tap_verdicts.counted_by(out, file, verdict.runner)
    if verdict.runner == ZOPE and text.startswith("Total: "):
        _zope_layers_counted(out, file)
    if verdict.runner == ROBOT:
        _robot_suites_counted(out, file, failed)
    # its start is set once the input is read (`finish`): the runs before it may not be yet
    out.summaries.append(
        RunSummary(file, number, text, None, failed, start=number, read=0, source=verdict.runner)
    )
    if verdict.runner != tap_verdicts.TAP:  # (a TAP run's, once it is known to stay: `finish`)
        note_unread(out, file, number, text, verdict)
    return True


def _bats_run(out: ParsedLog, file: str) -> bool:
    """Whether failures of bats' pretty formatter were read in `file` since its last run
    closed: its closing line, ExUnit's shape, is then bats'."""
    last = max((s.line for s in out.summaries if s.file == file), default=0)
    return any(
        f.source == bats_pretty.SOURCE and f.input_file == file and f.line_start > last
        for f in reversed(out.failures)
    )


def _zope_layers_counted(out: ParsedLog, file: str) -> None:
    """zope.testrunner's `Total:` line counts the layers' runs just before it in `file` (each
    its own `Ran … with` line): theirs are dropped, so no failure is counted twice."""
    while out.summaries and out.summaries[-1].file == file and out.summaries[-1].source == ZOPE:
        out.summaries.pop()


def _robot_suites_counted(out: ParsedLog, file: str, failed: int) -> None:
    """Robot Framework counts each suite's tests after its child suites' counts, which it adds
    up (the top suite's last): the runs of `file` just before this count that count no more
    failures than it are its children's, dropped with their notes, so that no failure is
    counted twice (a later robot run's first suite counting no fewer than the run before's
    top suite is taken for a parent, wrongly)."""
    while out.summaries and out.summaries[-1].file == file:
        child = out.summaries[-1]
        if child.source != ROBOT or (child.failures or 0) > failed:
            break
        out.summaries.pop()
        at = f"{file}:{child.line}: "
        out.skipped[:] = [n for n in out.skipped if not n.startswith(at)]


JEST = "Jest"
JEST_FILES = "Test Suites:"


def _jest_tests_counted(out: ParsedLog, file: str, number: int) -> None:
    """Jest's count of its failed tests, on line `number`, is its run's verdict: its count of
    the test files that failed, on the line above, is dropped with its note (a file that
    failed to run, counted there, is read beyond the tests' count: `verdicts_read`)."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != JEST or last.line != number - 1:
        return
    if not last.text.startswith(JEST_FILES):
        return
    out.summaries.pop()
    at = f"{file}:{last.line}: "
    out.skipped[:] = [n for n in out.skipped if not n.startswith(at)]


def _jest_summary_again(out: ParsedLog, file: str, number: int, text: str) -> bool:
    """Jest 30 under --bail prints its summary as it stops (`Test Suites: 1 failed, 1 of 2
    total`) and again once its workers end: the same `Tests:` count with no failure read since
    is its run's count printed twice, not a second run's."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != JEST or last.text != text:
        return False
    return not any(f.input_file == file and last.line < f.line_start < number for f in out.failures)


def _joins_line_above(out: ParsedLog, file: str, number: int, text: str, verdict: Verdict) -> bool:
    """Jest prints a line for each coverage measure under its threshold, one under the other:
    one failure of the run, whose verdict is their lines joined. Joins `text` to the run on the
    line above, if it is such a line of the same runner's."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != verdict.runner:
        return False
    if number - last.line != 1 or verdict.line.match(last.text.rpartition(" … ")[2]) is None:
        return False
    out.summaries[-1] = dataclasses.replace(last, line=number, text=f"{last.text} … {text}")
    return True


def _joins_cut_run(out: ParsedLog, file: str, number: int, text: str, errors: int) -> bool:
    """Playwright counts the lines its globalTimeout printed (`Timed out waiting 8s for the
    test suite to run`, then its teardown's) among its errors outside the tests (`2 errors were
    not a part of any test`): one run, cut, its failures its one and the errors beyond those
    lines. Joins `text` to the cut run above it, if there is one in `file` since its start."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != "Playwright" or last.failures is None:
        return False
    if CUT_RE.match(last.text.partition(" … ")[0]) is None:
        return False
    printed = last.text.count(" … ") + 1
    out.summaries[-1] = dataclasses.replace(
        last,
        line=number,
        text=f"{last.text} … {text}",
        failures=last.failures + max(0, errors - printed),
    )
    return True


def note_unread(out: ParsedLog, file: str, number: int, text: str, verdict: Verdict) -> None:
    article = "an" if verdict.runner[0] in "AEIO" else "a"
    if verdict.no_test:
        out.skipped.append(
            f"{file}:{number}: {article} {verdict.runner} run failed with no test failed, "
            f"'{text}': one failure of the run; {verdict.advice}"
        )
        return
    if verdict.cut:
        out.skipped.append(
            f"{file}:{number}: {article} {verdict.runner} run was cut short, '{text}': one failure"
            " of the run; the tests it had not run when it stopped neither passed nor failed;"
            f" {verdict.advice}"
        )
        return
    how_many = " (one or more failures, counted as one: it prints no count)"
    out.skipped.append(
        f"{file}:{number}: {article} {verdict.runner} run's verdict, '{text}'"
        f"{how_many if verdict.uncounted else ''}: its own failure blocks are not read; "
        f"{verdict.advice} to triage them"
    )


def _joins_vitest_run(out: ParsedLog, file: str, number: int, text: str, failed: int) -> bool:
    """Vitest heads its failed suites' blocks with `⎯⎯ Failed Suites 2 ⎯⎯` and counts its failed
    tests and its unhandled errors below all the blocks (`Tests  3 failed | …`, then `Errors  1
    error`): one run, whose failures are the three counts added, from the heading's run start
    to the last of them. Joins `text` to the run above it, if it is one of these."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != VITEST or last.failures is None:
        return False
    # a heading's run goes on below it, to the `Test Files` line and the two after it
    ends = last.output_end
    heading = last.text.startswith("⎯") and (ends is None or number - (ends + 1) <= 2)
    errors_after = text.startswith("Errors") and number - last.line == 1
    if not (heading or errors_after):
        return False
    out.summaries[-1] = dataclasses.replace(
        last,
        line=number,
        # (a `Tests` line's run, begun at its own line, has its start set once the input is
        # read, as its line's: `verdicts_read.finish`; kept there, it read none of its blocks
        # above; a heading's run begins at the heading, its blocks below it)
        start=number if not heading and last.start == last.line else last.start,
        text=f"{last.text} … {text}",
        failures=last.failures + failed,
        output_end=None,
    )
    return True


def _joins_bun_run(out: ParsedLog, file: str, number: int, text: str, errors: int) -> bool:
    """bun counts its errors between tests (` 1 error`) on the line below its failed tests (` 2
    fail`): one run, its failures both counts, but for a test file that did not load, which bun
    counts in each (`bun_block.LOAD_ERROR`). Joins `text` to the run above it, if it is its."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != bun_block.RUNNER:
        return False
    if number - last.line != 1 or last.failures is None:
        return False
    before = [s.line for s in out.summaries[:-1] if s.file == file]
    since = before[-1] if before else 0
    unloaded = sum(
        1
        for f in out.failures
        if f.input_file == file
        and since < f.line_start < number
        and bun_block.LOAD_ERROR in f.details
    )
    joined = f"{last.text} … {text}"
    failures = last.failures + errors - unloaded
    # (its start, as its line, is set once the input is read: `verdicts_read.finish`)
    out.summaries[-1] = dataclasses.replace(
        last, line=number, start=number, text=joined, failures=failures
    )
    return True


def _vitest_suites_end(out: ParsedLog, file: str, number: int) -> bool:
    """Vitest's `Test Files  2 failed | 1 passed (3)` after a `Failed Suites` heading no failed
    test nor error joined: the suites' blocks, below the heading, end above it."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != VITEST or last.output_end is not None:
        return False
    if not last.text.startswith("⎯"):
        return False
    out.summaries[-1] = dataclasses.replace(last, output_end=number - 1)
    return True


NODE = "node --test"


def _last_node_run(out: ParsedLog, file: str) -> RunSummary | None:
    """The last run read, if it is `file`'s and named node's."""
    last = out.summaries[-1] if out.summaries else None
    return last if last is not None and last.file == file and last.source == NODE else None


def tap_counts_at_end(out: ParsedLog, file: str, last_line: tuple[int, str] | None) -> None:
    """The input ended: a node run it ended on, `# fail N` with nothing after, is TAP's
    (`tap_producers.at_end`)."""
    if runner := tap_producers.at_end(_last_node_run(out, file), last_line):
        _rename(out, runner)


def _rename(out: ParsedLog, runner: str) -> None:
    """The last run, read as node's, is `runner`'s; so is its note saying its blocks are not
    read (`note_unread`), with that runner's advice (a TAP run's is made once it is read:
    `verdicts_read.finish`)."""
    last = out.summaries[-1]
    out.summaries[-1] = dataclasses.replace(last, source=runner)
    said = f"{last.file}:{last.line}: a {NODE} run's verdict, "
    noted = [note for note in out.skipped if not note.startswith(said)]
    if len(noted) == len(out.skipped):
        return
    out.skipped[:] = noted
    if runner != tap_verdicts.TAP:
        verdict = next(v for v in VERDICTS if v.runner == runner)
        note_unread(out, last.file, last.line, last.text, verdict)


def _joins_node_run(out: ParsedLog, file: str, number: int, text: str, failed: int) -> bool:
    """node counts its cancelled tests apart from its failed ones, on the line after (`ℹ fail
    5`, `ℹ cancelled 4`): one run, whose failures are both counts. Joins `text` to the run on
    the line above, if it is its `fail` count."""
    last = out.summaries[-1] if out.summaries else None
    if " cancelled " not in text or last is None or last.file != file or last.source != NODE:
        return False
    if number - last.line != 1 or last.failures is None:
        return False
    out.summaries[-1] = dataclasses.replace(
        last,
        line=number,
        text=f"{last.text} … {text}",
        failures=last.failures + failed,
        start=number if last.start == last.line else last.start,  # (`finish` sets it)
    )
    return True


def spec_section(out: ParsedLog, file: str, end: int) -> None:
    """A failure of `node --test`'s spec reporter's closing section, of Mocha's failure list,
    uvu's or busted's block, below its counts (`ℹ fail 2`, `2 failing`, `(1 / 3)`, `1 success / 1
    failure / …`), ends on line `end`: the output of the run those count goes on to it."""
    last = out.summaries[-1] if out.summaries else None
    theirs = (NODE, "Mocha", uvu_block.RUNNER, "busted")
    if last is None or last.file != file or last.source not in theirs or last.line > end:
        return
    out.summaries[-1] = dataclasses.replace(last, output_end=end)


def is_verdict(stripped: str) -> bool:
    """Whether `stripped` (a line without its indent) is a verdict `read_verdict` records: a
    run of unittest's, or another runner's failed run (not a CI service's line for a job)."""
    if stripped.startswith("Ran "):
        return UNITTEST_RAN_RE.match(stripped) is not None
    return not stripped.startswith(job_failed.STARTS) and _failed_run(stripped) is not None


_FAILED = ("failed", "errors")  # a verdict's groups that count failures


def _failed_run(text: str) -> tuple[Verdict, int] | None:
    """The runner whose verdict of a failed run `text` is, and the failures it counts."""
    if not ANY_VERDICT.match(text):
        return None
    for verdict in VERDICTS:
        match = verdict.line.match(text)
        if match is not None:
            break
    else:
        return None
    failed = _unittest_failures(match["counts"]) if "counts" in match.re.groupindex else None
    if "total" in match.re.groupindex:  # uvu's suite: how many passed of how many ran
        failed = int(match["total"]) - int(match["passed"])
    if failed is None:  # EUnit's cancelled tests, a go package's failed tests: one or more
        counts = match.groupdict()
        named = "failed" in counts or "errors" in counts  # (a count of none may be left out)
        # (failures and errors, and errors of other kinds: behave's hooks', `hook_errors`)
        counted = [n for name, n in counts.items() if name in _FAILED or name.endswith("_errors")]
        failed = sum(int(n or 0) for n in counted) if named else 1
    if not failed and match.groupdict().get("wstat", "0") != "0":
        failed = 1  # prove's test file that exited with an error, its tests passed until then
    if not failed:  # minitest's verdict of a run that passed
        return None
    return verdict, failed


def _unittest_failures(counts: str) -> int:
    """What fails a unittest run, of `failures=1, errors=2, skipped=3`."""
    pairs = (pair.split("=") for pair in counts.split(", "))
    return sum(
        int(n) for word, n in pairs if word in ("failures", "errors", "unexpected successes")
    )


def _stestr_output_ends(out: ParsedLog, file: str, number: int) -> bool:
    """stestr's Totals (`Ran: 8 tests in 0.0052 sec.`, under a `Totals` heading): the output
    of the failures its verdict counted, printed below the verdict, ends before them."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != STESTR or last.output_end is not None:
        return False
    end = max(last.line, number - 4)  # (above it: `======`, `Totals`, `======`)
    out.summaries[-1] = dataclasses.replace(last, output_end=end)
    return True
