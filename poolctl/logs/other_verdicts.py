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
from dataclasses import dataclass

from poolctl.logs import (
    bats_pretty,
    catch2_block,
    ctest_block,
    deno_block,
    gotestsum_block,
    gtest_block,
    job_failed,
    no_tests_ran,
    node_tap_report,
    robot_block,
    tap_producers,
    tap_verdicts,
    uvu_block,
    ward_block,
)
from poolctl.logs.records import ParsedLog, RunSummary


@dataclass(frozen=True)
class Verdict:
    """A runner's closing line of a failed run: `failed` is what it counts as failures."""

    runner: str
    line: re.Pattern[str]  # matched on the stripped line; group `failed` (or unittest's counts)
    advice: str  # how to have its failures read
    uncounted: bool = False  # it says a run failed, not how many of its tests: counted as one


_JUNIT = "have it write JUnit XML"
ZOPE = "zope.testrunner"
ROBOT = robot_block.RUNNER
VERDICTS = (
    Verdict(
        "unittest",  # `unittest.TestResult.wasSuccessful`: failures, errors, unexpected successes
        re.compile(r"^FAILED \((?P<counts>[a-z ]+=\d+(?:, [a-z ]+=\d+)*)\)$"),
        f"run the tests under pytest (it runs unittest tests) or {_JUNIT} (unittest-xml-reporting)",
    ),
    Verdict(
        "cargo test",
        re.compile(r"^test result: FAILED\. \d+ passed; (?P<failed>\d+) failed;"),
        f"{_JUNIT} (cargo-nextest's JUnit output, or cargo2junit)",
    ),
    Verdict(
        "node --test",  # the TAP reporter (when stdout is no terminal) and the spec reporter
        re.compile(r"^(?:#|ℹ) fail (?P<failed>[1-9]\d*)$"),
        f"{_JUNIT} (--test-reporter=junit --test-reporter-destination=FILE)",
    ),
    Verdict(
        "node --test",  # ... its tests cancelled (a timeout, a subtest its parent did not await),
        # counted apart, on the line after `fail`; the run fails with them
        re.compile(r"^(?:#|ℹ) cancelled (?P<failed>[1-9]\d*)$"),
        f"{_JUNIT} (--test-reporter=junit --test-reporter-destination=FILE)",
    ),
    Verdict(
        "Jest",
        re.compile(r"^Tests: +(?P<failed>[1-9]\d*) failed, .*\d+ total$"),
        f"{_JUNIT} (the jest-junit reporter)",
    ),
    Verdict(
        "Mocha", re.compile(r"^(?P<failed>[1-9]\d*) failing$"), f"{_JUNIT} (mocha-junit-reporter)"
    ),
    Verdict(
        "EUnit",  # `eunit:test(M)`'s text report
        re.compile(r"^Failed: (?P<failed>[1-9]\d*)\. +Skipped: \d+\. +Passed: \d+\.$"),
        f'{_JUNIT} (eunit:test(M, [{{report, {{eunit_surefire, [{{dir, "."}}]}}}}]))',
    ),
    Verdict(
        "EUnit",  # tests cancelled (a timeout, a setup that failed): counted apart, one or more
        re.compile(r"^One or more tests were cancelled\.$"),
        f"{_JUNIT} (eunit_surefire)",
        uncounted=True,
    ),
    Verdict(
        "common_test",  # ct_run's console
        re.compile(
            r"^Testing \S+: TEST COMPLETE, \d+ ok, (?P<failed>[1-9]\d*) failed\b.*"
            r" of \d+ test cases?$"
        ),
        f"{_JUNIT} (ct_run -ct_hooks cth_surefire)",
    ),
    Verdict(
        "rebar3 ct",  # rebar3's common_test run: `Failed 3 tests. Skipped 1 (1, 0) tests. …`
        re.compile(
            r"^Failed (?P<failed>[1-9]\d*) tests\. (?:Skipped \d+ \(\d+, \d+\) tests\. )?"
            r"Passed \d+ tests\.$"
        ),
        f"{_JUNIT} ({{ct_opts, [{{ct_hooks, [cth_surefire]}}]}} in rebar.config)",
    ),
    Verdict(
        "go test",  # a package's line: go test prints no count of its failed tests (one or more)
        # (a package that did not build: `FAIL\texample.com/pool [build failed]`, a space)
        re.compile(r"^FAIL\t\S+(?:\t[\d.]+s|[\t ]\[build failed\]|[\t ]\[setup failed\])$"),
        f"{_JUNIT} (go-junit-report, or gotestsum --junitfile FILE)",
        uncounted=True,
    ),
    Verdict(
        "go test -json",  # a package's event (no `Test` key); its tests' own events are not runs
        re.compile(
            r'^\{"Time":"[^"]*","Action":"fail","Package":"[^"]*"'
            r'(?:,"Elapsed":[\d.]+)?(?:,"FailedBuild":"[^"]*")?\}$'
        ),
        f"{_JUNIT} (go-junit-report -parser gojson, or gotestsum --junitfile FILE)",
        uncounted=True,
    ),
    Verdict(
        gotestsum_block.RUNNER,  # its count of a `go test` run: a parent failed by its subtests
        # counted too, each attempt under --rerun-fails (`poolctl.logs.gotestsum_block`)
        gotestsum_block.VERDICT_RE,
        f"{_JUNIT} (gotestsum --junitfile FILE)",
    ),
    Verdict(
        "prove",  # its Test Summary Report: a line for each test file that failed; one that
        # exited with an error, none of its tests failed (it died, or bailed out), counts one
        re.compile(r"^\S.* \(Wstat: (?P<wstat>\d+).* Tests: \d+ Failed: (?P<failed>\d+)\)$"),
        f"{_JUNIT} (prove --formatter TAP::Formatter::JUnit)",
    ),
    Verdict(
        "RSpec",
        re.compile(
            r"^\d+ examples?, (?P<failed>\d+) failures?(?:, \d+ pending)?"
            r"(?:, (?P<errors>\d+) errors? occurred outside of examples)?$"
        ),
        f"{_JUNIT} (the rspec_junit_formatter gem)",
    ),
    Verdict(
        "minitest",  # its own reporter's `runs`, minitest-reporters' `tests`
        re.compile(
            r"^\d+ (?:runs|tests), \d+ assertions, (?P<failed>\d+) failures, "
            r"(?P<errors>\d+) errors, \d+ skips$"
        ),
        f"{_JUNIT} (minitest-reporters' JUnitReporter)",
    ),
    Verdict(
        ctest_block.VERDICT_RUNNER,
        re.compile(r"^\d+% tests passed, (?P<failed>[1-9]\d*) tests? failed out of \d+$"),
        f"{_JUNIT} (ctest --output-junit FILE)",
    ),
    Verdict(
        "Maven Surefire",  # its Results' total (a test class's own line goes on: `Time elapsed`)
        re.compile(
            r"^\[ERROR\] Tests run: \d+, Failures: (?P<failed>\d+), Errors: (?P<errors>\d+), "
            r"Skipped: \d+(?:, Flakes: \d+)?$"
        ),
        "read the JUnit XML it writes (target/surefire-reports/TEST-*.xml)",
    ),
    Verdict(
        "PHPUnit",  # after `FAILURES!` or `ERRORS!`; a count of none is not printed
        re.compile(
            r"^Tests: \d+, Assertions: \d+(?:, Errors: (?P<errors>\d+))?"
            r"(?:, Failures: (?P<failed>\d+))?(?:, [A-Z][a-z]+: \d+)*\.$"
        ),
        f"{_JUNIT} (phpunit --log-junit FILE)",
    ),
    Verdict(
        "stestr",  # subunit-trace's line before the failures' output (its Totals come after)
        re.compile(r"^Failed (?P<failed>[1-9]\d*) tests - output below:$"),
        f"{_JUNIT} (stestr last --subunit | subunit2junitxml)",
    ),
    Verdict(
        ROBOT,  # each suite's count, a parent's after its children's (`_robot_suites_counted`)
        re.compile(r"^\d+ tests?, \d+ passed, (?P<failed>\d+) failed(?:, \d+ skipped)?$"),
        f"{_JUNIT} (robot --xunit FILE)",
    ),
    Verdict(
        "behave",  # its scenarios' count (1.2.6 prints no errors; 1.3 a hook's and a cleanup's)
        re.compile(
            r"^\d+ scenarios? passed, (?P<failed>\d+) failed(?:, (?P<errors>\d+) errors?)?"
            r"(?:, (?P<hook_errors>\d+) hook_error)?(?:, (?P<cleanup_errors>\d+) cleanup_error)?"
            r", \d+ skipped"
        ),
        f"{_JUNIT} (behave --junit)",
    ),
    Verdict(deno_block.RUNNER, deno_block.VERDICT_RE, f"{_JUNIT} (deno test --reporter=junit)"),
    Verdict(
        deno_block.RUNNER,  # its type check failed before any test ran
        deno_block.TYPE_CHECK_RE,
        "read the type errors above this line (no test ran)",
        uncounted=True,
    ),
    Verdict(
        "Karma",
        re.compile(r"^TOTAL: (?P<failed>[1-9]\d*) FAILED, \d+ SUCCESS$"),
        f"{_JUNIT} (karma-junit-reporter)",
    ),
    Verdict(
        "Jasmine",
        re.compile(r"^\d+ specs?, (?P<failed>[1-9]\d*) failures?(?:, \d+ pending specs?)?$"),
        f"{_JUNIT} (jasmine-reporters' JUnitXmlReporter)",
    ),
    Verdict(
        "AVA",
        re.compile(r"^(?P<failed>[1-9]\d*) tests? failed$"),
        f"{_JUNIT} (ava --tap, through tap-junit)",
    ),
    Verdict(
        "Playwright",  # its list reporter's summary: `5 failed`, then the tests, `1 flaky`, …
        re.compile(r"^(?P<failed>[1-9]\d*) failed$"),
        f"{_JUNIT} (--reporter=junit, or its junit reporter in playwright.config)",
    ),
    Verdict(
        "automake",  # `make check`'s Testsuite summary: a line for each count that fails it
        re.compile(r"^# (?:FAIL|XPASS|ERROR): +(?P<failed>[1-9]\d*)$"),
        f"{_JUNIT} (automake's TAP driver, through tap-junit)",
    ),
    Verdict(
        gtest_block.VERDICT_RUNNER,  # ` 6 FAILED TESTS`, ` 2 FAILED TEST(S)`
        re.compile(r"^(?P<failed>[1-9]\d*) FAILED TEST(?:S|\(S\))?$"),
        f"{_JUNIT} (--gtest_output=xml:FILE; cmocka: CMOCKA_MESSAGE_OUTPUT=XML)",
    ),
    Verdict(catch2_block.RUNNER, catch2_block.VERDICT_RE, f"{_JUNIT} (--reporter junit)"),
    Verdict(  # ExUnit's shape: bats' only where its failures were read (`_bats_run`)
        bats_pretty.RUNNER, bats_pretty.VERDICT_RE, f"{_JUNIT} (--formatter junit)"
    ),
    Verdict(
        "Criterion",  # its failing and crashing tests
        re.compile(
            r"^\[====\] Synthesis: Tested: \d+ \| Passing: \d+ \| Failing: (?P<failed>\d+) \| "
            r"Crashing: (?P<errors>\d+)$"
        ),
        f"{_JUNIT} (--xml=FILE)",
    ),
    Verdict(
        "CUnit",  # its Run Summary's row of tests: Total, Ran, Passed, Failed, Inactive
        re.compile(r"^tests +\d+ +\d+ +\d+ +(?P<failed>[1-9]\d*) +\d+$"),
        f"{_JUNIT} (run it under ctest --output-junit FILE)",
    ),
    Verdict(
        "Check",
        re.compile(r"^\d+%: Checks: \d+, Failures: (?P<failed>\d+), Errors: (?P<errors>\d+)$"),
        f"{_JUNIT} (srunner_set_xml, or CK_XML_LOG_FILE_NAME)",
    ),
    Verdict(
        ZOPE,  # each layer's count (`  Ran …`), and the run's when it ran several
        # layers, or none (its modules did not import): `Total: …`, which counts them all
        re.compile(
            r"^(?:Ran \d+ tests with|Total: \d+ tests,) (?P<failed>\d+) failures, "
            r"(?P<errors>\d+) errors and \d+ skipped in "
        ),
        f"read its `Failure in test` blocks above this line, or {_JUNIT} (zope.testrunner's --xml)",
    ),
    Verdict(
        ward_block.RUNNER,  # its Results box's line of failures
        ward_block.VERDICT_RE,
        "read its blocks above this line (ward writes no JUnit XML)",
    ),
    Verdict(
        uvu_block.RUNNER,  # a suite's line: a mark for each test, `(passed / ran)`
        uvu_block.SUITE_RE,
        "read its FAIL blocks below this line (uvu writes no JUnit XML)",
    ),
    Verdict(
        node_tap_report.RUNNER,  # its count of failed assertions, under its reporter or TAP
        node_tap_report.VERDICT_RE,
        f"{_JUNIT} (tap --reporter=junit --reporter-file=FILE)",
    ),
    Verdict(
        "bun test",  # ` 1 pass`, then ` 2 fail`
        re.compile(r"^(?P<failed>[1-9]\d*) fail$"),
        f"{_JUNIT} (--reporter=junit --reporter-outfile=FILE)",
    ),
    Verdict(
        "Vitest",
        re.compile(r"^Tests +(?P<failed>[1-9]\d*) failed(?: \| .*)?(?: \(\d+\))?$"),
        f"{_JUNIT} (--reporter=junit --outputFile=FILE)",
    ),
    Verdict(
        "Vitest",  # the heading of test files that failed to load, describes whose beforeAll
        # threw: none of their tests counts as failed on its `Tests` line (they were skipped)
        re.compile(r"^⎯+ Failed Suites (?P<failed>[1-9]\d*) ⎯+$"),
        f"{_JUNIT} (--reporter=junit --outputFile=FILE: each such suite is a failure there)",
    ),
    Verdict(
        tap_verdicts.TAP,  # a test's `not ok` line, where no count follows (tap_verdicts)
        tap_verdicts.LINE_RE,
        f"{_JUNIT} (bats --report-formatter junit; another TAP producer's through tap-junit)",
    ),
    Verdict(
        "Vitest",  # its unhandled errors (a rejection after a test ended) fail a run by
        # themselves; its JUnit report leaves them out
        re.compile(r"^Errors +(?P<failed>[1-9]\d*) errors?$"),
        "read its `Unhandled Errors` section above this line (Vitest's JUnit report leaves"
        " them out)",
    ),
)
# What sends such a line to a parser's `outside` (RE2 syntax, searched over bytes; `^` starts a
# line), and a cheap test of a stripped line before the regexes run
TRIGGERS = (
    r"^Ran \d+ tests? in [\d.]+s",
    r"^FAILED \((?:failures|errors|unexpected successes)=",
    r"^test result: FAILED\.",
    r"^(?:#|ℹ) (?:fail|cancelled) [1-9]",  # node --test (its cancelled tests counted apart)
    r"^Tests: +\d+ failed",
    r"^ +\d+ failing\s*$",
    r"^ *Tests +\d+ failed",
    r"^⎯+ Failed Suites [1-9]",  # Vitest
    r"^ *Test Files +[1-9]\d* failed",  # ... where its failed suites' blocks end
    r"^ *Errors +[1-9]\d* errors?\s*$",  # Vitest
    r"^ *Failed: [1-9]\d*\. +Skipped: ",  # EUnit
    r"^ *One or more tests were cancelled\.",
    r": TEST COMPLETE, \d+ ok, [1-9]",  # common_test
    r"^Failed [1-9]\d* tests\. ",  # rebar3 ct
    r"^FAIL\t\S+[\t ]",  # go test
    r'^\{"Time":"[^"]*","Action":"fail","Package":"[^"]*"(?:,"Elapsed"|,"FailedBuild"|\})',
    gotestsum_block.VERDICT_TRIGGER,
    r"\(Wstat: \d+",  # prove
    r"^\d+ examples?, (?:[1-9]|0 failures, \d+ errors? occurred)",  # RSpec
    r"^\d+ (?:runs|tests), \d+ assertions, ",  # minitest
    r"^\d+% tests passed, [1-9]",  # ctest
    r"^\[ERROR\] Tests run: \d+, Failures: \d+, Errors: \d+, Skipped: \d+(?:, Flakes: \d+)?\s*$",
    r"^Tests: \d+, Assertions: \d+, ",  # PHPUnit
    r"^Failed [1-9]\d* tests - output below:",  # stestr
    r"^Ran: \d+ tests? in [\d.]+ sec\.",  # ... its Totals: the output of its failures ends
    r"^TOTAL: [1-9]\d* FAILED, ",  # Karma
    deno_block.VERDICT_TRIGGER,
    r"^error: Type checking failed\.",  # Deno
    r"^\d+ tests?, \d+ passed, [1-9]\d* failed",  # Robot Framework
    r"^\d+ scenarios? passed, \d+ failed, ",  # behave
    r"^\d+ specs?, [1-9]\d* failures?",  # Jasmine
    r"^ *[1-9]\d* tests? failed\s*$",  # AVA
    r"^ *[1-9]\d* failed\s*$",  # Playwright
    r"^ *[1-9]\d* fail\s*$",  # bun test
    uvu_block.SUITE_TRIGGER,  # uvu
    node_tap_report.VERDICT_TRIGGER,  # node-tap
    ward_block.VERDICT_TRIGGER,  # ward
    r"^ *Ran \d+ tests with \d+ failures, \d+ errors and ",  # zope.testrunner's layer
    r"^Total: \d+ tests, \d+ failures, \d+ errors and ",  # ... its run of several
    r"^# (?:FAIL|XPASS|ERROR): +[1-9]",  # automake
    r"^ *[1-9]\d* FAILED TEST",  # GoogleTest, cmocka
    r"^\[====\] Synthesis: ",  # Criterion
    catch2_block.VERDICT_TRIGGER,
    bats_pretty.VERDICT_TRIGGER,
    r"^ *tests +\d+ +\d+ +\d+ +[1-9]",  # CUnit
    r"^\d+%: Checks: \d+, Failures: ",  # Check
    *job_failed.TRIGGERS,  # a CI service's line for a failed job, a wrapper's
    tap_verdicts.TRIGGER,
)
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
    if verdict.runner == bats_pretty.RUNNER and not _bats_run(out, file):
        return False
    if verdict.runner == NODE and _joins_node_run(out, file, number, text, failed):
        return True
    if verdict.runner == VITEST and _joins_vitest_run(out, file, number, text, failed):
        note_unread(out, file, number, text, verdict)
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


def note_unread(out: ParsedLog, file: str, number: int, text: str, verdict: Verdict) -> None:
    article = "an" if verdict.runner[0] in "AEIO" else "a"
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
        text=f"{last.text} … {text}",
        failures=last.failures + failed,
        output_end=None,
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
    """A failure of `node --test`'s spec reporter's closing section, of Mocha's failure list, or
    uvu's block, below its counts (`ℹ fail 2`, `2 failing`, `(1 / 3)`), ends on line `end`: the
    output of the run those count goes on to it."""
    last = out.summaries[-1] if out.summaries else None
    theirs = (NODE, "Mocha", uvu_block.RUNNER)
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
