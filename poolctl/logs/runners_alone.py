"""Logs of other runners alone, no pytest, ExUnit or JUnit XML output in them: a `go test`,
`cargo test` or Vitest log given to `poolctl triage` by itself. One that holds another runner's
verdict of a failed run is read by the pytest parser for its verdicts
(`poolctl.logs.other_verdicts`); one whose runs all passed (and nothing in it failed) is a clean
log; neither is refused as of no known format."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from poolctl.logs import (
    bats_pretty,
    behave_block,
    behave_cut,
    behave_progress,
    boost_test_block,
    busted_block,
    cargo_block,
    cargo_lines,
    catch2_compact,
    clojure_block,
    cram_block,
    cucumber_js_block,
    doctest_cpp_block,
    go_block,
    gotestsum_block,
    gradle_block,
    gtest_block,
    hspec_block,
    jest_block,
    junit5_console,
    mocha_block,
    mocha_json,
    mocha_tree,
    node_dot,
    node_spec_block,
    node_tap_report,
    ounit_block,
    playwright_block,
    pytest_reportlog,
    rspec_block,
    shunit2_block,
    tap_streams,
    tap_verdicts,
    tasty_block,
    tcltest_block,
    testng_block,
    testthat_block,
    unittest_block,
    unittest_runners,
    vitest_block,
    vitest_files,
    yath_block,
    zig_block,
)
from poolctl.logs.other_verdicts import GROUP_NAME
from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.verdict_lines import VERDICTS

# A log read for other runners' verdicts alone is said to be of the runners read, by name
# (`read 82 lines (RSpec)`, `(bats, cargo test)`): `said_to_be`. No name is a format the history
# reads passes from (`poolctl.logs.passes`), as "other runners' verdicts", said before, was not;
# the store keeps no format, so its runs before and after compare alike
# ... and one read for their failures alone, no verdict of any run in it (a run killed before
# its summary): said to be of the runners it names (`read 6 lines (go test, no verdict)`)
NO_VERDICT = ", no verdict"
UNITTEST = unittest_block.RUNNER  # the format a log of unittest's output alone is said to be
# ... and of unittest runners that print blocks of their own (`unittest_runners`)
_UNITTEST_RUNNERS = {
    UNITTEST,
    unittest_runners.TRIAL,
    unittest_runners.GREEN,
    unittest_runners.ZOPE,
}

# Any runner's verdict of a failed run (other_verdicts.VERDICTS), searched over a whole text (its
# lines indented or not). RE2: Python's regex tried its 30 branches at each line start (4 MB/s
# on a text of short lines; a file of no known format is sniffed up to 256 MiB), RE2 runs at
# 600 MB/s on it.
_VERDICT_IN_TEXT = (
    "(?m)"
    + "|".join(
        f"(?:^[ \\t]*{GROUP_NAME.sub('(?:', v.line.pattern).removeprefix('^')})" for v in VERDICTS
    )
    + f"|(?:{node_dot.IN_TEXT})"  # node --test's dot reporter prints no count: its failures' list
    + f"|(?:{node_dot.KILLED})"  # ... or its marks, killed, bash's line naming it
    + f"|(?:{node_spec_block.FAILED_IN_TEXT})"  # ... its spec reporter's failure, inline: a run
    # stopped before its counts (`verdicts_read`)
    + f"|(?:{unittest_block.FAILED_IN_TEXT})"  # unittest's failure block, its run cut before its
    # verdict
    + f"|(?:{jest_block.FAILED_IN_TEXT})"  # ... Jest's
    + f"|(?:{cargo_block.FAILED_IN_TEXT})"  # ... cargo test's
    + f"|(?:{go_block.FAILED_IN_TEXT})"  # ... go test's (and -json's)
    + f"|(?:{gotestsum_block.FAILED_IN_TEXT})"  # ... gotestsum's summary's, cut before its count
    + f"|(?:{gtest_block.FAILED_IN_TEXT})"  # ... GoogleTest's, whose --gtest_brief prints no count
    + f"|(?:{mocha_tree.IN_TEXT})"  # ... a failed test in Mocha's tree, before its counts
    + f"|(?:{vitest_files.IN_TEXT})"  # ... in Vitest's line of its file, before its counts
    + f"|(?:{node_tap_report.IN_TEXT})"  # node-tap's reporter's entry (dot, min: no count)
)


@functools.cache
def _verdict_in_text() -> Any:
    import re2

    return re2.compile(_VERDICT_IN_TEXT)


# each runner's lines of a failed run in a whole text, as `_VERDICT_IN_TEXT` searches them: to
# name the runner a log holds (`runner_of`)
_RUNNERS_IN_TEXT = (
    *(
        (v.runner, f"^[ \t]*{GROUP_NAME.sub('(?:', v.line.pattern).removeprefix('^')}")
        for v in VERDICTS
    ),
    (node_spec_block.RUNNER, f"{node_dot.IN_TEXT}|{node_dot.KILLED}"),  # its dot reporter's
    (node_spec_block.RUNNER, node_spec_block.FAILED_IN_TEXT),
    (unittest_block.RUNNER, unittest_block.FAILED_IN_TEXT),
    (jest_block.RUNNER, jest_block.FAILED_IN_TEXT),
    (cargo_block.RUNNER, cargo_block.FAILED_IN_TEXT),
    (go_block.RUNNER, go_block.FAILED_IN_TEXT),
    (gotestsum_block.RUNNER, gotestsum_block.FAILED_IN_TEXT),
    (gtest_block.VERDICT_RUNNER, gtest_block.FAILED_IN_TEXT),
    (mocha_block.RUNNER, mocha_tree.IN_TEXT),
    (vitest_block.RUNNER, vitest_files.IN_TEXT),
    (node_tap_report.RUNNER, node_tap_report.IN_TEXT),
)


def runner_of(text: str) -> str:
    """The runner whose failed run `text` holds (its verdict, a failure block, a go test run
    stopped in a test), as `holds_a_verdict` and `stopped_in_a_test` find it; "" for none."""
    import re2

    for runner, pattern in _RUNNERS_IN_TEXT:
        if re2.search(f"(?m){pattern}", text):
            return runner
    return stopped_in_a_test(text)


def holds_a_verdict(text: str) -> bool:
    """Whether a line of `text` is another runner's verdict of a failed run (a TAP `not ok`
    with a TODO or SKIP directive is no failure: a clean Test::More run prints one)."""
    for found in _verdict_in_text().finditer(text):
        end = text.find("\n", found.start())
        line = text[found.start() : end if end >= 0 else len(text)].lstrip()
        if any(passed.match(line.rstrip()) for _, passed in PASSED):
            continue  # a count of none failed (busted's: its verdict's shape)
        if hspec_block.CLEAN_RE.match(line.rstrip()):
            continue  # ... hspec's and RSpec's, `1 example, 0 failures`
        if not line.startswith("not ok ") or tap_verdicts.failed_test(line, line):
            return True
    return False


# Other runners' closing lines of a run that passed, looked for only in a log of no format
# poolctl reads (no verdict of a failed run either): such a log alone is a clean run, not refused
PASSED = (
    ("go test", re.compile(r"^(?:ok  |\?   )\t\S+\t(?:[\d.]+s|\(cached\)|\[no test files\])")),
    (
        "go test -json",  # a package's event, not a test's (no `Test` key)
        re.compile(r'^\{"Time":"[^"]*","Action":"pass","Package":"[^"]*"(?:,"Elapsed":[\d.]+)?\}$'),
    ),
    ("cargo test", re.compile(r"^test result: ok\. \d+ passed; 0 failed;")),
    ("cargo test", cargo_lines.JSON_CLEAN_RE),
    ("Vitest", re.compile(r"^Tests +\d+ passed(?: \| .*)?(?: \(\d+\))?$")),
    ("Jest", re.compile(r"^Tests: +(?:\d+ skipped, )?(?:\d+ todo, )?\d+ passed, \d+ total$")),
    ("prove", re.compile(r"^Result: PASS$")),
    ("test-unit", re.compile(r"^\d+ tests, \d+ assertions, 0 failures, 0 errors, \d+ pendings, ")),
    ("busted", busted_block.CLEAN_RE),
    (testthat_block.RUNNER, testthat_block.CLEAN_RE),
    (tasty_block.RUNNER, tasty_block.CLEAN_RE),
    (tcltest_block.RUNNER, tcltest_block.CLEAN_RE),
    (zig_block.RUNNER, zig_block.CLEAN_RE),
    (shunit2_block.RUNNER, shunit2_block.CLEAN_RE),
    (cram_block.RUNNER, cram_block.CLEAN_RE),
    (yath_block.RUNNER, yath_block.CLEAN_RE),
    (ounit_block.RUNNER, ounit_block.CLEAN_RE),
    (boost_test_block.RUNNER, boost_test_block.CLEAN_RE),
    (boost_test_block.RUNNER, boost_test_block.REPORT_CLEAN_RE),
    (cucumber_js_block.RUNNER, cucumber_js_block.CLEAN_RE),
    (mocha_block.RUNNER, mocha_json.STREAM_CLEAN_RE),
    (pytest_reportlog.RUNNER, pytest_reportlog.CLEAN_RE),
    (doctest_cpp_block.RUNNER, doctest_cpp_block.CLEAN_RE),
    (catch2_compact.RUNNER, catch2_compact.CLEAN_RE),
    (ounit_block.ALCOTEST, ounit_block.ALCOTEST_CLEAN_RE),
    (testng_block.RUNNER, testng_block.CLEAN_RE),
    (clojure_block.RUNNER, clojure_block.CLEAN_RE),
    (junit5_console.RUNNER, junit5_console.CLEAN_RE),
    ("Playwright", re.compile(r"^[1-9]\d* passed \([\d.]+(?:ms|s|m|h|d)\)$")),
    (  # its Results' total (a test class's own count goes on: `, Time elapsed: …`)
        "Maven Surefire",
        re.compile(
            r"^\[(?:INFO|WARNING)\] Tests run: \d+, Failures: 0, Errors: 0, Skipped: \d+"
            r"(?:, Flakes: \d+)?$"
        ),
    ),
    # its Testsuite summary's total (a count that fails the run is a verdict of its own)
    ("automake", re.compile(r"^# TOTAL: +\d+$")),
)

_BATS = (bats_pretty.RUNNER, bats_pretty.CLEAN_RE)  # its pretty formatter's (`bats -p`)

TAP = tap_verdicts.TAP

# A line saying something failed (a compiler's or cargo's `error:`, go's `FAIL`, a panic, a
# command's exit code): a log holding one is no clean run, whatever passed in it
FAILED_STEP = "failed step"
_FAILED_STEP = re.compile(
    r"^\s*(?:error(?:\[\w+\])?:|FAIL\b|--- FAIL|panic:|fatal:|ERROR\b|Error:|npm ERR!"
    r"|make(?:\[\d+\])?: \*\*\*)|exit(?:ed with)? (?:code|status) '?[1-9]"
)


def _examples_runner(text: str) -> str:
    """Whose passed run `text`, a whole log of `1 example, 0 failures`, is: RSpec's, whose
    `Finished in` says the time its files took to load, else hspec's."""
    return "RSpec" if rspec_block.IN_TEXT_RE.search(text) else hspec_block.RUNNER


def said_to_be(runners: set[str]) -> str:
    """The format a log of these runners' output alone is said to be: their names."""
    return ", ".join(sorted(runners))


def read_passed_alone(text: str, file: str, out: ParsedLog) -> tuple[int, str]:
    """`text`, a whole log of no format poolctl reads and no failed run: each line that is
    another runner's verdict of a passed run (a go package's `ok`, cargo's `test result: ok.`,
    Vitest's `Tests  3 passed (3)`) is a clean run, and the first line saying something failed
    beside them (a test binary that did not compile) one failure, unread. The lines read (0
    when there is no such verdict) and the format the log is said to be (`said_to_be`)."""
    lines = text.splitlines()
    runs = []
    failed_step = None
    # bats' closing line is ExUnit's shape: bats' only beside its `✓` lines
    closing = (*PASSED, _BATS) if bats_pretty.clean_run(text) else PASSED
    if hspec_block.CLEAN_IN_TEXT_RE.search(text):  # RSpec's or hspec's, by its other lines
        closing = (*closing, (_examples_runner(text), hspec_block.CLEAN_RE))
    if gradle_block.TEST_TASK_RE.search(text):  # a build's success, Gradle's run where tests ran
        closing = (*closing, (gradle_block.RUNNER, gradle_block.CLEAN_RE))
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if failed_step is None and _FAILED_STEP.search(line):
            failed_step = (number, stripped)
        for runner, passed in closing:
            if passed.match(stripped):
                runs.append(RunSummary(file, number, stripped, None, 0, read=0, source=runner))
                break
    for stream in tap_streams.clean_streams(lines) or ():
        runs.append(RunSummary(file, stream.line, stream.plan, stream.tests, 0, read=0, source=TAP))
    if not runs:
        return 0, ""
    if any(r.source == playwright_block.RUNNER for r in runs):
        playwright_block.flaky_alone(text, file, out)  # (a test that passed when retried)
    runs.sort(key=lambda run: run.line)
    out.summaries.extend(runs)
    names = said_to_be({r.source for r in runs})
    alone = f"{file}: no pytest, ExUnit or JUnit XML output in it; read for its runs' verdicts"
    if failed_step is None:
        counted = (
            ""
            if any(r.tests is None for r in runs)
            else f" ({sum(r.tests or 0 for r in runs)} tests, none failed)"
        )
        out.skipped.append(f"{alone} alone ({names}): each passed{counted}")
        return len(lines), names
    number, said = failed_step
    start = 1 + max((r.line for r in runs if r.line < number), default=0)
    out.summaries.append(
        RunSummary(
            file,
            number,
            said,
            None,
            1,
            start=start,
            read=0,
            source=FAILED_STEP,
            output_end=len(lines),  # what failed is told below that line too
        )
    )
    out.skipped.append(
        f"{alone} alone ({names}), each passed, but line {number} says a step failed ('{said}'): "
        "one failure, unread; its output is around that line"
    )
    return len(lines), names


def note_theirs_alone(
    out: ParsedLog, file: str, failures_before: int, summaries_before: int
) -> str:
    """The format `file` is said to be when the pytest parser read it for other runners'
    verdicts alone (no run of pytest's in it, none of unittest's): the runners' names
    (`said_to_be`), and a note says it; "" when it read anything else."""
    runners = {v.runner for v in VERDICTS}
    theirs = [s for s in out.summaries[summaries_before:] if s.file == file]
    if not theirs or any(s.source not in runners for s in theirs):
        return ""
    failures = out.failures[failures_before:]
    if any(f.input_file == file and "runner" not in f.details for f in failures):
        return ""
    names = said_to_be({s.source for s in theirs})
    # from their own blocks (`other_blocks`); not the runs' `read`, which counts a test failed by
    # its subtests (`node --test`) as they are
    read = sum(f.input_file == file for f in failures)
    out.skipped.append(
        f"{file}: no pytest, ExUnit or JUnit XML output in it; read for its runs' verdicts "
        f"alone ({names}), their failures counted, {read or 'none'} read"
    )
    return names


def unittest_alone(out: ParsedLog, file: str, failures_before: int, summaries_before: int) -> str:
    """The unittest runner whose run alone the pytest parser read of `file` (its `Ran N tests`
    line, its verdict, its blocks), no pytest run's: the log is said to be its
    (`read 38 lines (unittest)`), not pytest's. trial, green and zope.testrunner are named when
    their own blocks read say which ran (nose2 prints unittest's output: it is unittest's); ""
    for none."""
    ours = [s for s in out.summaries[summaries_before:] if s.file == file]
    if not ours or any(
        s.source not in (UNITTEST, unittest_runners.ZOPE) and not s.text.startswith("Ran ")
        for s in ours
    ):
        return ""
    runners = {
        f.details.get("runner", "") for f in out.failures[failures_before:] if f.input_file == file
    }
    if not runners <= _UNITTEST_RUNNERS:
        return ""
    named = sorted(r for r in runners if r != UNITTEST)
    return ", ".join(named) if named else UNITTEST


def note_failures_alone(
    out: ParsedLog, file: str, failures_before: int, summaries_before: int
) -> str:
    """The format `file` is said to be when the pytest parser read other runners' failures
    from it and no verdict of any run (a `go test` or `cargo test` run killed before its
    summary): the runners named (`go test, no verdict`), and a note says it; "" when it read
    anything else."""
    if any(s.file == file for s in out.summaries[summaries_before:]):
        return ""
    failures = [f for f in out.failures[failures_before:] if f.input_file == file]
    if not failures or any("runner" not in f.details for f in failures):
        return ""
    names = said_to_be({f.details["runner"] for f in failures})
    out.skipped.append(
        f"{file}: no pytest, ExUnit or JUnit XML output in it, and no runner's verdict: read "
        f"for {names}'s failures alone, {len(failures)} read; the run ended before its summary "
        "(killed, a time limit), so no count says how many more failed"
    )
    return names + NO_VERDICT


# a go test's result line under -v; a package's closing line (`ok  \t…`, `FAIL\t…`, `PASS`)
_GO_RESULT_RE = re.compile(r"^ *--- (?:PASS|FAIL|SKIP): (?P<name>\S+) ")
_GO_CLOSING = ("ok  \t", "FAIL\t", "PASS", "FAIL")
_GO_ENDED = ("pass", "fail", "skip")  # a -json test's (or package's) last event


def stopped_in_a_test(text: str) -> str:
    """The runner of `text`, a whole log of no format poolctl reads and no failed run, if it
    ends in a run stopped in a test (killed, a time limit) before anything failed; else "".
    `go test -v`: a test whose `=== RUN` line no result followed, no package's closing line
    after it; `-json`: a test whose `run` event no pass, fail or skip event of it or its
    package followed; `cargo test`: a test libtest said `has been running for over 60 seconds`,
    no result of it nor its target's after; `python -m unittest -v`: a last line that is a
    test's `-v` line with no outcome; bats' pretty formatter: a last line that is a test's
    running line, no result printed over it (`bats_pretty.running`); behave: its scenarios with
    no closing list nor count after them (`behave_cut.stopped_in_text`). Such a log is read as the
    pytest parser reads their output (the test it stopped in a failure); it was refused as of no
    known format, as if nothing had run."""
    running = slow = ""
    packages: dict[str, set[str]] = {}  # -json: each package's tests begun and not ended
    for line in text.splitlines():
        if line.startswith('{"Time":"'):
            _json_event(line, packages)
        elif found := go_block.RUN_RE.match(line.rstrip()):
            running = found["name"]
        elif line.startswith(_GO_CLOSING) or _ends(line, running):
            running = ""
        elif line.startswith("test ") and (found := cargo_block.SLOW_RE.match(line.rstrip())):
            slow = found["name"]
        elif line.startswith((f"test {slow} ", "test result: ")):
            slow = ""  # (its result, or its target's)
    if running or any(packages.values()):
        return go_block.RUNNER
    if slow:
        return cargo_block.RUNNER
    if bats_pretty.stopped_in_text(text):
        return bats_pretty.RUNNER
    if behave_cut.stopped_in_text(text) or behave_progress.stopped_in_text(text):
        return behave_block.RUNNER
    if zig_block.stopped_in_text(text):
        return zig_block.RUNNER
    return unittest_block.RUNNER if unittest_block.ends_in_a_test(text) else ""


def _ends(line: str, running: str) -> bool:
    """Whether `line` is the result line of the test `running`."""
    ended = _GO_RESULT_RE.match(line)
    return ended is not None and ended["name"] == running


def _json_event(line: str, packages: dict[str, set[str]]) -> None:
    """One `go test -json` event read into `packages` (a line that is no event is left)."""
    try:
        event = json.loads(line)
    except ValueError:
        return
    if not isinstance(event, dict) or not isinstance(event.get("Package"), str):
        return
    begun = packages.setdefault(event["Package"], set())
    test, action = event.get("Test"), event.get("Action")
    if action == "run" and isinstance(test, str):
        begun.add(test)
    elif action in _GO_ENDED and isinstance(test, str):
        begun.discard(test)
    elif action in _GO_ENDED:
        begun.clear()  # the package's own verdict
