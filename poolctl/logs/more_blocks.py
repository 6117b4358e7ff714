"""The failure blocks of R's, Haskell's, OCaml's, Tcl's, Clojure's, JUnit 5's and TestNG's
console runners, read beside a text parser's own as `poolctl.logs.other_blocks` reads the
others': testthat's (`poolctl.logs.testthat_block`), tasty's (`poolctl.logs.tasty_block`),
OUnit's (`poolctl.logs.ounit_block`), Alcotest's (`poolctl.logs.alcotest_block`), tcltest's
(`poolctl.logs.tcltest_block`), clojure.test's (`poolctl.logs.clojure_block`), JUnit 5's
ConsoleLauncher's (`poolctl.logs.junit5_console`), TestNG's (`poolctl.logs.testng_block`),
Maven Surefire's (`poolctl.logs.surefire_block`), Gradle's (`poolctl.logs.gradle_block`), Go's
Ginkgo's (`poolctl.logs.ginkgo_block`), Boost.Test's (`poolctl.logs.boost_test_block`) and the
C++ doctest's (`poolctl.logs.doctest_cpp_block`), Zig's test runner's
(`poolctl.logs.zig_block`), shUnit2's (`poolctl.logs.shunit2_block`), Cram's
(`poolctl.logs.cram_block`), yath's (`poolctl.logs.yath_block`), rustc's errors of tests that
do not compile (`poolctl.logs.cargo_build`); Catch2's compact
reporter's lines (`poolctl.logs.catch2_compact`);
hspec's section is RSpec's heading's (`poolctl.logs.rspec_block`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs import (
    alcotest_block,
    boost_test_block,
    cargo_build,
    catch2_compact,
    clojure_block,
    cram_block,
    doctest_cpp_block,
    ginkgo_block,
    gradle_block,
    junit5_console,
    ounit_block,
    robot_block,
    shunit2_block,
    surefire_block,
    tasty_block,
    tcltest_block,
    testng_block,
    testthat_block,
    yath_block,
    zig_block,
)
from poolctl.logs.records import Lines
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.scan import Consumer, TextParser

TRIGGERS = (
    *testthat_block.TRIGGERS,  # testthat's `Failure ('test-x.R:12'): name`
    *tasty_block.TRIGGERS,  # tasty's `  name:   FAIL`
    *clojure_block.TRIGGERS,  # clojure.test's `FAIL in (name) (core_test.clj:15)`
    *ounit_block.TRIGGERS,  # OUnit's `Error: pool:0:checkout:1:name.` under its rule
    *alcotest_block.TRIGGERS,  # Alcotest's `[FAIL]` lines: its list's, its boxes' headers
    *tcltest_block.TRIGGERS,  # tcltest's `==== name description FAILED`
    *testng_block.TRIGGERS,  # TestNG's `FAILED: name` (-verbose 2)
    *junit5_console.TRIGGERS,  # JUnit 5's ConsoleLauncher's `Failures (8):`
    *surefire_block.TRIGGERS,  # Maven Surefire's failed tests' blocks, its Results' flaky list
    *ginkgo_block.TRIGGERS,  # Go's Ginkgo's failed specs' blocks (`• Failure [0.2 seconds]`)
    *gradle_block.TRIGGERS,  # Gradle's `com.example.PoolTest > test FAILED`
    *boost_test_block.TRIGGERS,  # Boost.Test's `pool.cc(37): error: in "suite/test": …`
    *doctest_cpp_block.TRIGGERS,  # C++ doctest's `TEST CASE:  name` under its rule
    *catch2_compact.TRIGGERS,  # Catch2's compact reporter's `pool.cc:17: failed: …`
    *robot_block.DOTTED_TRIGGERS,  # Robot Framework's `FAIL: Suite.Test` (--console dotted)
    *zig_block.TRIGGERS,  # Zig's test runner's `1/6 pool.test.name...`
    *shunit2_block.TRIGGERS,  # shUnit2's `ASSERT:…` under a test's name
    *cram_block.TRIGGERS,  # Cram's `--- pool.t` diff of a failed test
    *yath_block.TRIGGERS,  # Test2::Harness's `[  FAIL  ]  job  1  + name` and the like
    *cargo_build.TRIGGERS,  # rustc's `error[E0308]: …` of tests that do not compile
)


def block_at(
    parser: TextParser, number: int, line: str, keep: Callable[[Failure, Lines], None]
) -> Consumer | None:
    """The block `line` begins, if it is a failed test's header of one of these runners."""
    if "(" in line[:20] and (
        found := testthat_block.block_at(parser.out, parser.name, number, line, keep)
    ):
        return found
    if line.rstrip().endswith(("FAIL", "s)")) and tasty_block.HEADER_RE.match(line.rstrip()):
        before = [c.text for c in parser.nearby_before(number)]
        return tasty_block.block_at(number, line, parser.name, before, keep)
    if line.startswith(clojure_block.STARTS) and clojure_block.HEADER_RE.match(line.rstrip()):
        return clojure_block.ClojureTestBlock(number, line, parser.name, clojure_block.SOURCE, keep)
    if line.startswith(testng_block.HEADER) and testng_block.HEADER_RE.match(line.rstrip()):
        return testng_block.TestngBlock(number, line, parser.name, testng_block.SOURCE, keep)
    if line.startswith(ounit_block.STARTS) and ounit_block.HEADER_RE.match(line.rstrip()):
        above = parser.nearby_before(number)
        if above and above[-1].text.rstrip() == ounit_block.RULE:
            return ounit_block.OunitBlock(number, line, parser.name, ounit_block.SOURCE, keep)
    if line.rstrip().endswith(" FAILED") and gradle_block.HEADER_RE.match(line.rstrip()):
        return gradle_block.GradleBlock(number, line, parser.name, gradle_block.SOURCE, keep)
    if "): " in line and boost_test_block.HEADER_RE.match(line.rstrip()):
        source = boost_test_block.SOURCE
        return boost_test_block.BoostTestLine(number, line, parser.name, source, keep)
    if ": failed: " in line and catch2_compact.LINE_RE.match(line.rstrip()):
        return catch2_compact.CompactLine(number, line, parser.name, catch2_compact.SOURCE, keep)
    if line.startswith(robot_block.DOTTED) and _below(parser, number, robot_block.RULE):
        return robot_block.DottedBlock(number, line, parser.name, robot_block.SOURCE, keep)
    if line.startswith(doctest_cpp_block.HEADER):
        before = [c.text.rstrip() for c in parser.nearby_before(number)]
        return doctest_cpp_block.block_at(number, line, parser.name, before, keep)
    if line.startswith("•"):
        return ginkgo_block.block_at(parser, number, line, keep)  # a failed spec's
    if "<<< " in line or line.startswith(surefire_block.FLAKES):
        return surefire_block.block_at(parser, number, line)  # a failed try's, flaky tests
    if line[2:8] == "[FAIL]":
        return alcotest_block.block_at(parser, number, line, keep)
    if line.startswith(tcltest_block.STARTS) and tcltest_block.HEADER_RE.match(line.rstrip()):
        return tcltest_block.TcltestBlock(number, line, parser.name, tcltest_block.SOURCE, keep)
    if line.startswith("Failures (") and junit5_console.HEADING_RE.match(line.rstrip()):
        return junit5_console.Junit5Failures(number, line, parser.name, junit5_console.SOURCE, keep)
    if line[:1].isdigit() and ".test." in line and zig_block.HEADER_RE.match(line.rstrip()):
        return zig_block.ZigTestBlock(number, line, parser.name, zig_block.SOURCE, keep)
    if line.startswith("error: '") and zig_block.BUILD_HEADER_RE.match(line.rstrip()):
        return zig_block.ZigBuildFailure(number, line, parser.name, zig_block.SOURCE, keep)
    if ".zig:" in line and zig_block.COMPILE_RE.match(line.rstrip()):
        return zig_block.ZigCompileErrors(number, line, parser.name, zig_block.SOURCE, keep)
    if line.startswith(("ASSERT:", "shunit2:ERROR ")):
        return shunit2_block.block_at(parser, number, line, keep)
    if line.startswith(cargo_build.STARTS) and cargo_build.CODED_RE.match(line):
        return cargo_build.CargoBuildErrors(number, line, parser.name, cargo_build.SOURCE, keep)
    if line[:1] in "[(" and yath_block.read_line(parser, number, line, keep):
        return None  # (a job's lines are kept until its `( FAILED )` line)
    if line.startswith(cram_block.STARTS) and cram_block.HEADER_RE.match(line.rstrip()):
        return cram_block.CramDiff(number, line, parser.name, cram_block.SOURCE, keep)
    return None


def _below(parser: TextParser, number: int, rule: str) -> bool:
    """Whether line `number` comes right under `rule`."""
    above = parser.nearby_before(number)
    return bool(above) and above[-1].line == number - 1 and above[-1].text.rstrip() == rule
