"""`cargo test`'s failures, read into `Failure`s so that they classify as any runner's failure
does (its verdict, `test result: FAILED. 1 passed; 2 failed; …`, counts them:
`poolctl.logs.other_verdicts`).

         Running unittests src/lib.rs (target/debug/deps/pool_blocks-ab4e4bd372e9c6db)

    running 6 tests
    test tests::second_checkout_waits ... FAILED

    failures:

    ---- tests::second_checkout_waits stdout ----

    thread 'tests::second_checkout_waits' (10295) panicked at src/lib.rs:86:13:
    checkout timed out after 200ms: pool pool_a has 0 idle workers, 1 waiting
    stack backtrace:
       0: __rustc::rust_begin_unwind
                 at /rustc/…/library/std/src/panicking.rs:689:5

    failures:
        tests::second_checkout_waits

Each `---- NAME stdout ----` block is a failure: what the test printed, the panic's place and
message (`panicked at FILE:L:C:` then the message, as Rust 1.73 on prints it; `panicked at
'MESSAGE', FILE:L:C` before), the backtrace under RUST_BACKTRACE (its frames `symbol (file:L:C)`),
or a should_panic test's `note: test did not panic as expected at FILE:L:C`; a doc test's block
holds its executable's stderr. Its group is the test target the `Running` line names
(`src/lib.rs`, `tests/arith.rs`; `Doc-tests NAME`). Under `--nocapture` no block is printed:
each test's panic is printed as it happens, and the `failures:` list after the blocks names every
failed test: a test named there whose block was not read is read from its panic (`InlinePanic`),
or, with none, as its name alone.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from poolctl.logs.records import Lines, ParsedLog
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

RUNNER = "cargo test"
SOURCE: Source = "cargo"
BLOCK_RE = re.compile(r"^---- (?P<name>.+) stdout ----$")
TARGET_RE = re.compile(
    r"^ +(?:Running (?P<unit>unittests )?(?P<path>\S+) \((?P<binary>[^)\s]*)"
    r"|Doc-tests (?P<crate>\S+)$)"
)
# the test binary a `Running` line names: `target/debug/deps/pool_client-56c49f682b0ce4f3`; a
# unit test target's is named by its crate (its lib's or bin's name)
_BINARY_RE = re.compile(r"(?:^|[/\\])(?P<name>[^/\\]+?)(?:-[0-9a-f]{16})?(?:\.exe)?$")
# cargo's word after a failed integration test target of a workspace's package
RERUN_RE = re.compile(r"^error: test failed, to rerun pass `-p (?P<package>\S+) --test \S+`$")
RUNNING_RE = re.compile(r"^running \d+ tests?$")
# a test's result line (`test tests::x ... FAILED`, a should_panic test's `- should panic`), and
# libtest's word of a test still running after 60 s
RESULT_RE = re.compile(r"^test (?P<name>\S.*?)(?: - should panic)? \.\.\. FAILED$")
SLOW_RE = re.compile(r"^test (?P<name>\S.*?) has been running for over \d+ seconds$")
LIST = "failures:"
PANIC_RE = re.compile(
    r"^thread '(?P<thread>[^']*)'(?: \(\d+\))? panicked at "
    r"(?:(?P<file>[^\s:']+):(?P<line>\d+):\d+:$"
    r"|'(?P<said>.*)', (?P<old>[^\s:]+):(?P<oldline>\d+):\d+$)"
)
TRIGGERS = (
    r"^---- .+ stdout ----",
    r"^ +(?:Running (?:unittests )?\S+ \(|Doc-tests \S)",
    r"^running \d+ tests?\s*$",
    r"^failures:\s*$",
    r"^thread '[^']*'(?: \(\d+\))? panicked at ",
    r"^test \S.* \.\.\. FAILED\s*$",
    r"^test \S.* has been running for over \d+ seconds",
    r"^error: test failed, to rerun pass `-p ",
)
# a block and its panic, in a whole text (RE2 syntax, multi-line): a run cut short before its
# verdict (killed, a CI job's time limit) is still read for its blocks
FAILED_IN_TEXT = (
    r"^---- [^\n]+ stdout ----\n(?:[^\n]*\n){0,40}?"
    r"(?:thread '[^'\n]*'(?: \(\d+\))? panicked at |note: test did not panic as expected)"
    r"|^test [^\n]+ \.\.\. FAILED[ \t]*$"  # ... or a result line, before the blocks
)
_NO_PANIC_RE = re.compile(
    r"^note: test did not panic as expected(?: at (?P<file>\S+):(?P<line>\d+):\d+)?"
)
_FRAME_RE = re.compile(r"^ +\d+: (?P<symbol>\S.*)$")
_AT_RE = re.compile(r"^ +at (?P<place>\S+)$")
_MESSAGE_END = ("stack backtrace:", "note: ")
_SAID_EXPECTED = ("panic message: ", "expected substring: ")
# a should_panic test whose panic did not say what it expects: this note, then the two lines
# saying what it said and what was expected
_WRONG_PANIC = "note: panic did not contain expected string"
# the panic of a test's own thread joining a thread that panicked (`handle.join().unwrap()`):
# the thread's panic, printed before it, is what failed
JOINED = "called `Result::unwrap()` on an `Err` value: Any { .. }"
_ENDS = ("failures:", "test result: ", "running ")


@dataclass
class CargoRun:
    """What a parser saw of the current test target (from its `running N tests` line on): its
    path, the tests whose blocks were read, and the panics printed inline (`--nocapture`)."""

    target: str = ""
    running_at: int = 0
    read: set[str] = field(default_factory=set)
    # its `test NAME ... FAILED` lines, and the test libtest said has been running for over 60 s
    failed: Lines = field(default_factory=list)
    slow: tuple[int, str] | None = None
    panics: dict[str, Failure] = field(default_factory=dict)
    panic_lines: dict[str, Lines] = field(default_factory=dict)


def target(line: str) -> str:
    """The test target a `Running` or `Doc-tests` line names, else '': a unit test target with
    its crate (`pool_client: src/lib.rs`: a workspace's crates each have a `src/lib.rs`)."""
    found = TARGET_RE.match(line.rstrip())
    if found is None:
        return ""
    if found["crate"]:
        return f"Doc-tests {found['crate']}"
    binary = _BINARY_RE.search(found["binary"])
    if found["unit"] and binary is not None:
        return f"{binary['name']}: {found['path']}"
    return found["path"]


def test_target(group: str) -> str:
    """The test target a cargo failure's `group` names, as cargo test and cargo-nextest both
    can: the unit tests of a lib or bin by its crate (`pool_client`), an integration test
    target by its package's crate and its name (`pool_client::integration`). cargo test's
    group is its `Running` line's (`pool_client: src/lib.rs`, `pool_client: tests/integration.rs`,
    the binary's crate before the colon); nextest's the binary id (`pool-client`, `pool-client::
    integration`, `pool-client::bin/pool-cli`), whose package rustc names its crate with `_` for
    `-`. A doc test's, and an integration target's of a lone package (`tests/it.rs`: no crate
    said), are kept as they are."""
    if group.startswith("Doc-tests ") or (group.endswith(".rs") and ": " not in group):
        return group
    crate, said, path = group.partition(": ")
    if said:  # cargo test's
        if path.startswith("tests/"):
            return f"{crate}::{path.removeprefix('tests/').removesuffix('.rs')}"
        return crate
    package, _, target = group.partition("::")
    if "/" in target:  # a bin's, an example's, a bench's: its binary is named by it
        return target.split("/", 1)[1].replace("-", "_")
    return package.replace("-", "_") + (f"::{target}" if target else "")


def package_named(run: CargoRun, line: str, out: ParsedLog, input_file: str) -> None:
    """cargo's `error: test failed, to rerun pass `-p pool-client --test integration`` after an
    integration test target failed (its binary is named by the target, not its crate): the
    failures read of it are grouped by its package's crate too (two crates' `tests/it.rs`)."""
    found = RERUN_RE.match(line.rstrip())
    if found is None or ": " in run.target or not run.running_at:
        return
    group = f"{found['package'].replace('-', '_')}: {run.target}"
    for i, failure in enumerate(out.failures):
        if (
            failure.source == SOURCE
            and failure.input_file == input_file
            and failure.group == run.target
            and failure.line_start > run.running_at
        ):
            out.failures[i] = dataclasses.replace(failure, group=group)
    run.target = group


class CargoBlock:
    """One `---- NAME stdout ----` block (a consumer of a text parser's scan); the failure goes
    to `done` when the block ends."""

    def __init__(
        self,
        number: int,
        line: str,
        input_file: str,
        run: CargoRun,
        done: Callable[[Failure, Lines], object],
    ) -> None:
        self.lines: Lines = [(number, line.rstrip())]
        self.input_file = input_file
        self.run = run
        self.done = done

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or BLOCK_RE.match(text) or text.startswith(_ENDS):
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        while len(self.lines) > 1 and not self.lines[-1][1].strip():
            self.lines.pop()
        found = BLOCK_RE.match(self.lines[0][1])
        if found is None:
            return []
        name = found["name"]
        self.run.read.add(name)
        body = [t for _, t in self.lines[1:]]
        self.done(panic_failure(name, body, self.input_file, self.lines, self.run), self.lines)
        return []


class InlinePanic:
    """A panic printed as it happened (`--nocapture`): its thread's line and message, kept in
    `run` for the `failures:` list that names its test."""

    def __init__(self, number: int, line: str, input_file: str, run: CargoRun) -> None:
        self.lines: Lines = [(number, line.rstrip())]
        self.input_file = input_file
        self.run = run

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if not text or text.startswith(_MESSAGE_END) or len(self.lines) >= 50:
            return False
        if text.startswith("test ") and text.endswith((" ... FAILED", " ... ok")):
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        panic = PANIC_RE.match(self.lines[0][1])
        if panic is not None:
            name = panic["thread"]
            body = [t for _, t in self.lines]
            failure = panic_failure(name, body, self.input_file, self.lines, self.run)
            self.run.panics[name] = failure
            self.run.panic_lines[name] = self.lines
        return []


class FailureList:
    """The `failures:` line, and the list of names under it (the one after the blocks; the one
    before them is followed by a block): each name no block was read for is a failure, read
    from its inline panic when there is one."""

    def __init__(
        self,
        number: int,
        input_file: str,
        run: CargoRun,
        done: Callable[[Failure, Lines], object],
    ) -> None:
        self.number = number
        self.input_file = input_file
        self.run = run
        self.done = done
        self.names: Lines = []

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if text.startswith("    ") and text.strip():
            self.names.append((number, text.strip()))
            return True
        return not text and not self.names  # (the blank line before the blocks)

    def close(self) -> Lines:
        if not self.run.running_at:
            return []  # no test target ran: another tool's list
        for number, name in self.names:
            if name in self.run.read:
                continue
            self.run.read.add(name)
            failure = self.run.panics.get(name)
            lines = self.run.panic_lines.get(name, [(number, name)])
            if failure is None:
                failure = panic_failure(name, [], self.input_file, [(number, name)], self.run)
            self.done(failure, lines)
        return []


def panic_failure(
    name: str, body: list[str], input_file: str, lines: Lines, run: CargoRun
) -> Failure:
    """The failure of test `name`, from its block's or inline panic's lines `body`."""
    said: list[str] = []
    frames: list[str] = []
    location = ""
    kind = ""
    part = "output"  # what the test printed; then the panic's message, then its backtrace
    earlier: tuple[str, list[str], list[str]] | None = None  # the panic before, another thread's
    for text in body:
        panic = PANIC_RE.match(text)
        no_panic = _NO_PANIC_RE.match(text)
        if panic is not None:
            if kind == "panic" and earlier is None:
                earlier = (location, "\n".join(said).strip("\n").split("\n"), frames)
            kind, part, said, frames = "panic", "message", [], []
            if panic["old"]:
                location, said = f"{panic['old']}:{panic['oldline']}", [panic["said"]]
            else:
                location = f"{panic['file']}:{panic['line']}"
        elif no_panic is not None:
            kind, said = "should_panic", ["test did not panic as expected"]
            if no_panic["file"]:
                location = f"{no_panic['file']}:{no_panic['line']}"
        elif text == _WRONG_PANIC:  # it panicked, not with the message it expects
            kind, part, said = "should_panic", "wrong panic", [text.removeprefix("note: ")]
        elif part == "wrong panic" and text.lstrip().startswith(_SAID_EXPECTED):
            said.append(text.strip())
        elif part == "message" and text.startswith(_MESSAGE_END):
            part = "backtrace"
        elif part == "message":
            said.append(text)
        elif part == "backtrace" and (frame := _FRAME_RE.match(text)):
            frames.append(frame["symbol"])
        elif part == "backtrace" and (at := _AT_RE.match(text)) and frames:
            frames[-1] = f"{frames[-1]} ({at['place']})"
    if earlier is not None and "\n".join(said).strip() == JOINED:
        # the test's thread joined one that panicked: that panic failed it, this one says so
        location, said, frames = (
            earlier[0],
            [*earlier[1], f"(then, joining it: {JOINED})"],
            earlier[2],
        )
    details = {"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)}
    printed = _printed(body)
    if printed:
        details["captured stdout"] = clip(printed, MAX_FIELD)
    if not body:
        details["note"] = "named in the run's failures list; no block nor panic of it was printed"
    return block_failure(
        SOURCE,
        input_file,
        lines,
        name=name,
        group=run.target,
        location=location,
        kind=kind,
        message="\n".join(said).strip("\n"),
        details=details,
        frames=frames,
    )


def _printed(body: list[str]) -> str:
    """What the test printed before its panic (its block's first lines)."""
    out: list[str] = []
    for text in body:
        if PANIC_RE.match(text) or _NO_PANIC_RE.match(text):
            break
        out.append(text)
    return "\n".join(out).strip("\n")


def stopped(
    run: CargoRun, input_file: str, out: ParsedLog, done: Callable[[Failure, Lines], object]
) -> None:
    """The input ended in `run`'s target before its verdict (killed, a CI job's time limit): each
    test its result lines say FAILED whose block (or panic) was not read is a failure by its
    name, and so is the test libtest said was still running (the one it was in when stopped)."""
    verdicts = [s.line for s in out.summaries if s.file == input_file and s.source == RUNNER]
    if not run.running_at or max(verdicts, default=0) > run.running_at:
        return
    named: list[tuple[int, str, str, str]] = []
    for number, text in run.failed:
        found = RESULT_RE.match(text)
        if found is not None:
            named.append((number, found["name"], text, "its result line says FAILED"))
    if run.slow is not None and not any(name == run.slow[1] for _, name, *_ in named):
        number, name = run.slow
        named.append(
            (number, name, name, "the run stopped while it ran (libtest: running for over 60 s)")
        )
    lost = still = 0
    for number, name, text, said in named:
        if name in run.read:
            continue
        run.read.add(name)
        failure = run.panics.get(name)
        lines = run.panic_lines.get(name, [(number, text)])
        if failure is None:
            failure = panic_failure(name, [], input_file, [(number, text)], run)
            failure = dataclasses.replace(failure, message=f"no block of it was printed: {said}")
        done(failure, lines)
        lost += 1
        still += run.slow is not None and name == run.slow[1]
    if lost:
        running = (
            f", and the test it was still running, {run.slow[1]}" if still and run.slow else ""
        )
        read = f"{lost - still} failed test(s) read by their result lines alone{running}"
        if lost == still and run.slow:  # (none failed before it)
            read = f"the test it was still running, {run.slow[1]}, read by its name alone"
        out.skipped.append(
            f"{input_file}:{named[0][0]}: a cargo test run of {run.target or 'a target'} ended "
            f"before its verdict (killed, a time limit): {read}, no block of "
            f"{'it' if lost == 1 else 'them'} printed"
        )
