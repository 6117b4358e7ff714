"""The failure blocks of other runners a text parser reads beside its own (TAP's, Vitest's,
unittest's, go test's, …): each a `Failure` of its runner (`details["runner"]` its own name),
its context the lines around it, as a pytest failure's (`model.BLOCK_SOURCES`);
`verdicts_read.finish` counts it read in the run whose verdict counts it."""

from __future__ import annotations

import weakref
from functools import partial
from typing import TYPE_CHECKING

from poolctl.logs import (
    ava_block,
    bats_pretty,
    behave_block,
    behave_cut,
    behave_progress,
    bun_block,
    busted_block,
    cargo_block,
    cargo_lines,
    catch2_block,
    ct_block,
    ctest_block,
    cucumber_js_block,
    deno_block,
    eunit_block,
    eunit_proper,
    ginkgo_block,
    go_block,
    go_json,
    go_package,
    go_runs,
    gotestsum_block,
    gtest_block,
    jasmine_block,
    jest_block,
    minitest_block,
    minitest_reporters,
    mocha_block,
    mocha_json,
    mocha_tree,
    more_blocks,
    nextest_block,
    node_dot,
    node_paths,
    node_spec_block,
    node_tap_lines,
    node_tap_report,
    node_tap_unloaded,
    other_verdicts,
    phpunit_block,
    playwright_block,
    pytest_reportlog,
    robot_block,
    rspec_block,
    surefire_block,
    tap_block,
    tap_crash,
    tap_verdicts,
    testdox_block,
    testunit_block,
    unittest_block,
    unittest_runners,
    uvu_block,
    vitest_block,
    vitest_files,
    ward_block,
)
from poolctl.logs.records import Lines
from poolctl.logs.runner_block import NO_BLOCK
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.scan import Consumer, TextParser

# each parser that read AVA's line of a failed test (`  ✘ [fail]: title`)
_AVA: weakref.WeakKeyDictionary[TextParser, bool] = weakref.WeakKeyDictionary()
# each parser that read ward's header (`── Ward 0.68.0b0 | CPython 3.11.7 ──`): a rule after it
# heads a block of ward's
_WARD: weakref.WeakKeyDictionary[TextParser, bool] = weakref.WeakKeyDictionary()
# each parser's TAP failures (their lines' indents) that no test's `not ok` line after them, less
# indented, has taken as its subtests' (`_failed_by_subtests`)
_TAP_OPEN: weakref.WeakKeyDictionary[TextParser, list[int]] = weakref.WeakKeyDictionary()
# each parser's last `Summary of all failing tests` heading of Jest's: the blocks after it, up to
# the run's counts, are its failures printed again
_JEST_SUMMARY: weakref.WeakKeyDictionary[TextParser, int] = weakref.WeakKeyDictionary()
_NEXTEST_TRIES: weakref.WeakKeyDictionary[TextParser, nextest_block.Tries] = (
    weakref.WeakKeyDictionary()
)  # each parser's cargo nextest tests' tries before their last (`--retries`)
# each parser's failed tests of Mocha's tree, before its counts (read if none come)
_MOCHA: weakref.WeakKeyDictionary[TextParser, mocha_tree.Tree] = weakref.WeakKeyDictionary()
# each parser's last `TAP version 13` line (node --test's TAP reporter begins so), 0 once a
# plan (`1..3`) follows it
_TAP_BEGUN: weakref.WeakKeyDictionary[TextParser, int] = weakref.WeakKeyDictionary()
# each parser's Vitest files' lines and their failed tests, before its counts (read if none come)
_VITEST: weakref.WeakKeyDictionary[TextParser, vitest_files.Files] = weakref.WeakKeyDictionary()
# each parser's suite.log of common_test: the cases it names by their number
_CT_LOG: weakref.WeakKeyDictionary[TextParser, ct_block.SuiteLog] = weakref.WeakKeyDictionary()

# each parser that read Catch2's header: a rule of 79 dashes after it heads a block
_CATCH2: weakref.WeakKeyDictionary[TextParser, bool] = weakref.WeakKeyDictionary()
# each parser's ctest run: its `Test project` lines, the test whose output it reads
_CTEST: weakref.WeakKeyDictionary[TextParser, ctest_block.CtestRun] = weakref.WeakKeyDictionary()
# each parser's GoogleTest closing lines (`[==========] 8 tests from 1 test suite ran.`), from
# the first line that says a GoogleTest program runs (`gtest_block.STARTS`)
_GTEST_ENDS: weakref.WeakKeyDictionary[TextParser, list[tuple[int, str]]] = (
    weakref.WeakKeyDictionary()
)

# The lines that begin such a block and are no verdict (`beside`): a text parser's triggers
TRIGGERS = (
    tap_verdicts.SUBTEST_TRIGGER,  # a TAP subtest's `not ok` (`node --test`, Test::More)
    tap_block.MORE_TRIGGER,  # Test::More's diagnostics alone (under prove)
    tap_block.SUBTEST_MORE_TRIGGER,  # ... a Test::More subtest's
    tap_block.BAIL_TRIGGER,  # prove's word of a script's `Bail out!`
    tap_verdicts.VERSION_TRIGGER,  # a TAP stream's first line (node --test's reporter)
    tap_verdicts.PLAN_TRIGGER,  # ... its plan
    *vitest_block.TRIGGERS,  # Vitest's failure blocks
    *vitest_files.TRIGGERS,  # ... its test files' lines and their failed tests, above them
    *node_spec_block.TRIGGERS,  # node --test's spec reporter: its closing section's, parents
    *node_paths.TRIGGERS,  # ... its parents' lines, and its TAP reporter's `# Subtest:` lines
    node_dot.TRIGGER,  # node --test's dot reporter: its `Failed tests:` section
    node_dot.KILLED,  # ... its marks and bash's word that a signal ended it
    *unittest_block.TRIGGERS,  # unittest's (and Django's) blocks above its `Ran N tests`
    *unittest_runners.TRIGGERS,  # zope.testrunner's, green's and trial's
    *jest_block.TRIGGERS,  # Jest's test files' sections, and the summary that repeats them
    *mocha_block.TRIGGERS,  # Mocha's failure list, below its counts
    *uvu_block.TRIGGERS,  # uvu's failure blocks, below its suite's line
    *ward_block.TRIGGERS,  # ward's rules: its header's, then each failure block's
    *ava_block.TRIGGERS,  # AVA's failed tests' lines, then its blocks between two rules
    *jasmine_block.TRIGGERS,  # Jasmine's failures and RSpec's, above their counts
    *rspec_block.TRIGGERS,  # ... RSpec's errors outside its examples
    *cucumber_js_block.TRIGGERS,  # Cucumber.js's pending scenarios
    mocha_json.STREAM_TRIGGER,  # Mocha's json-stream reporter's failed tests
    *pytest_reportlog.TRIGGERS,  # pytest-reportlog's reports
    *minitest_block.TRIGGERS,  # minitest's `  1) Error:` blocks, above its counts
    *minitest_reporters.TRIGGERS,  # ... minitest-reporters' lines naming a failed test
    *phpunit_block.TRIGGERS,  # PHPUnit's sections of errors and failures, above its counts
    *testdox_block.TRIGGERS,  # ... its tests' lines under --testdox, a failed one's box
    *gtest_block.TRIGGERS,  # GoogleTest's first failure of a test
    *ctest_block.TRIGGERS,  # ctest's run, each test's start and result
    *catch2_block.TRIGGERS,  # Catch2's header, then its blocks' rules
    *bats_pretty.TRIGGERS,  # bats' pretty formatter: a test file's line, a failed test's
    *robot_block.TRIGGERS,  # Robot Framework's `Name   | FAIL |`
    *behave_block.TRIGGERS,  # behave's scenarios, and its lists of those that failed
    behave_progress.TRIGGER,  # ... its progress formatter's line for each feature
    *deno_block.TRIGGERS,  # `deno test`'s ERRORS section, its cancelled tests
    mocha_tree.TRIGGER,  # ... and its tree's failed tests above them
    *cargo_block.TRIGGERS,  # cargo test's blocks, targets, panics and failures list
    cargo_lines.JSON_TRIGGER,  # ... libtest's JSON event of a failed test
    *nextest_block.TRIGGERS,  # cargo nextest's failed tests' result lines
    *go_block.TRIGGERS,  # go test's `--- FAIL:` lines, `-v`'s `=== RUN`, a package's timeout
    go_json.TRIGGER,  # ... the same in `go test -json`'s output events
    go_json.PACKAGE_TRIGGER,  # ... and a package's own (what its TestMain printed)
    *gotestsum_block.TRIGGERS,  # gotestsum's summary: its failed tests, its build errors
    *eunit_block.TRIGGERS,  # EUnit's text report: a test's `...*failed*` line
    *ct_block.TRIGGERS,  # common_test's console: the rule of dashes above a failed case
    *node_tap_report.TRIGGERS,  # node-tap's reporter: its entries, their test file's line
    *node_tap_unloaded.TRIGGERS,  # ... a test file that did not load, its stderr
    *playwright_block.TRIGGERS,  # Playwright's failed tests' blocks, its summary of flaky ones
    *testunit_block.TRIGGERS,  # test-unit's `Failure: test_x(PoolTest)` under its rule
    *bun_block.TRIGGERS,  # bun test's header, then each test file's line
    *more_blocks.TRIGGERS,  # R's, Haskell's, OCaml's, Java's, Go's Ginkgo's …
    *busted_block.TRIGGERS,  # busted's `Error -> spec/x_spec.lua @ 6`, below its counts
    *ct_block.LOG_TRIGGERS,  # ... its suite.log's lines naming a case, and its number
)


def block_at(parser: TextParser, number: int, line: str) -> Consumer | None:
    """The block another runner's verdict line `line` begins, if it begins one: a top-level
    TAP `not ok` line with no directive, or a `Bail out!` (its run just recorded by
    `read_verdict`), or a go package's `FAIL` line, which ends its failures (they are kept)."""
    if line.startswith("FAIL\t") and (package := go_block.VERDICT_RE.match(line)):
        if ginkgo_block.specs_read(parser):  # the test that ran them failed by them alone
            go_runs.discard_silent(parser)
        read = go_runs.kept(parser, package["package"], partial(_keep, parser))
        before = [(c.line, c.text.rstrip()) for c in parser.nearby_before(number)]
        if go_block.BUILD_FAILED_RE.match(line.rstrip()):  # the compiler's lines above it
            built = go_block.build_failure(package["package"], before, number, line, parser.name)
            if built is not None:
                _keep(parser, *built)
        elif not read and (printed := go_package.printed_before(before)):
            # no test failed: what the package printed before its verdict (its TestMain's)
            lines = [*printed, (number, line.rstrip())]
            failure = go_package.package_failure(
                package["package"], printed, lines, parser.name, go_block.RUNNER
            )
            _keep(parser, failure, lines)
        return None
    if line.startswith('{"Time":"') and (name := go_json.verdict_package(line)):
        go_runs.json_ended(parser, name, partial(_keep, parser))
        return None
    if line.startswith(" ") and nextest_block.SUMMARY_RE.match(line):
        return nextest_block.RepeatedResults(parser.out, parser.name, partial(_keep, parser))
    if line.startswith("DONE "):  # gotestsum's count: the failures its summary listed are kept
        gotestsum_block.done(parser, number, line, partial(_keep, parser))
        return None
    if line.startswith(surefire_block.TOTAL):
        surefire_block.settle(parser, partial(_keep, parser))  # its blocks held: one a test
        return None
    if line.startswith("Bail out!"):
        return _tap_block(parser, number, line)
    if line.startswith("  ") and (
        played := playwright_block.summary_at(parser, number, line, partial(_keep, parser))
    ):
        return played  # Playwright's `  7 failed`: its lists say which blocks are flaky
    if (
        line.startswith("# { total: ")
        and (report := node_tap_lines.REPORTS.get(parser)) is not None
    ):
        # node-tap's count of its reporter's entries: held until its next line says whose
        for failure, lines in node_tap_report.counted(report):
            _keep(parser, failure, lines)
        return None
    if not line.startswith("not ok ") or not tap_verdicts.failed_test(line, line.strip()):
        return None
    return _tap_block(parser, number, line)


def beside(parser: TextParser, number: int, line: str) -> Consumer | None:
    """The block of a failure that no verdict line begins, if `line` begins one: Vitest's
    (`poolctl.logs.vitest_block`), unittest's, Jest's, cargo's, go test's, an entry of Mocha's
    list, `node --test`'s, Test::More's diagnostics alone (prove prints no `not ok` line; a
    subtest's indented), prove's word of a `Bail out!`, or a TAP subtest's (indented under its
    suite's name: the suite's own line says only that its subtests failed, and `node --test`
    counts the subtests). A line that tells where a run is (unittest's `-v` result of a failed
    test, Jest's summary heading, cargo's target and result lines) is recorded, and begins
    none."""
    if line.startswith("  ") and (
        played := playwright_block.block_at(parser, number, line, partial(_keep, parser))
    ):
        return played  # Playwright's block of a failed test, or its summary of flaky ones
    if line.rstrip().endswith(("js:", "ts:", "jsx:", "tsx:", ")")) and (
        bun := bun_block.block_at(parser, number, line, partial(_keep, parser))
    ):
        return bun  # bun test's test file's section, after its header (`… (a7733435c)`)
    if line.startswith(("Failure ", "Error ")) and busted_block.HEADER_RE.match(line.rstrip()):
        return busted_block.BustedBlock(
            number, line, parser.name, busted_block.SOURCE, partial(_keep, parser)
        )  # busted's block of a failed or errored test
    if more := more_blocks.block_at(parser, number, line, partial(_keep, parser)):
        return more  # R's and Haskell's runners' blocks (testthat's, tasty's)
    if line.startswith(("Failure: ", "Error: ")) and testunit_block.heads_block(
        line.rstrip(), [c.text for c in parser.nearby_before(number)]
    ):
        return testunit_block.TestUnitBlock(
            number, line, parser.name, testunit_block.SOURCE, partial(_keep, parser)
        )  # test-unit's block of a failed test, to its closing rule
    if (line.startswith(" FAIL  ") and vitest_block.HEADER_RE.match(line.rstrip())) or (
        line.startswith("⎯") and vitest_block.UNHANDLED_RE.match(line.rstrip())
    ):
        return vitest_block.VitestBlock(
            number, line, parser.name, vitest_block.SOURCE, partial(_keep, parser)
        )
    if (line.startswith(" ❯ ") or "× " in line[:16]) and vitest_files.read_line(
        _VITEST.setdefault(parser, vitest_files.Files()), number, line
    ):
        return None  # Vitest's line of a file, or of a failed test (read if the run stops)
    if line.rstrip().endswith(unittest_block.OUTCOMES):  # unittest's `-v` line of a failed test
        before = [c.text for c in parser.nearby_before(number)]
        if result := unittest_block.verbose_result(before, line):
            read = (number, result, line.rstrip())
            parser.out.unittest_results.setdefault(parser.name, []).append(read)
            return None  # (its block follows, or the run stopped before it: `stopped`)
    if line[:1] in "EFU" and unittest_block.HEADER_RE.match(line.rstrip()):
        return unittest_block.UnittestBlock(
            number, line, parser.name, unittest_block.SOURCE, partial(_keep, parser)
        )  # unittest's `FAIL: test_x (m.C.test_x)`, its verdict below
    if line.startswith("- - ") and line.rstrip() == ct_block.RULE:
        ct = ct_block.CtBlock(number, line, parser.name, ct_block.SOURCE, partial(_keep, parser))
        ct.before = ct_block.logged_before([(c.line, c.text) for c in parser.nearby_before(number)])
        return ct  # common_test's failed case: where it failed and why, its case's line after it
    if line.startswith("=") and (
        logged := ct_block.log_line(_CT_LOG.setdefault(parser, ct_block.SuiteLog()), line.rstrip())
    ):  # common_test's suite.log: which case failed under which number, and why (its result)
        return logged if isinstance(logged, ct_block.ResultLines) else None
    if line.rstrip().endswith("*") and (
        eunit := eunit_proper.block_at(parser, number, line, partial(_keep, parser))
    ):
        return eunit  # EUnit's `pool_tests: checkout_test...*failed*`, its stack and error
    if line[:1] in "FE[" and unittest_runners.starts(line.rstrip()):
        return unittest_runners.UnittestRunnerBlock(
            number, line, parser.name, unittest_block.SOURCE, partial(_keep, parser)
        )  # zope.testrunner's `Failure in test …`, green's `Error in m.C.t`, trial's `[FAIL]`
    if line.startswith("Module: ") and unittest_runners.zope_module(
        line.rstrip(), [c.text.rstrip() for c in parser.nearby_before(number)]
    ):
        return unittest_runners.UnittestRunnerBlock(
            number, line, parser.name, unittest_block.SOURCE, partial(_keep, parser)
        )  # a module zope.testrunner could not import
    if ("FAIL " in line[:6] or line.startswith(jest_block.GROUP)) and jest_block.HEADER_RE.match(
        line.rstrip()
    ):
        section = jest_block.JestFile(
            number, line, parser.name, jest_block.SOURCE, partial(_keep, parser)
        )
        section.out = parser.out
        return section  # a Jest test file's section, its `●` blocks
    if line.startswith("TAP version ") and tap_verdicts.VERSION_RE.match(line.rstrip()):
        _TAP_BEGUN[parser] = number
        return None
    if line.startswith("1..") and tap_verdicts.PLAN_RE.match(line.rstrip()):
        _TAP_BEGUN[parser] = 0  # (the stream printed its plan: not stopped before its end)
        return None
    if line.startswith(jest_block.SUMMARY):
        _JEST_SUMMARY[parser] = number
        return None
    if line.startswith("=== ") and (summary := gotestsum_block.start(parser, number, line)):
        return summary  # gotestsum's summary: a failed test's block, its build errors
    if line[:3] in ("---", "===", "pan", "   ", "WAR") and (
        go := go_runs.block_at(parser, number, line)
    ):
        return go
    if line.startswith('{"Time":"') and go_json.TRIGGER_RE.match(line):
        return go_runs.json_stream(parser, number, line)
    if line.startswith(" ") and nextest_block.RESULT_RE.match(line.rstrip()):
        tries = _NEXTEST_TRIES.setdefault(parser, nextest_block.Tries(parser.out))
        return nextest_block.NextestBlock(number, line, parser.name, partial(_keep, parser), tries)
    if (
        line[:1] in "-rtfe {"  # (`{`: libtest's JSON events)
        and (cargo := cargo_lines.cargo_line(parser, number, line, partial(_keep, parser)))
        is not None
    ):
        return cargo if cargo is not NO_BLOCK else None
    if line.startswith(jasmine_block.HEADER) and line.rstrip() == jasmine_block.HEADER:
        # Jasmine's failures or RSpec's: its first entry says whose
        return rspec_block.heading(number, line, parser.name, partial(_keep, parser))
    if line.startswith(pytest_reportlog.STARTS):
        return pytest_reportlog.ReportLine(
            number, line, parser.name, "pytest", partial(_keep, parser)
        )  # pytest-reportlog's report of a test's stage, or of a collector
    if line.startswith('["fail",{"title":'):
        return mocha_json.StreamFailure(
            number, line, parser.name, mocha_block.SOURCE, partial(_keep, parser)
        )  # Mocha's json-stream reporter's failed test
    if line.startswith(cucumber_js_block.WARNINGS) and line.rstrip() == cucumber_js_block.WARNINGS:
        pending = cucumber_js_block.WarningsSection(
            number, line, parser.name, cucumber_js_block.SOURCE, partial(_keep, parser)
        )  # Cucumber.js's pending scenarios, if its first entry is one
        pending.note = parser.out.skipped.append
        return pending
    if line.startswith(rspec_block.OUTSIDE):
        return rspec_block.OutsideBlock(
            number, line, parser.name, rspec_block.SOURCE, partial(_keep, parser)
        )  # RSpec's error outside any example (a spec file that did not load)
    if line.startswith("  ✘ [fail]: "):
        _AVA[parser] = True  # AVA's line of a failed test: its blocks follow, between two rules
        return None
    if line.rstrip() == ava_block.RULE and _AVA.get(parser):
        return ava_block.AvaSection(
            number, line, parser.name, ava_block.SOURCE, partial(_keep, parser)
        )
    if line.startswith("───") and (rule := ward_block.RULE_RE.match(line.rstrip())):
        if rule["title"].startswith("Ward "):
            _WARD[parser] = True  # ward's header: its failures' blocks follow, each under a rule
        elif _WARD.get(parser):
            return ward_block.WardBlock(
                number, line, parser.name, ward_block.SOURCE, partial(_keep, parser)
            )
        return None
    if line[:1] in "✖ 2A" and (
        entry := node_tap_lines.entry_at(parser, number, line, partial(_keep, parser))
    ):
        return entry if entry is not NO_BLOCK else None
    if line.startswith("   FAIL  ") and uvu_block.HEADER_RE.match(line.rstrip()):
        return uvu_block.UvuBlock(
            number, line, parser.name, uvu_block.SOURCE, partial(_keep, parser)
        )
    if line.startswith("[==========] ") and gtest_block.RAN_RE.match(line):
        _GTEST_ENDS.setdefault(parser, []).append((number, line.strip()))
        return None  # GoogleTest's closing line: it counts the blocks above it under --brief
    if line.startswith(deno_block.HEADER) and line.strip() == deno_block.HEADER.strip():
        return deno_block.DenoErrors(
            number, line, parser.name, deno_block.SOURCE, partial(_keep, parser)
        )  # `deno test`'s ERRORS section
    if " ... cancelled (" in line and (gone := deno_block.cancelled(parser.name, number, line)):
        _keep(parser, gone, [(number, line.rstrip())])  # a test Deno cancelled: no block
        return None
    if ".feature  " in line and (progress := behave_progress.block_at(parser, number, line)):
        return progress  # behave's progress formatter's feature: its letters, glued lines
    if (line[:1] in " EFHU{" or line[:1].isdigit()) and (
        scenario := behave_block.block_at(parser, number, line, partial(_keep, parser))
    ):
        return scenario  # behave's scenario, or its list of those that failed or errored
    if line.rstrip().endswith("| FAIL |") and robot_block.HEADER_RE.match(line.rstrip()):
        return robot_block.RobotBlock(
            number, line, parser.name, robot_block.SOURCE, partial(_keep, parser)
        )  # a Robot Framework test's `Name   | FAIL |`, its message below
    if line.startswith("-" * 79) and parser in _CATCH2 and line.rstrip() == catch2_block.RULE:
        return catch2_block.Catch2Block(
            number, line, parser.name, catch2_block.SOURCE, partial(_keep, parser)
        )  # a Catch2 test case's block, its name between two rules
    if " is a Catch" in line and catch2_block.HEADER_RE.match(line.rstrip()):
        _CATCH2[parser] = True  # Catch2's header: its blocks follow
        return None
    if bats_pretty.FAILED in line or ".bats" in line:  # bats' pretty formatter's lines
        return bats_pretty.block_at(parser, number, line, partial(_keep, parser))
    if line[:1] in " 0123456789T" and _ctest_line(parser, number, line):
        return None  # a ctest run's line: where it began, a test's start, its result
    if line.startswith("[  FAILED  ] "):  # a GoogleTest test's line no block read up to
        earlier = [(c.line, c.text) for c in parser.nearby_before(number)]
        gtest_block.from_failed_line(
            number, line.rstrip(), earlier, parser.name, partial(_keep, parser)
        )
        return None
    if line.startswith(gtest_block.STARTS):
        _GTEST_ENDS.setdefault(parser, [])  # a GoogleTest program runs: its failures follow
        return None
    if (
        line.rstrip().endswith(": Failure")
        and parser in _GTEST_ENDS
        and gtest_block.HEADER_RE.match(line.rstrip())
    ):
        return gtest_block.GtestBlock(
            number, line, parser.name, gtest_block.SOURCE, partial(_keep, parser)
        )  # a GoogleTest test's first failure, its `[  FAILED  ]` line below
    if line.startswith("There w") and phpunit_block.HEADING_RE.match(line.rstrip()):
        return phpunit_block.PhpunitSection(
            number, line, parser.name, phpunit_block.SOURCE, partial(_keep, parser)
        )  # PHPUnit's `There were 4 errors:`, its entries below
    if line.startswith(testdox_block.STARTS):  # PHPUnit --testdox's line of a test's result
        return testdox_block.block_at(parser, number, line, partial(_keep, parser))
    if line.startswith("  ") and minitest_block.HEADER_RE.match(line.rstrip()):
        return minitest_block.MinitestBlock(
            number, line, parser.name, minitest_block.SOURCE, partial(_keep, parser)
        )  # minitest's `  1) Error:`, the test's class and method under it
    if line.rstrip().endswith(("s)", ":", "]")) and (
        reported := minitest_reporters.block_at(parser, number, line, partial(_keep, parser))
    ):
        return reported  # minitest-reporters': its Spec, Default or Progress reporter's
    if line.startswith("  ") and mocha_block.ENTRY_RE.match(line.rstrip()) and _after_mocha(parser):
        return mocha_block.MochaEntry(
            number, line, parser.name, mocha_block.SOURCE, partial(_keep, parser)
        )  # an entry of Mocha's failure list
    if line.startswith("  ") and line.lstrip(" ")[:1].isdigit() and not _after_mocha(parser):
        tree = _MOCHA.setdefault(parser, mocha_tree.Tree())
        mocha_tree.read_failed(tree, number, line, parser.nearby_before(number))
        return None  # a failed test of Mocha's tree (read if the run stops before its counts)
    if line.lstrip(" ")[:2] in ("te", "✖ ", "▶ ", "# ") and (
        node := node_paths.line_at(parser, number, line, partial(_keep, parser))
    ):  # `node --test`'s spec reporter (its tree, its closing section), its TAP's subtests
        return node if node is not NO_BLOCK else None
    if line.startswith(node_dot.HEADER) and line.rstrip() == node_dot.HEADER:
        return node_dot.DotSection(
            parser, number, line, node_spec_block.SOURCE
        )  # node's dot reporter
    if " line " in line and node_dot.killed(parser, number, line):
        return None  # ... killed before its section: its run recorded
    if line.startswith("#   Failed test ") and tap_block.MORE_HEADER_RE.match(line.rstrip()):
        return _tap_block(parser, number, line)  # Test::More's diagnostics, no `not ok` line
    if line.startswith("Bailout called.  "):
        return _tap_block(parser, number, line)  # prove's word of a script's `Bail out!`
    stripped = line.lstrip()
    if stripped is not line and stripped.startswith("#   Failed test "):  # a subtest's
        return (
            _tap_block(parser, number, line)
            if tap_block.MORE_HEADER_RE.match(stripped.rstrip())
            else None
        )
    if stripped is line or not stripped.startswith("not ok "):
        return None
    if not tap_verdicts.failed_test(stripped, stripped):
        return None
    return _tap_block(parser, number, line)


def _ctest_line(parser: TextParser, number: int, line: str) -> bool:
    """`ctest_block.read_line`, in the ctest run `parser` reads."""
    run = _CTEST.setdefault(parser, ctest_block.CtestRun())

    def before() -> Lines:
        return [(c.line, c.text) for c in parser.nearby_before(number)]

    out, keep = parser.out, partial(_keep, parser)
    return ctest_block.read_line(run, number, line.rstrip(), out, before, keep, parser.name)


def _tap_block(parser: TextParser, number: int, line: str) -> Consumer:
    """A TAP failure's block, begun on line `number`, kept by `parser` when it ends."""
    return tap_block.TapFailureBlock(
        number,
        line,
        parser.name,
        tap_block.SOURCE,
        partial(_keep, parser),
        parser.out.failed_by_subtests.setdefault(parser.name, []).append,
        partial(_tap_output_ends, parser),
    )


def _tap_output_ends(parser: TextParser, header: int, end: int) -> None:
    """A buffered subtest (Vitest's TAP: a test file's `not ok 3 - file {`) on line `header`
    ends on line `end`: where its TAP run's output ends if its line is the run's last
    (`verdicts_read.finish`)."""
    parser.out.braced_ends.setdefault(parser.name, {})[header] = end


def _keep(parser: TextParser, failure: Failure, lines: Lines) -> None:
    """Keep another runner's failure, unless it is one read already (see below)."""
    failure = node_paths.named(parser, failure, lines)  # (a node test's, by its path)
    if failure.kind == "not ok" and failure.details.get("runner") == tap_block.RUNNER:
        before = [c.text for c in parser.nearby_before(lines[0][0])]
        failure = node_tap_unloaded.quoted(failure, before)  # node-tap's file that did not load
    below = (node_spec_block.RUNNER, mocha_block.RUNNER, "uvu", busted_block.RUNNER)
    if failure.details.get("runner") in below:  # (printed below their counts)
        other_verdicts.spec_section(parser.out, parser.name, failure.line_end)
    if failure.details.get("runner") == jest_block.RUNNER and _in_jest_summary(parser, lines[0][0]):
        return  # Jest's summary prints each failure again
    if failure.details.get("runner") == tap_block.RUNNER and _failed_by_subtests(
        parser, failure, lines
    ):
        return  # node-tap's test failed by its assertions: theirs, read, are the failures
    if "text" not in failure.details and tap_block.told_before(parser, lines[0][1]):
        return  # `prove -v`: its diagnostics, printed before its `not ok` line, are the failure
    if not failure.message and not lines[0][1][:1].isspace() and _after_subtest(parser):
        return  # a Test::More subtest's parent: its failed subtests, read, are the failures
    parser.keep(failure, lines)


def finish(parser: TextParser) -> None:
    """The input ended (or another cargo target began): the run it ended in, stopped before its
    verdict, is read for what it printed of its failures (unittest's `-v` lines, cargo's result
    lines)."""
    cargo_lines.stopped(parser, partial(_keep, parser))
    gotestsum_block.stopped(parser, partial(_keep, parser))  # (before go's: it lists them)
    go_runs.stopped(parser, partial(_keep, parser))
    if (tree := _MOCHA.get(parser)) is not None:
        mocha_tree.stopped(tree, parser.out, parser.name, parser.last_lines())
    if (files := _VITEST.get(parser)) is not None:
        vitest_files.stopped(files, parser.out, parser.name)
    if (report := node_tap_lines.REPORTS.get(parser)) is not None:
        for failure, lines in node_tap_report.settled(report, complete=False):
            _keep(parser, failure, lines)  # (the last run's, its count the input's last)
        for failure, lines in node_tap_report.uncounted(report, parser.out, parser.name):
            _keep(parser, failure, lines)
    if (log := _CT_LOG.get(parser)) is not None:
        ct_block.named(parser.out.failures, parser.name, log)
    if begun := _TAP_BEGUN.get(parser):
        crash = tap_crash.crashed(parser.last_lines(), parser.name)
        if tap_verdicts.stopped(parser.out, parser.name, begun, crash) and crash:
            _keep(parser, *crash)  # the test an uncaught error ended the run in
    unittest_block.stopped_in(parser.out, parser.name, parser.last_line())
    bats_pretty.stopped(parser, partial(_keep, parser))
    playwright_block.settle(parser, partial(_keep, parser))  # (cut before its summary)
    surefire_block.settle(parser, partial(_keep, parser))  # (... before its total)
    behave_cut.stopped(parser, partial(_keep, parser))
    behave_progress.stopped(parser, partial(_keep, parser))
    other_verdicts.tap_counts_at_end(parser.out, parser.name, parser.last_line())
    gtest_block.brief_runs(parser.out, parser.name, _GTEST_ENDS.get(parser, []))
    if (ctest := _CTEST.get(parser)) is not None:
        ctest_block.fold(parser.out, parser.name, ctest)


def _after_mocha(parser: TextParser) -> bool:
    """Whether the last run `parser` read is Mocha's: its failure list follows its counts (the
    tests numbered in its tree above them are no entries)."""
    last = parser.out.summaries[-1] if parser.out.summaries else None
    return last is not None and last.file == parser.name and last.source == mocha_block.RUNNER


def _in_jest_summary(parser: TextParser, number: int) -> bool:
    """Whether line `number` is under Jest's `Summary of all failing tests`: after the heading,
    and no Jest run's counts between (a later run's blocks are its own)."""
    heading = _JEST_SUMMARY.get(parser, 0)
    if not heading or heading > number:
        return False
    return not any(
        s.file == parser.name and s.source == jest_block.RUNNER and heading < s.line < number
        for s in parser.out.summaries
    )


def _after_subtest(parser: TextParser) -> bool:
    """Whether the last failure read is a TAP subtest's (its `not ok` line indented): the
    top-level `not ok` after it, saying nothing but where, is its parent's."""
    last = parser.out.failures[-1] if parser.out.failures else None
    if last is None or last.input_file != parser.name:
        return False
    if last.details.get("runner") != tap_block.RUNNER:
        return False
    printed = parser.out.blocks.get((last.input_file, last.line_start), [])
    return bool(printed) and printed[0][1][:1].isspace()


def _failed_by_subtests(parser: TextParser, failure: Failure, lines: Lines) -> bool:
    """Whether a subtest's `not ok` line (indented), saying nothing, is its test's line after its
    failed subtests' (node-tap: a test's assertions are its subtests, the test's own YAML says
    only where it was called): a TAP failure more indented before it that no other such line
    has taken. A test's line at the top is `_after_subtest`'s."""
    first = lines[0][1]
    indent = len(first) - len(first.lstrip())
    read = _TAP_OPEN.setdefault(parser, [])
    deeper = any(other > indent for other in read)
    read[:] = [other for other in read if other <= indent] + [indent]
    return bool(indent and deeper and not failure.message)
