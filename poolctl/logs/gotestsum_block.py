"""gotestsum's summary of a `go test` run, read into `Failure`s: it runs `go test -json` and
prints, whatever its format (`pkgname`, `testname`, `dots`, `standard-verbose`…), each failed
test again at the end, then its count:

    === Failed
    === FAIL: pool TestCheckoutTimesOut (0.00s)
        pool_test.go:11: timed out waiting for a worker after 200ms

    === FAIL: pool TestSizes (0.00s)

    === Errors
    broken/broken_test.go:5:28: undefined: undefinedThing

    DONE 11 tests, 1 skipped, 5 failures, 1 error in 1.342s

Each `=== FAIL: PACKAGE TEST (TIME)` block is a failed test, its package as gotestsum prints it
(relative to the module), what it logged under it as `go test -v` prints it
(`poolctl.logs.go_block` reads that). A parent that logged nothing, one of whose subtests
failed, is counted by gotestsum and is no failure of its own (as `go test`'s). Each line of the
`=== Errors` section is a package that did not build (`go vet`'s, the compiler's), a failure
named by its file. `--rerun-fails` prints a `DONE` line after each attempt (`DONE 2 runs, …`),
the last one after the section, where each attempt of a test has its block (`(re-run 1)`): one
failure each test that failed every try, its tries counted once; a test whose last failed try
is before the last run passed when run again (gotestsum exits 0 when all did): flaky, no
failure (`poolctl.logs.reruns`), a run of such tests alone no failed run. The tests' own output
printed before the section (`testname`'s, `standard-verbose`'s: `go test`'s lines, read as such)
is the same failures: the section's are kept where those were not.
"""

from __future__ import annotations

import dataclasses
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from poolctl.logs import go_block, go_package, go_runs
from poolctl.logs.records import Lines, ParsedLog
from poolctl.logs.reruns import add_rerun
from poolctl.logs.scan import MAX_BLOCK_LINES, block_failure
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.scan import Consumer, TextParser

RUNNER = "gotestsum"
FAILED = "=== Failed"
ERRORS = "=== Errors"
HEADER_RE = re.compile(
    r"^=== FAIL: (?P<package>\S+) (?P<name>\S*)(?: \(re-run (?P<rerun>\d+)\))? \([\d.]+s\)$"
)
VERDICT_RE = re.compile(
    r"^DONE (?:(?P<runs>\d+) runs, )?\d+ tests?(?:, \d+ skipped)?(?:, (?P<failed>\d+) failures?)?"
    r"(?:, (?P<errors>\d+) errors?)? in [\d.]+s$"
)
TRIGGERS = (r"^=== (?:Failed|Errors)\s*$", r"^=== FAIL: \S+ \S* ")
# a failed test's block in a whole text (RE2 syntax, multi-line): a summary cut before its count
# (killed, a time limit) is still read
FAILED_IN_TEXT = r"^=== FAIL: \S+ \S+(?: \(re-run \d+\))? \([\d.]+s\)[ \t]*$"
VERDICT_TRIGGER = r"^DONE (?:\d+ runs, )?\d+ tests?(?:, \d+ skipped)?, \d+ (?:failure|error)"
# what ends a block of the summary: the next block, section or count (a block holds go's own
# `=== RUN` lines where gotestsum left them)
_SECTION = ("=== FAIL: ", "=== SKIP: ", FAILED, ERRORS, "=== Skipped")
_BUILD_ERROR_RE = re.compile(r"^(?P<file>\S+?\.go):(?P<line>\d+)(?::\d+)?: (?P<said>.+)$")

Keep = Callable[[Failure, Lines], None]


@dataclass
class Summary:
    """The failures read from one run's summary, kept at its `DONE` line."""

    failed: list[tuple[Failure, Lines]] = field(default_factory=list)
    listed: bool = False  # its `=== Failed` heading was read (`--hide-summary=failed`: none)
    attempts: int = 0  # blocks of tests that failed again in a re-run (`(re-run N)`)
    # each test's last re-run that failed, by (package, test)
    last_try: dict[tuple[str, str], int] = field(default_factory=dict)


_SUMMARY: weakref.WeakKeyDictionary[TextParser, Summary] = weakref.WeakKeyDictionary()


class FailedTest:
    """`=== FAIL: PACKAGE TEST (TIME)` and what the test logged, up to the next block."""

    def __init__(self, number: int, line: str, input_file: str, summary: Summary) -> None:
        self.lines: Lines = [(number, line.rstrip())]
        self.input_file = input_file
        self.summary = summary

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or text.startswith(_SECTION) or _done(text):
            return False
        self.lines.append((number, text))  # (go's `=== RUN` lines in it too: left out below)
        return True

    def close(self) -> Lines:
        while len(self.lines) > 1 and not self.lines[-1][1].strip():
            self.lines.pop()
        found = HEADER_RE.match(self.lines[0][1])
        if found is None:
            return []
        if found["rerun"]:  # the same test failed again: counted once
            self.summary.attempts += 1
            key = (found["package"], found["name"])
            self.summary.last_try[key] = max(int(found["rerun"]), self.summary.last_try.get(key, 0))
            return []
        # (a subtest's result line is kept under it: `    --- FAIL: TestSizes/large (0.00s)`)
        body = [
            t
            for _, t in self.lines[1:]
            if not go_block.RESULT_RE.match(t) and not go_block.RUN_RE.match(t)
        ]
        if not found["name"]:  # the package failed, no test of it: what it printed
            printed = go_package.printed_above(self.lines[1:])
            failure = go_package.package_failure(
                found["package"], printed, self.lines, self.input_file, RUNNER
            )
            self.summary.failed.append((failure, self.lines))
            return []
        failure = go_block.test_failure(found["name"], body, self.input_file, self.lines)
        details = {**failure.details, "runner": RUNNER}
        failure = dataclasses.replace(failure, group=found["package"], details=details)
        self.summary.failed.append((failure, self.lines))
        return []


class BuildErrors:
    """The `=== Errors` section: each `FILE.go:LINE:COL: message` line a package that did not
    build, the lines that go on with it (an indented detail) its message's."""

    def __init__(self, number: int, input_file: str, summary: Summary) -> None:
        self.input_file = input_file
        self.summary = summary
        self.read = 0

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if self.read >= MAX_BLOCK_LINES or text.startswith(_SECTION) or _done(text):
            return False
        self.read += 1
        found = _BUILD_ERROR_RE.match(text)
        if found is None:
            return True  # (a blank line, go's `# package` heading)
        package = found["file"].rpartition("/")[0] or "."
        failure = block_failure(
            go_block.SOURCE, self.input_file, [(number, text)], name=f"{package} (build)",
            group=package, location=f"{found['file']}:{found['line']}", kind="build error",
            message=found["said"], details={"runner": RUNNER, "text": text}, frames=[],
        )  # fmt: skip
        self.summary.failed.append((failure, [(number, text)]))
        return True

    def close(self) -> Lines:
        return []


def start(parser: TextParser, number: int, line: str) -> Consumer | None:
    """The block `line` begins in gotestsum's summary, if it begins one."""
    text = line.rstrip()
    if text == FAILED:
        _SUMMARY[parser] = Summary(listed=True)
        return None
    if text == ERRORS:
        return BuildErrors(number, parser.name, _SUMMARY.setdefault(parser, Summary()))
    if text.startswith("=== FAIL: ") and HEADER_RE.match(text):
        return FailedTest(number, line, parser.name, _SUMMARY.setdefault(parser, Summary()))
    return None


def done(parser: TextParser, number: int, line: str, keep: Keep) -> None:
    """gotestsum's `DONE` line (its run recorded, the last of `parser`'s summaries): the
    failures its summary listed are kept, less those `go test`'s own lines printed before it
    were read as (and their packages' verdicts, which it counts again)."""
    found = VERDICT_RE.match(line.strip())
    summary = _SUMMARY.pop(parser, Summary())
    out, file = parser.out, parser.name
    if found is None or not out.summaries or out.summaries[-1].line != number:
        return
    run = out.summaries.pop()  # (put back once the runs it counts again are dropped)
    live, first = _counted_again(out, file, again=bool(found["runs"]))
    if found["runs"] and summary.listed:  # (`--rerun-fails`: `testname`'s go lines of each try)
        live = _tries_dropped(out, file, first)
    if summary.listed:
        go_runs.discard(parser)  # (`testname`'s: go's lines of the failures, not kept yet)
        go_runs.parents(parser, first)
    else:  # no list (`--hide-summary=failed`): go's lines before it are its failures
        go_runs.kept(parser, "", keep)
        out.failed_by_subtests.setdefault(file, []).extend(go_runs.parents(parser, first))
    names = [f.name for f, _ in summary.failed]
    runs = int(found["runs"] or 1)
    passed_again = 0  # first tries of tests that passed on a re-run
    rerun: set[str] = set()  # the tests whose reruns are counted
    for failure, lines in summary.failed:
        tries = summary.last_try.get((failure.group, failure.name), 0)
        # re-run after its last failed try, it passed: flaky, not a failure of the run
        flaky = runs > 1 and tries < runs - 1 and failure.kind != "build error"
        # a parent failed by its subtests: counted by gotestsum, theirs read (and rerun)
        parent = not failure.message and any(n.startswith(f"{failure.name}/") for n in names)
        key = f"{failure.group}::{failure.name}"
        if (flaky or tries) and not parent and key not in rerun:
            # (once: under `-count=2` a test's two runs of a try are two blocks, rerun alike)
            rerun.add(key)
            add_rerun(out, key, tries + 1 if flaky else tries, failure.message)
        if flaky:
            passed_again += 1
            continue
        if parent:
            out.failed_by_subtests.setdefault(file, []).append(lines[0][0])
            continue
        if (failure.group, failure.name) not in live:
            keep(failure, lines)
    if run.failures and (summary.attempts or passed_again):  # each test once, not each try
        run = dataclasses.replace(run, failures=run.failures - summary.attempts - passed_again)
    if not run.failures:  # (its note that its failures are not read)
        out.skipped[:] = [n for n in out.skipped if not n.startswith(f"{file}:{number}: ")]
    out.summaries.append(run)


def _tries_dropped(out: ParsedLog, file: str, first: int) -> set[tuple[str, str]]:
    """`--rerun-fails` under a format that prints go's lines (`testname`): each try's were
    read as failures at its own `DONE` line, which could not tell that a run again would
    follow. The last `DONE` line's summary lists every try (`(re-run 1)`) and says which
    passed at last: go's lines' failures from `first` on are dropped, the summary's kept (no
    failure of go's lines left to keep it from)."""
    out.failures[:] = [
        f
        for f in out.failures
        if not (
            f.input_file == file
            and f.line_start >= first
            and f.details.get("runner") == go_block.RUNNER
        )
    ]
    parents = out.failed_by_subtests.get(file, [])
    parents[:] = [n for n in parents if n < first]
    return set()


def stopped(parser: TextParser, keep: Keep) -> None:
    """The input ended in gotestsum's summary, before its `DONE` line (killed, a time limit):
    the failures it listed are kept (and go's lines of those, printed before it, left); a
    parent failed by its subtests is no failure of its own."""
    summary = _SUMMARY.pop(parser, None)
    if summary is None or not summary.failed:
        return
    names = [f.name for f, _ in summary.failed]
    go_runs.discard(parser, set(names))
    for failure, lines in summary.failed:
        if failure.message or not any(n.startswith(f"{failure.name}/") for n in names):
            keep(failure, lines)


def _counted_again(out: ParsedLog, file: str, *, again: bool) -> tuple[set[tuple[str, str]], int]:
    """The runs this `DONE` line counts again, dropped: the verdicts of `go test`'s packages
    printed before it since the run before (`standard-verbose`, `standard-quiet`), and, `again`
    (`--rerun-fails`), the `DONE` lines of its earlier attempts. Returns the failures read from
    go's lines in that stretch, as (package, test), the package in each of its shorter forms
    (gotestsum names it relative to the module), and the stretch's first line."""
    drop = ("go test", RUNNER) if again else ("go test",)
    while out.summaries and out.summaries[-1].file == file and out.summaries[-1].source in drop:
        dropped = out.summaries.pop()
        at = f"{file}:{dropped.line}: "  # (its note that its failures are not read)
        out.skipped[:] = [n for n in out.skipped if not n.startswith(at)]
    before = [s.line for s in out.summaries if s.file == file]
    first = max(before, default=0) + 1
    live: set[tuple[str, str]] = set()
    for failure in reversed(out.failures):
        if failure.input_file != file or failure.line_start < first:
            break
        if failure.details.get("runner") == go_block.RUNNER:
            parts = failure.group.split("/")
            live.update(("/".join(parts[i:]), failure.name) for i in range(len(parts)))
    return live, first


def _done(text: str) -> bool:
    return text.startswith("DONE ") and VERDICT_RE.match(text) is not None
