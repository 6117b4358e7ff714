"""The closing lines of other test runners' failed runs (`VERDICTS`), what each counts and how
to have its failures read, and the searches that send such a line to a parser (`TRIGGERS`):
the table `poolctl.logs.other_verdicts` reads a log's verdicts with."""

from __future__ import annotations

import re
from dataclasses import dataclass

from poolctl.logs import (
    bats_pretty,
    boost_test_block,
    bun_block,
    busted_block,
    cargo_build,
    cargo_lines,
    catch2_block,
    catch2_compact,
    clojure_block,
    cram_block,
    ctest_block,
    cucumber_js_block,
    deno_block,
    doctest_cpp_block,
    gotestsum_block,
    gradle_block,
    gtest_block,
    hspec_block,
    job_failed,
    junit5_console,
    mocha_json,
    node_tap_report,
    ounit_block,
    pytest_reportlog,
    robot_block,
    shunit2_block,
    tap_verdicts,
    tasty_block,
    tcltest_block,
    testng_block,
    testthat_block,
    testunit_block,
    uvu_block,
    ward_block,
    yath_block,
    zig_block,
)


@dataclass(frozen=True)
class Verdict:
    """A runner's closing line of a failed run: `failed` is what it counts as failures."""

    runner: str
    line: re.Pattern[str]  # matched on the stripped line; group `failed` (or unittest's counts)
    advice: str  # how to have its failures read
    uncounted: bool = False  # it says a run failed, not how many of its tests: counted as one
    no_test: bool = False  # it fails the run with no test failed (a coverage threshold)
    cut: bool = False  # it stopped the run before its tests all ran (a time limit of its own)


_JUNIT = "have it write JUnit XML"
# Playwright's globalTimeout: the suite's line, then its teardown's, each an error of the run
CUT_RE = re.compile(r"^Timed out waiting [\d.]+m?s for the (?:teardown for )?test suite to run$")
# ... and its count of such errors, which counts those lines
OUTSIDE_RE = re.compile(r"^(?P<failed>[1-9]\d*) errors? (?:was|were) not a part of any test, ")
ZOPE = "zope.testrunner"
ROBOT = robot_block.RUNNER
VERDICTS = (
    Verdict(
        "unittest",  # `unittest.TestResult.wasSuccessful`: failures, errors, unexpected successes
        re.compile(r"^FAILED \((?P<counts>[a-z ]+=\d+(?:, [a-z ]+=\d+)*)\)$"),
        f"run the tests under pytest (it runs unittest tests) or {_JUNIT} (unittest-xml-reporting)",
    ),
    Verdict(  # (unittest's shape: its failures read above it say whose: `other_verdicts`)
        shunit2_block.RUNNER,
        re.compile(r"^FAILED \((?P<counts>[a-z ]+=\d+(?:, [a-z ]+=\d+)*)\)$"),
        "read its `ASSERT:` lines under each test's name above this line",
    ),
    Verdict(
        "cargo test",
        re.compile(r"^test result: FAILED\. \d+ passed; (?P<failed>\d+) failed;"),
        f"{_JUNIT} (cargo-nextest's JUnit output, or cargo2junit)",
    ),
    Verdict(  # (its tests did not compile: none of them ran)
        "cargo test",
        cargo_build.COULD_NOT_RE,
        "read rustc's errors above this line: the tests did not compile, none ran",
        uncounted=True,
    ),
    Verdict(  # libtest's JSON event of its suite's end (`--format json`)
        "cargo test",
        cargo_lines.JSON_VERDICT_RE,
        f"{_JUNIT} (cargo-nextest's JUnit output, or cargo2junit)",
    ),
    Verdict(
        "cargo nextest",  # its summary; the tests it timed out count among its failures
        re.compile(
            r"^Summary \[ *[\d.]+s\] (?:\d+/)?\d+ tests? run: \d+ passed(?: \([^)]*\))?, "
            r"(?:\d+ flaky, )?(?P<failed>\d+) failed(?:, (?P<timed_out_errors>\d+) timed out)?"
        ),
        f"{_JUNIT} (a nextest profile's junit.path)",
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
        "Jest",  # its test files that failed, the line above its tests' count: the run's verdict
        # where no test failed (a file that failed to run: `Tests:  0 total`); else the count
        # of its tests replaces it (`other_verdicts._jest_tests_counted`)
        re.compile(r"^Test Suites: +(?P<failed>[1-9]\d*) failed, .*\d+ total$"),
        f"{_JUNIT} (the jest-junit reporter)",
    ),
    Verdict(
        "Jest",  # its coverage under coverageThreshold: the run fails (exit 1), no test failed;
        # a line for each measure and threshold missed, consecutive lines one failure
        re.compile(
            r"^Jest: (?:Coverage for \w+ \([\d.]+%\) does not meet \".*\" threshold \([\d.]+%\)"
            r"|Uncovered count for \w+ \(\d+\) exceeds .* threshold \(\d+\)"
            r"|Coverage data for .* was not found\.)$"
        ),
        "raise the coverage of the files its table above names, or lower coverageThreshold",
        uncounted=True,
        no_test=True,
    ),
    Verdict(
        "Mocha", re.compile(r"^(?P<failed>[1-9]\d*) failing$"), f"{_JUNIT} (mocha-junit-reporter)"
    ),
    Verdict(  # pytest-reportlog's session's end: tests failed, not how many
        pytest_reportlog.RUNNER,
        pytest_reportlog.VERDICT_RE,
        f"{_JUNIT} (--junitxml=FILE)",
        uncounted=True,
    ),
    Verdict(  # its json-stream reporter's `end` event
        "Mocha", mocha_json.STREAM_VERDICT_RE, f"{_JUNIT} (mocha-junit-reporter)"
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
    Verdict(  # RSpec's shape, taken for hspec's after hspec's failures (`read_verdict`)
        hspec_block.RUNNER,
        re.compile(r"^\d+ examples?, (?P<failed>\d+) failures?(?:, \d+ pending)?$"),
        f"{_JUNIT} (hspec-junit-formatter)",
    ),
    Verdict(
        "minitest",  # its own reporter's `runs`, minitest-reporters' `tests`
        re.compile(
            r"^\d+ (?:runs|tests), \d+ assertions, (?P<failed>\d+) failures, "
            r"(?P<errors>\d+) errors, \d+ skips$"
        ),
        f"{_JUNIT} (minitest-reporters' JUnitReporter)",
    ),
    Verdict(busted_block.RUNNER, busted_block.VERDICT_RE, f"{_JUNIT} (busted -o junit)"),
    Verdict(testunit_block.RUNNER, testunit_block.VERDICT_RE, f"{_JUNIT} (ci_reporter_test_unit)"),
    Verdict(  # its summary's containers, then its tests: one run (`joins_containers`)
        junit5_console.RUNNER,
        junit5_console.CONTAINERS_RE,
        "read the XML of its --reports-dir (TEST-junit-jupiter.xml)",
    ),
    Verdict(
        junit5_console.RUNNER,
        junit5_console.VERDICT_RE,
        "read the XML of its --reports-dir (TEST-junit-jupiter.xml)",
    ),
    Verdict(clojure_block.RUNNER, clojure_block.VERDICT_RE, f"{_JUNIT} (test2junit)"),
    Verdict(testng_block.RUNNER, testng_block.VERDICT_RE, "read its test-output/junitreports XML"),
    Verdict(ounit_block.RUNNER, ounit_block.VERDICT_RE, f"{_JUNIT} (-output-junit-file FILE)"),
    Verdict(
        gradle_block.RUNNER,
        gradle_block.VERDICT_RE,
        "read the JUnit XML it writes (build/test-results/test/TEST-*.xml)",
    ),
    Verdict(  # (it counts failed assertions, not tests)
        boost_test_block.RUNNER,
        boost_test_block.VERDICT_RE,
        f"{_JUNIT} (--logger=JUNIT,error,FILE.xml)",
    ),
    Verdict(  # its report's heading (--report_level=short, detailed): the lines above it count
        boost_test_block.RUNNER,
        boost_test_block.REPORT_RE,
        f"{_JUNIT} (--logger=JUNIT,error,FILE.xml)",
        uncounted=True,
    ),
    Verdict(
        ounit_block.ALCOTEST,
        ounit_block.ALCOTEST_RE,
        "read the files it names under _build/_tests (--show-errors prints each failure)",
    ),
    Verdict(  # (tcltest exits 0 whatever failed)
        tcltest_block.RUNNER,
        tcltest_block.VERDICT_RE,
        "read its `==== name FAILED` blocks above this line (tcltest writes no JUnit XML)",
    ),
    Verdict(tasty_block.RUNNER, tasty_block.VERDICT_RE, f"{_JUNIT} (tasty-ant-xml's --xml=FILE)"),
    Verdict(cram_block.RUNNER, cram_block.VERDICT_RE, "read its `--- FILE.t` diffs above it"),
    Verdict(yath_block.RUNNER, yath_block.VERDICT_RE, "read its jobs' `[  FAIL  ]` lines above it"),
    Verdict(
        zig_block.RUNNER,
        zig_block.VERDICT_RE,
        "read its tests' `N/M module.test.name...FAIL (Error)` blocks above this line",
    ),
    Verdict(
        zig_block.RUNNER,
        zig_block.BUILD_VERDICT_RE,
        "read its `error: 'module.test.name' failed:` blocks above this line",
    ),
    Verdict(  # (its tests did not build: no test ran)
        zig_block.RUNNER,
        zig_block.NOT_BUILT_RE,
        "read the compiler's errors above this line: the tests did not build, none ran",
        uncounted=True,
    ),
    Verdict(  # (its check reporter prints it before its blocks and again after them)
        testthat_block.RUNNER, testthat_block.VERDICT_RE, f"{_JUNIT} (JunitReporter)"
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
    Verdict(
        doctest_cpp_block.RUNNER, doctest_cpp_block.VERDICT_RE, f"{_JUNIT} (--reporters=junit)"
    ),
    Verdict(  # its scenarios' (its steps' count under it is no run)
        cucumber_js_block.RUNNER,
        cucumber_js_block.VERDICT_RE,
        f"{_JUNIT} (--format junit:FILE.xml)",
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
        "Playwright",  # an error outside its tests (a global setup's or teardown's, a worker's)
        OUTSIDE_RE,
        "read the errors printed above its counts (a global setup's or teardown's, a worker's)",
    ),
    Verdict(
        "Playwright",  # its globalTimeout ended the run: the test running then and those after
        # it not run (`  9 did not run`), whether a test had failed or not
        CUT_RE,
        "raise its globalTimeout, or split the run (--shard), so that every test runs",
        cut=True,
    ),
    Verdict(
        "Playwright",  # a run stopped with tests running (a Ctrl-C, a CI job cancelled, -x):
        # `  1 interrupted`, its tests listed under it; with none failed, one failure of the run
        re.compile(r"^[1-9]\d* interrupted$"),
        "run it to its end: it was stopped (a Ctrl-C, a CI job cancelled, or -x/--max-failures)",
        cut=True,
    ),
    Verdict(
        "Playwright",  # a spec file it could not load (its line at the left edge; Jest indents
        # its own under `Test suite failed to run`): no test of the run ran
        re.compile(r"^SyntaxError: /\S+\.(?:spec|test)\.[cm]?[jt]sx?: .+$"),
        "fix the spec file it names (it did not load, so no test ran), as the code printed "
        "under the error shows",
        uncounted=True,
        no_test=True,
    ),
    Verdict(
        "Playwright",  # the web server its config starts did not start: no test ran
        re.compile(
            r"^Error: (?:Process from config\.webServer was not able to start\. Exit code: \d+"
            r"|Timed out waiting \d+ms from config\.webServer\.)$"
        ),
        "read the web server's output above this line ([WebServer] lines)",
        uncounted=True,
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
    Verdict(  # its compact reporter's: failed assertions, each a line
        catch2_block.RUNNER, catch2_compact.VERDICT_RE, f"{_JUNIT} (--reporter junit)"
    ),
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
        bun_block.RUNNER,  # --bail: it stops at the Nth failure and prints no counts
        bun_block.BAILED_RE,
        f"{_JUNIT} (--reporter=junit --reporter-outfile=FILE)",
    ),
    Verdict(
        bun_block.RUNNER,  # ` 1 error` below it: errors between tests (`other_verdicts`)
        bun_block.ERRORS_RE,
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
    r"^ +Summary \[ *[\d.]+s\] (?:\d+/)?\d+ tests? run: ",  # cargo nextest
    r"^(?:#|ℹ) (?:fail|cancelled) [1-9]",  # node --test (its cancelled tests counted apart)
    r"^Tests: +\d+ failed",
    r"^Test Suites: +\d+ failed",  # Jest's files that failed (to run)
    r"^Jest: (?:Coverage for|Uncovered count for|Coverage data for) ",  # its coverageThreshold
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
    r"^ *[1-9]\d* (?:failed|interrupted)\s*$",  # Playwright (a run stopped: its tests running)
    r"^ *[1-9]\d* errors? (?:was|were) not a part of any test, ",  # ... an error outside them
    r"^Error: (?:Process from|Timed out waiting \d+ms from) config\.webServer",  # ... its server
    r"^Timed out waiting [\d.]+m?s for the (?:teardown for )?test suite to run\s*$",  # ... cut
    r"^SyntaxError: /\S+\.(?:spec|test)\.[cm]?[jt]sx?: ",  # ... a spec file that did not load
    r"^ *[1-9]\d* fail\s*$",  # bun test
    bun_block.ERRORS_TRIGGER,  # ... its errors between tests
    r"^Bailed out after [1-9]\d* failures?\s*$",  # ... its run stopped by --bail
    busted_block.VERDICT_TRIGGER,
    testthat_block.VERDICT_TRIGGER,
    tasty_block.VERDICT_TRIGGER,
    tcltest_block.VERDICT_TRIGGER,
    zig_block.VERDICT_TRIGGER,
    cram_block.VERDICT_TRIGGER,
    cargo_build.VERDICT_TRIGGER,
    yath_block.VERDICT_TRIGGER,
    zig_block.BUILD_VERDICT_TRIGGER,
    zig_block.NOT_BUILT_TRIGGER,
    ounit_block.VERDICT_TRIGGER,
    gradle_block.VERDICT_TRIGGER,
    boost_test_block.VERDICT_TRIGGER,
    boost_test_block.REPORT_TRIGGER,
    cucumber_js_block.VERDICT_TRIGGER,
    mocha_json.STREAM_VERDICT_TRIGGER,
    cargo_lines.JSON_VERDICT_TRIGGER,
    pytest_reportlog.VERDICT_TRIGGER,
    doctest_cpp_block.VERDICT_TRIGGER,
    ounit_block.ALCOTEST_TRIGGER,
    testng_block.VERDICT_TRIGGER,
    clojure_block.VERDICT_TRIGGER,
    junit5_console.VERDICT_TRIGGER,
    junit5_console.CONTAINERS_TRIGGER,
    uvu_block.SUITE_TRIGGER,  # uvu
    node_tap_report.VERDICT_TRIGGER,  # node-tap
    ward_block.VERDICT_TRIGGER,  # ward
    r"^ *Ran \d+ tests with \d+ failures, \d+ errors and ",  # zope.testrunner's layer
    r"^Total: \d+ tests, \d+ failures, \d+ errors and ",  # ... its run of several
    r"^# (?:FAIL|XPASS|ERROR): +[1-9]",  # automake
    r"^ *[1-9]\d* FAILED TEST",  # GoogleTest, cmocka
    r"^\[====\] Synthesis: ",  # Criterion
    catch2_block.VERDICT_TRIGGER,
    catch2_compact.VERDICT_TRIGGER,
    bats_pretty.VERDICT_TRIGGER,
    r"^ *tests +\d+ +\d+ +\d+ +[1-9]",  # CUnit
    r"^\d+%: Checks: \d+, Failures: ",  # Check
    *job_failed.TRIGGERS,  # a CI service's line for a failed job, a wrapper's
    tap_verdicts.TRIGGER,
)
