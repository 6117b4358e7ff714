"""`go test`'s failures, read into `Failure`s so that they classify as any runner's failure
does (its verdict, a package's `FAIL	example.com/pool	0.51s`, says one or more of its tests
failed: `poolctl.logs.other_verdicts`).

    --- FAIL: TestRequestIsAnswered (0.30s)
        pool_test.go:69: worker 12042 started
        pool_test.go:71: No response received from worker pid 12042 within 300ms
    --- FAIL: TestReplyShape (0.00s)
        --- FAIL: TestReplyShape/result (0.00s)
            pool_test.go:98: the reply:
    FAIL
    FAIL	example.com/goblocks/pool	0.511s

Each `--- FAIL: NAME (TIME)` line is a failed test; what it logged (`file_test.go:N: message`,
and the lines that message goes on with) is indented under it, or, under `-v`, printed under
its `=== RUN   NAME` line, before its verdict. A parent that failed by its subtests alone
(nothing logged of its own) is no failure of its own: its subtests are. A panic in a test
(`panic: …` after its `--- FAIL:` line, then the goroutines' traces) ends the package's binary:
its message, and the test's frame as its place. A package whose binary ran past `-timeout`
prints `panic: test timed out after 2s` and no `--- FAIL:` line: the test it was running is
named by `running tests:` (Go 1.20 on), else by the test's frame in the goroutines' traces.
The failures of a package are kept at its verdict, grouped by the package it names.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from poolctl.logs import ginkgo_block, go_race
from poolctl.logs.records import Lines
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import Consumer

RUNNER = "go test"
SOURCE: Source = "go"
HEADER_RE = re.compile(r"^(?P<indent> *)--- FAIL: (?P<name>\S+) \([\d.]+s\)$")
RUN_RE = re.compile(r"^=== (?:RUN|CONT|NAME) +(?P<name>\S+)$")  # -v: a test's output follows
TIMEOUT_RE = re.compile(r"^panic: test timed out after \S+$")
VERDICT_RE = re.compile(r"^FAIL\t(?P<package>\S+)[\t ]")
# a package that did not build (the compiler's or vet's lines under `# PACKAGE` above it)
BUILD_FAILED_RE = re.compile(r"^FAIL\t(?P<package>\S+)[\t ]\[(?:build|setup) failed\]$")
_COMPILER_RE = re.compile(r"^(?:vet: )?(?P<file>\S+?\.go):(?P<line>\d+)(?::\d+)?: (?P<said>.+)$")
TRIGGERS = (
    go_race.TRIGGER,  # (a plain run's race report, before the test's `--- FAIL:` line)
    r"^ *--- FAIL: \S+ \([\d.]+s\)\s*$",
    r"^=== (?:RUN|CONT|NAME) +\S+\s*$",
    r"^panic: test timed out after ",
    r"^ +Failing input written to ",
)
# a failed test or a timeout, in a whole text (RE2 syntax, multi-line; a -json event's Output
# too): a package cut short before its verdict (killed, a CI job's time limit) is still read
FAILED_IN_TEXT = (
    r"^ *--- FAIL: [^\n]+ \([\d.]+s\)[ \t]*$|^panic: test timed out after "
    r'|^\{"Time":"[^"\n]*","Action":"output","Package":"[^"\n]*","Test":"[^"\n]*",'
    r'"Output":"(?: *--- FAIL: |panic: test timed out after )'
)
RESULT_RE = re.compile(r"^ *--- (?:PASS|FAIL|SKIP): (?P<name>\S+) \([\d.]+s\)$")
_LOGGED_RE = re.compile(r"^ +(?P<place>[\w.-]+\.go:\d+): (?P<said>.*)$")
# a test function's frame in a goroutine's trace: `example.com/pool.TestX(0xc000007860?)`
_TEST_FRAME_RE = re.compile(r"^(?P<package>\S+?)\.(?P<test>(?:Test|Example|Fuzz)\w*)\(")
_FILE_RE = re.compile(r"^\t(?P<file>\S+\.go):(?P<line>\d+)(?: \+0x[0-9a-f]+)?$")
_RUNNING_RE = re.compile(r"^\t(?P<name>\S+) \([\d.]+s\)$")  # under `running tests:`
# `go test -fuzz`: the input that failed, written to the package's corpus, and how to run it
FUZZ_INPUT_RE = re.compile(r"^ +Failing input written to (?P<path>\S+)$")
# a panic the fuzzing engine caught in the fuzz target, logged at testing.go's line
_CAUGHT_RE = re.compile(r"^testing\.go:\d+$")
# the tests whose `-v` output is kept until their package's verdict, at most (a package of
# thousands of passing tests that print: the oldest go first)
MAX_PRINTED = 2000
MAX_PARENTS = 10_000
# what ends a package's output: its verdict, a passing package's line, go's closing words
_ENDS = ("FAIL", "ok  \t", "PASS", "exit status ", "=== ", "--- ")


@dataclass
class GoRun:
    """What a parser saw of the current package's output: each test's lines under `-v`, and
    the failures read (kept at its verdict)."""

    printed: dict[str, Lines] = field(default_factory=dict)
    failures: list[tuple[Failure, Lines]] = field(default_factory=list)
    # under `-v`, the test whose `=== RUN` line no result line has followed yet
    running: tuple[int, str, str] | None = None  # its line's number, its name, the line
    # the `--- FAIL:` lines of parents failed by their subtests, left out (the last MAX_PARENTS):
    # gotestsum counts them (`poolctl.logs.gotestsum_block`)
    parents: list[int] = field(default_factory=list)
    race: list[str] = field(default_factory=list)  # the last race report, no test's yet


def _ends(text: str) -> bool:
    return text.startswith(_ENDS) or HEADER_RE.match(text) is not None


class VerboseOutput:
    """Under `-v`, the lines a test printed under its `=== RUN   NAME` line, kept in `run`."""

    def __init__(self, number: int, line: str, run: GoRun) -> None:
        found = RUN_RE.match(line.rstrip())
        self.name = found["name"] if found else ""
        self.lines: Lines = []
        self.run = run
        if self.name:
            run.running = (number, self.name, line.rstrip())
        if self.name and line.startswith("=== RUN"):
            run.printed.pop(self.name, None)  # a new try (`-count=N`): not the last one's lines

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        result = RESULT_RE.match(text)
        if result is not None and self.run.running and self.run.running[1] == result["name"]:
            self.run.running = None  # (its result: it did not stop the run)
        if _ends(text.lstrip()) or TIMEOUT_RE.match(text) or len(self.lines) >= MAX_BLOCK_LINES:
            return False
        if text.startswith("•") and ginkgo_block.HEADER_RE.match(text):
            return False  # a Ginkgo spec's failure the test printed: read as its own block
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        while self.lines and not self.lines[-1][1].strip():
            self.lines.pop()
        if self.name and self.lines:
            if len(self.run.printed) >= MAX_PRINTED and self.name not in self.run.printed:
                del self.run.printed[next(iter(self.run.printed))]  # (a passed test's, likely)
            self.run.printed.setdefault(self.name, []).extend(self.lines)
        return []


class GoBlock:
    """One `--- FAIL: NAME` line, the lines indented under it, and a panic after it; the failure
    goes to `run` when the block ends."""

    def __init__(self, number: int, line: str, input_file: str, run: GoRun) -> None:
        self.lines: Lines = [(number, line.rstrip())]
        self.input_file = input_file
        self.run = run
        found = HEADER_RE.match(line.rstrip())
        self.indent = len(found["indent"]) if found else 0
        self.panic = False
        # an example's output that differed: `got:`, its lines, `want:`, its lines, unindented
        self.example = found is not None and found["name"].startswith("Example")
        if found is not None and run.running and run.running[1] == found["name"]:
            run.running = None

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or text.lstrip().startswith("--- "):
            return False  # (a subtest's result, under `-v` a passed one's too)
        if self.panic:  # the goroutines' traces, up to the package's verdict
            if text.startswith(("FAIL", "ok  \t", "exit status ")):
                return False
        elif self.example and (text == "got:" or len(self.lines) > 1):
            if _ends(text):
                return False
        elif text.startswith("panic: ") and not TIMEOUT_RE.match(text):
            self.panic = True
        elif not text.strip() or len(text) - len(text.lstrip()) <= self.indent:
            return False  # (a blank line, or one not indented under its header)
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        while len(self.lines) > 1 and not self.lines[-1][1].strip():
            self.lines.pop()
        found = HEADER_RE.match(self.lines[0][1])
        if found is None:
            return []
        name = found["name"]
        body = [t for _, t in self.lines[1:]]
        if self.run.race and any(go_race.SAID in t for t in body):
            body, self.run.race = self.run.race + body, []  # (printed before its `--- FAIL:`)
        printed = self.run.printed.get(name, [])
        failure = test_failure(name, [t for _, t in printed] + body, self.input_file, self.lines)
        self.run.failures.append((failure, self.lines))
        return []


class TimedOut:
    """`panic: test timed out after 2s` and the goroutines' traces after it: the test it was
    running is the failure."""

    def __init__(self, number: int, line: str, input_file: str, run: GoRun) -> None:
        self.lines: Lines = [(number, line.rstrip())]
        self.input_file = input_file
        self.run = run

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or text.startswith(("FAIL", "ok  \t")):
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        while len(self.lines) > 1 and not self.lines[-1][1].strip():
            self.lines.pop()
        texts = [t for _, t in self.lines]
        names = _running(texts)
        how = "named by go's `running tests:` list"
        if not names:
            names, how = _hung_in_traces(texts), "its frame in the goroutines' traces"
        said = texts[0].removeprefix("panic: ")
        for name, location in names or [("(the test running at the timeout)", "")]:
            printed = [t for _, t in self.run.printed.get(name, [])]
            failure = test_failure(name, printed, self.input_file, self.lines)
            details = dict(failure.details)
            details["text"] = clip("\n".join(printed + texts), MAX_FIELD)
            details["timed out"] = f"the test binary stopped: {said}; the test {how}"
            failure = block_failure(
                SOURCE, self.input_file, self.lines, name=name, group="",
                location=location or failure.location, kind="timeout",
                message="\n".join([*([failure.message] if failure.message else []), said]),
                details=details, frames=_frames(texts),
            )  # fmt: skip
            self.run.failures.append((failure, self.lines))
        return []


def _running(texts: list[str]) -> list[tuple[str, str]]:
    """The tests Go 1.20 on names under `running tests:`."""
    if "running tests:" not in texts:
        return []
    names: list[tuple[str, str]] = []
    for text in texts[texts.index("running tests:") + 1 :]:
        found = _RUNNING_RE.match(text)
        if found is None:
            break
        names.append((found["name"], ""))
    return names


def _hung_in_traces(texts: list[str]) -> list[tuple[str, str]]:
    """The tests whose functions' frames a goroutine's trace holds, with their places."""
    names: list[tuple[str, str]] = []
    for i, text in enumerate(texts):
        found = _TEST_FRAME_RE.match(text)
        if found is None or any(found["test"] == n for n, _ in names):
            continue
        place = _FILE_RE.match(texts[i + 1]) if i + 1 < len(texts) else None
        names.append((found["test"], f"{place['file']}:{place['line']}" if place else ""))
    return names


def _frames(texts: list[str]) -> list[str]:
    """A panic's first goroutine's frames, `file:line: in function`."""
    frames: list[str] = []
    function = ""
    for text in texts:
        if text.startswith("goroutine ") and frames:
            break
        place = _FILE_RE.match(text)
        if place is not None and function:
            frames.append(f"{place['file']}:{place['line']}: in {function}")
        elif text and not text.startswith(("\t", "goroutine ", "panic: ")):
            function = text.split("(", 1)[0]
    return frames


_OWN_FRAME_RE = re.compile(r"\.(?P<test>(?:Test|Example|Fuzz)\w*)(?:\.func\d+(?:\.\d+)*)?$")


def _of(frame: str, name: str) -> bool:
    """Whether `frame` (`file:line: in pkg.TestX.func1`) is test `name`'s function's or one of
    its closures' (a subtest's, a fuzz target's)."""
    found = _OWN_FRAME_RE.search(frame)
    return found is not None and found["test"] == name.split("/")[0]


def test_failure(name: str, body: list[str], input_file: str, lines: Lines) -> Failure:
    """The failure of test `name`, from what it logged and its panic's lines `body`."""
    said: list[str] = []
    location = ""
    kind = ""
    panic: list[str] = []
    if body[:1] == ["got:"] and "want:" in body:  # an example's output, and what it wanted
        said, body = body, []
    for text in body:
        logged = _LOGGED_RE.match(text)
        if logged and _CAUGHT_RE.match(logged["place"]) and logged["said"].startswith("panic: "):
            text = logged["said"]  # (the fuzzing engine's: its trace indented under it)
        if panic:
            panic.append(text.lstrip(" "))  # (indented under the engine's line: a tab kept)
        elif text.startswith("panic: "):
            panic.append(text)
        elif logged is not None:
            location = logged["place"]
            said.append(logged["said"])
        elif said and text.strip():
            said.append(text.strip())  # a message's further lines, indented under it
    race = go_race.race(body)
    if race is not None:  # where the race detector saw it, not go's testing.go line
        kind, location = go_race.KIND, race[1]
        said.append(race[0])
    if panic:
        kind = "panic"
        said.append(panic[0].removeprefix("panic: ").removesuffix(" [recovered]"))
        frames = _frames(panic)
        mine = [f for f in frames if _of(f, name)]  # the test's frame, or its closure's
        if mine:
            location = mine[0].split(": in ")[0]
    else:
        frames = []
    details = {"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)}
    if not body:
        details["note"] = "its `--- FAIL:` line alone: it logged nothing"
    return block_failure(
        SOURCE,
        input_file,
        lines,
        name=name,
        group="",
        location=location,
        kind=kind,
        message="\n".join(said).strip("\n"),
        details=details,
        frames=frames,
    )


def kept(run: GoRun, package: str, done: Callable[[Failure, Lines], object]) -> int:
    """A package's verdict (or the input's end, `package` ''): its failures are kept, each
    grouped by its package; a parent that logged nothing, one of whose subtests failed, is
    left out (its subtests are its failures). Returns how many were kept."""
    names = [f.name for f, _ in run.failures]
    count = 0
    for at, (failure, lines) in enumerate(run.failures):
        parent = failure.name
        if not failure.message and (
            any(n.startswith(f"{parent}/") for n in names) or _fuzzed(run.failures, at)
        ):
            run.parents[: max(0, len(run.parents) - MAX_PARENTS + 1)] = []
            run.parents.append(lines[0][0])
            continue
        if package:
            failure = dataclasses.replace(failure, group=package)
        done(failure, lines)
        count += 1
    run.failures.clear()
    run.printed.clear()
    run.running = None
    return count


def _fuzzed(failures: list[tuple[Failure, Lines]], at: int) -> bool:
    """Whether the failure at `at` is a fuzz test's own line over the failure the fuzzing engine
    reports of its target, of the same name, indented under it (`go test -fuzz`)."""
    if at + 1 >= len(failures):
        return False
    (failure, lines), (inner, inner_lines) = failures[at], failures[at + 1]
    indent = len(lines[0][1]) - len(lines[0][1].lstrip())
    deeper = len(inner_lines[0][1]) - len(inner_lines[0][1].lstrip()) > indent
    return inner.name == failure.name and failure.name.startswith("Fuzz") and deeper


class FuzzInput:
    """`go test -fuzz`'s word of the input that failed, after its failure's lines: `Failing
    input written to testdata/fuzz/FuzzX/…`, `To re-run:` and the command, kept in the details
    of the fuzz test's last failure read."""

    def __init__(self, number: int, line: str, run: GoRun) -> None:
        self.lines: Lines = [(number, line.rstrip())]
        self.run = run

    def feed(self, number: int, line: str) -> bool:
        text = line.strip()
        if len(self.lines) > 2 or not (text == "To re-run:" or text.startswith("go test -run=")):
            return False
        self.lines.append((number, line.rstrip()))
        return True

    def close(self) -> Lines:
        found = FUZZ_INPUT_RE.match(self.lines[0][1])
        mine = [i for i, (f, _) in enumerate(self.run.failures) if f.name.startswith("Fuzz")]
        if found is None or not mine:
            return []
        failure, lines = self.run.failures[mine[-1]]
        details = {**failure.details, "fuzz input": found["path"]}
        rerun = [t.strip() for _, t in self.lines if t.strip().startswith("go test -run=")]
        if rerun:
            details["rerun"] = rerun[0]
        failure = dataclasses.replace(
            failure, details=details, line_end=max(failure.line_end, self.lines[-1][0])
        )
        self.run.failures[mine[-1]] = (failure, [*lines, *self.lines])
        return []


def stopped_in(run: GoRun, input_file: str) -> None:
    """The input ended in a package's `-v` output, before its verdict: the test whose `=== RUN`
    line no result followed is the one it stopped in (killed, a time limit), a failure read from
    what it logged."""
    if run.running is None:
        return
    number, name, text = run.running
    printed = [t for _, t in run.printed.get(name, [])]
    lines = [(number, text)]
    failure = test_failure(name, printed, input_file, lines)
    said = "the run stopped while this test ran: its `=== RUN` line has no result, no verdict"
    details = {**failure.details, "note": said}
    failure = dataclasses.replace(
        failure, kind="stopped", message=failure.message or said, details=details
    )
    run.failures.append((failure, lines))
    run.running = None


def start(run: GoRun, number: int, line: str, input_file: str) -> Consumer | None:
    """The consumer `line` of a go package's output begins: a `--- FAIL: NAME (TIME)` block,
    `-v`'s output of a test under its `=== RUN` line, or a package's `panic: test timed out`;
    None when it begins none."""
    text = line.rstrip()
    if text.lstrip().startswith("--- FAIL: ") and HEADER_RE.match(text):
        return GoBlock(number, line, input_file, run)
    if text.startswith("=== ") and RUN_RE.match(text):
        return VerboseOutput(number, line, run)
    if text.startswith("panic: ") and TIMEOUT_RE.match(text):
        return TimedOut(number, line, input_file, run)
    if text == go_race.START:
        return RaceReport(run)
    if text.startswith(" ") and FUZZ_INPUT_RE.match(text):
        return FuzzInput(number, line, run)
    return None


class RaceReport:
    """A race report printed before the `--- FAIL:` line of the test it failed (no `-v`), up to
    its closing rule: kept in `run` for that test's block."""

    def __init__(self, run: GoRun) -> None:
        self.run = run
        self.lines = [go_race.START]

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if text == go_race.RULE or len(self.lines) >= MAX_BLOCK_LINES or text.startswith("--- "):
            return False
        self.lines.append(text)
        return True

    def close(self) -> Lines:
        self.run.race = self.lines
        return []


def build_failure(
    package: str, before: Lines, number: int, line: str, input_file: str
) -> tuple[Failure, Lines] | None:
    """A package's `FAIL … [build failed]` line: the failure the compiler's (or vet's) lines
    under its `# PACKAGE` heading in `before` (the lines just above) say, named by the package
    (`pool (build)`), placed at the first; None when no such heading is there."""
    heads = [i for i, (_, t) in enumerate(before) if t.split(" [")[0] == f"# {package}"]
    if not heads:
        return None
    lines = [*before[heads[-1] :], (number, line.rstrip())]
    errors = [found for _, t in lines if (found := _COMPILER_RE.match(t))]
    location = f"{errors[0]['file']}:{errors[0]['line']}" if errors else ""
    said = [
        f"{e['file']}:{e['line']}: {e['said']}" if i else e["said"] for i, e in enumerate(errors)
    ]
    failure = block_failure(
        SOURCE, input_file, lines, name=f"{package.rsplit('/', 1)[-1]} (build)", group=package,
        location=location, kind="build error", message="\n".join(said) or line.strip(),
        details={"runner": RUNNER, "text": clip("\n".join(t for _, t in lines), MAX_FIELD)},
        frames=[],
    )  # fmt: skip
    return failure, lines
