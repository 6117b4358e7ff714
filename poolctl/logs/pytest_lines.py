"""What pytest's console lines look like, to `poolctl.logs.pytest_log`'s parser: the triggers
that send a line outside any block to it, and the shapes of the lines it reads there (progress
lines, short summary lines, the lines that begin or end a run).
"""

from __future__ import annotations

import re

from poolctl.logs import (
    no_tests_ran,
    other_blocks,
    pytest_doctest_line,
    pytest_fatal,
    pytest_pretty,
    pytest_run_errors,
    reruns,
    run_end_lines,
    side_by_side,
    verdict_lines,
)
from poolctl.logs.passes import PROGRESS_INFO, outcome_lines
from poolctl.logs.pytest_timeout import BANNER_TRIGGER

# pytest-sugar's session start (`Test session starts (platform: linux, …, pytest-sugar 1.1.1)`)
SUGAR_SESSION = r"^Test session starts \(platform: "
# Python's report of an exception it could not raise (`Exception ignored in: <coroutine …>`: a
# coroutine closed after its event loop, as pytest-asyncio 0.25 on Python 3.13 leaves them),
# written on stderr in the middle of a `pytest -q` progress line
UNRAISABLE = "Exception ignored in: "
# `pytest -s -q` killed: letters glued to what the tests printed, then bash's job-status line
# naming pytest (`EworkerF/ci/step.sh: line 1: 22190 Killed   pytest -s -q`)
QUIET_PRINTED_KILLED = (
    rf"^[.sxXFE,u]+\S.*?(?:/\S+|[a-z]*sh): line \d+: +\d+ {run_end_lines.SIGNALS} .*\bpytest\b"
)
QUIET_PRINTED_KILLED_RE = re.compile(QUIET_PRINTED_KILLED)
# pytest-xdist's line of a worker that crashed, written after the letters printed so far with no
# newline between (`.F[gw1] node down: Not properly terminated`)
NODE_DOWN = r"\[gw\d+\] node down: "
NODE_DOWN_RE = re.compile(r"^\[(?P<worker>gw\d+)\] node down: ")
_GLUED_REPORT_RE = re.compile(rf"{re.escape(UNRAISABLE)}|{NODE_DOWN}")
# What sends a line outside any block to `outside` (RE2 syntax, searched over bytes; `^` starts
# a line).
TRIGGERS = (
    r"^[=_]",
    r"^(?:FAILED|ERROR) |^SUBFAILED",
    r"^E(?: |$)",
    r"\.py:\d+: ",
    r"^<[^>\n]+>:\d+: ",  # --tb=line's location in a frozen module (`<frozen os>:679: …`)
    r" (?:failed|passed|errors?|skipped)\b",
    r"no tests ran",
    r" collected(?: \(\d+ deselected\))?(?:, \d+ errors?)? in ",  # `pytest --co`'s closing line
    r"^\d+ deselected in ",  # `-q`'s closing line of a run whose every test was deselected
    r"Traceback \(most recent call last\):",
    r"\.py [.sxXFE,u]*[FEu]",  # a progress line with failures (`t.py F.F  [ 50%]`)
    r"^[.sxXFE,u]*[FEu][.sxXFE,u]*(?: +\[ *\d+%\])?\s*$",  # pytest-xdist's, marks alone
    r"(?:FAILED|ERROR) +\[",  # a verbose progress line (`t.py::test_a FAILED  [ 50%]`)
    # ... with `console_output_style = times` (`… FAILED  1.250s`) or `classic` (nothing after)
    r"::\S.* (?:FAILED|ERROR)(?: +\d[\d.]*(?:us|ms|s|m \d+s))?\s*$",
    r"\] (?:FAILED|ERROR) ",  # pytest-xdist's (`[gw0] [ 50%] FAILED t.py::test_a`)
    # ... under `times` (`[gw0] 1.250s FAILED t.py::test_a`) or `classic` (`[gw0] FAILED …`)
    r"^\[gw\d+\] (?:\d[\d.]*(?:us|ms|s|m \d+s) )?(?:FAILED|ERROR) ",
    # live logging: a test's start, its node id alone (`t.py::test_a `), and after its live
    # log its outcome alone on a line (`FAILED  [ 20%]`, or as the styles above end it)
    r"^[^\s\[]+::[^\n]* $",
    r"^(?:FAILED|ERROR)(?: +\d[\d.]*(?:us|ms|s|m \d+s))?\s*$",
    # ... or glued to what a test printed with no newline at its end, under `-s -v`
    r"\S ?(?:FAILED|ERROR)(?: +\[ *\d+%\])?\s*$",
    r" SUBFAILED[\[(]",  # a failed subtest's progress line (`-v`'s, pytest-xdist's)
    r"\[ *100%\]\s*$|\[ *\d+/\d+\]\s*$",  # the run's last progress line (`LAST_PROGRESS_RE`)
    r"^-+ (?:Captured |.+ log -|Logs? -)",  # a test's captured output (`---- Captured … ----`)
    BANNER_TRIGGER,  # pytest-timeout's dump, when it ends the whole run
    pytest_fatal.TRIGGER,  # a test killed the interpreter (faulthandler's dump)
    pytest_fatal.TIMEOUT_TRIGGER,  # pytest's faulthandler_timeout dumped the stacks
    r"^rootdir: ",  # what the run's node ids are relative to
    reruns.TRIGGER,  # pytest-rerunfailures ran a test again
    *pytest_run_errors.TRIGGERS,  # the run failed outside any test
    *verdict_lines.TRIGGERS,  # another runner's run failed in the same log (unittest, Jest…)
    *no_tests_ran.TRIGGERS,  # unittest's run of no test; its command line, failfast
    *other_blocks.TRIGGERS,  # ... the failure blocks of TAP and Vitest, read
    *side_by_side.TRIGGERS,  # tox starting or ending an environment; another run's letters
    r"\d+ tests?, \d+ failures?",  # ExUnit's closing line: `mix test` ran in the same log
    r"^ {1,6}\d{1,7}\) (?:test|doctest|property) ",  # ... its failure's header (a run killed)
    r"(?:\.py |[^=\s])=+ test session starts =",  # a test's session under `-s` (pytester's)
    r"^!+ stopping after \d+ failures? !+",  # -x or --maxfail: the tests after it did not run
    r"^!+ Interrupted: Test failed, continuing ",  # --sw: likewise
    r"^run-last-failure: rerun previous ",  # --lf: only the tests that failed last time ran
    pytest_pretty.TRIGGER,  # pytest-pretty's and pytest-sugar's closing lines
    pytest_pretty.FAILED_TRIGGER,  # pytest-pretty's line as a test fails
    pytest_pretty.QUIET_FAILED_TRIGGER,  # ... under `-q`, glued to a progress line
    pytest_doctest_line.EXAMPLE_TRIGGER,  # a doctest's failed example, under `--tb=line`
    pytest_pretty.XPASS_TRIGGER,  # `--tb=line`'s strict xpass (named by pytest-pretty's line)
    "^\u2015{3,} ",  # pytest-sugar's block header
    SUGAR_SESSION,  # pytest-sugar's session start
    # `pytest -q` killed: its letters, then the shell's job-status line (or dash's `Killed`)
    rf"^[.sxXFE,u]+(?:(?:/\S+|[a-z]*sh): line \d+: +\d+ |{run_end_lines.SIGNALS}\s*$)",
    rf"^[.sxXFE,u]+{UNRAISABLE}",  # `pytest -q`'s letters, then such a report glued to them
    rf"^[.sxXFE,u]+{NODE_DOWN}",  # pytest-xdist's letters, then its line of a worker that crashed
    rf"^{NODE_DOWN}",  # ... or that line alone (`-v`: the crashed test's line follows)
    # ... under `-s`, glued to what its last test printed, then bash's line naming pytest
    QUIET_PRINTED_KILLED,
)
# --lf (with --ff, "… failures first", every test runs; "(skipped N files)" may follow)
LAST_FAILED_RE = re.compile(r"^run-last-failure: rerun previous (\d+) failures?(?! first)\b")
# a session that began on a progress line (`t.py ===…`, `F===…`): a test printed it
GLUED_SESSION_RE = re.compile(r"(?:\.py |[^=\s])=+ test session starts =+\s*$")


EXUNIT_CLOSING_RE = re.compile(r"^(?:\d+ \w+, )*\d+ tests?, \d+ failures?\b")
EXUNIT_HEADER_RE = re.compile(r"^ {1,6}\d{1,7}\) (?:test|doctest|property) .* \([A-Z][\w.]*\)\s*$")
# a subtest's parameters, in parentheses that may hold parentheses three deep (`(args=(0.0,
# 1.0))`, `(start=datetime.datetime(1, 1, 1))`), matched without backtracking
_SUB_PARAMS = r"\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)"
SUMMARY_LINE_RE = re.compile(
    r"^(?:(?P<outcome>FAILED|ERROR)|SUBFAILED(?P<sub>(?:\[[^\]]*\])?(?: ?" + _SUB_PARAMS + r")?)) "
    # (its parameters' brackets balanced first: an id may hold ` - `, `[test[w [1] - z]`)
    r"(?P<nodeid>[^\s\[]+(?:\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]|\[[^\n]*?\])?)"
    r"(?: - (?P<message>.*))?$"
)
# a progress line that shows a failure (the marks are checked for one apart: a regex requiring
# one among them backtracks over every split of a long run of marks)
PROGRESS_RE = re.compile(
    rf"^(?:(?:\S+\.py )?(?P<marks>[.sxXFE,u]+)(?: +{PROGRESS_INFO})?"
    rf"|(?: {{8}})?\S+::\S.* (?:FAILED|ERROR)(?: +{PROGRESS_INFO})?"  # (`--setup-show` indents)
    rf"|\[gw\d+\](?: {PROGRESS_INFO})? (?:FAILED|ERROR) \S+(?:\[.*\])?"
    r"|(?:\S+::\S.*|\[gw\d+\].*) SUBFAILED[\[(].*)\s*$"  # a failed subtest's
)
# a progress line of marks alone with its percentage, as `pytest -qq` prints it
QUIET_PROGRESS_RE = re.compile(r"^[.sxXFE,u]+ +\[ *\d+%\]\s*$")
# the progress line of a run's last test (`t.py ..F  [100%]`, `[10/10]`): only the run's own
# sections and closing line follow it
LAST_PROGRESS_RE = re.compile(r"\[ *(?:100%|(\d+)/\1)\]\s*$")
# pytest-xdist's line of a test's result (`[gw0] [ 66%] PASSED t.py::test_a`): its workers' tests
# end in any order, so the last of them does not say which test was still running
XDIST_RESULT_RE = outcome_lines("[A-Z]+")["xdist"]
# a file's progress letters with no `[ NN%]` after them: the line was still being written
CUT_MARKS_RE = re.compile(r"^\S+\.py [.sxXFE,u]*\s*$")
# ... or, under `-s`, what its test printed after them (`t.py ..waiting for the pool`): no
# `[ NN%]` is printed under `-s`, and the letters glued to such output are not counted
PRINTED_CUT_RE = re.compile(rf"^\S+\.py [.sxXFE,u]*[^\s:](?!.*(?:\[ *\d+%\]|{PROGRESS_INFO})\s*$)")
# `pytest -q`'s letters (no file name) cut before their `[ NN%]` by what ended the run
QUIET_MARKS_RE = re.compile(r"[.sxXFE,u]+")
ERROR_SECTIONS = ("FAILURES", "ERRORS")
# sections of tests' blocks: `-rA`'s PASSES holds passing tests' captured output, no failure
BLOCK_SECTIONS = (*ERROR_SECTIONS, "PASSES")


def marks_before_unraisable(line: str) -> str:
    """The progress letters such a report is glued to (`FE.Exception ignored in: …`), or a
    crashed worker's line (`.F[gw1] node down: …`); else ''."""
    found = _GLUED_REPORT_RE.search(line)
    at = found.start() if found else 0
    return line[:at] if at > 0 and QUIET_MARKS_RE.fullmatch(line[:at]) else ""
