"""A test file node-tap's reporter says failed with no failed assertion of its own: it did not
load (a syntax error, a missing module), or its process ended in failure with none. The `terse` and
`base` reporters give it a line of its own, ` FAIL  tap_broken.test.mjs 0 3.925s` (a file with
failed assertions: ` FAIL  f.mjs 3 failed of 3 1.908s`), and no `✖` entry; node-tap counts it
as one failure (`# { total: 2, pass: 0, fail: 2 }`). It is read as one failure named by its
file. `base` prints the file's stderr under `2> tap_broken.test.mjs` as the run goes on, where
node's error is (`Error: Cannot find module '…/missing_pool.mjs' imported from …`, or a syntax
error's source line, `file:///…/tap_syntax.test.mjs:8`, then `SyntaxError: missing ) after
argument list`): the failure quotes its kind and message, placed at the source line when node
names one. `terse` prints no stderr: its failure says so. node-tap's TAP (`--reporter=tap`)
reads such a file as TAP's failure, `not ok 1 - tap_broken.test.mjs`; node's error, printed
above it, is quoted there too (`quoted`)."""

from __future__ import annotations

import dataclasses
import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

UNLOADED_RE = re.compile(r"^ FAIL  (?P<file>\S+) 0 [\d.]+m?s$")
STDERR_RE = re.compile(r"^2> (?P<file>\S+\.[cm]?[jt]sx?)$")
TRIGGERS = (r"^ FAIL  \S+ 0 [\d.]+m?s", r"^2> \S+\.[cm]?[jt]sx?\s*$")
# node's uncaught error (`Error: …`, `SyntaxError: …`), and the source line it names above it
_ERROR_RE = re.compile(r"^(?P<kind>(?:[A-Z]\w*)?(?:Error|Exception)): (?P<message>.+)$")
_SOURCE_AT_RE = re.compile(r"^file://\S*?/(?P<file>[^/\s]+):(?P<line>\d+)$")
_JS_FILE_RE = re.compile(r"^\S+\.[cm]?[jt]sx?$")
_EXIT_RE = re.compile(r"^\s*exitCode: [1-9]\d*$", re.M)  # node-tap's YAML of a file's process
_NODE_END = "Node.js v"  # node's last line after an uncaught error
_REDRAWN = (" SKIP  ", " RUNS  ", " ~ ", "Asserts:", "Suites:")  # base's progress, between
# (kind, message, location) of each test file whose stderr told why it did not load
Errors = dict[str, tuple[str, str, str]]
_SAID = (
    "node-tap counts the test file failed, with no failed assertion: it did not load, or its "
    "process ended in failure with none (an exit code, a crash)"
)


class FileStderr(RunnerBlock):
    """A test file's stderr under `base`'s `2> FILE` line (a consumer of a text parser's
    scan), to node's `Node.js v…` line; node's error in it is noted in `errors` by the file's
    name when it ends. The progress lines `base` redraws between are left out."""

    errors: Errors

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or self.lines[-1][1].startswith(_NODE_END):
            return False
        if text.startswith((" FAIL  ", " PASS  ", "2> ", "# ")):
            return False
        if not text.startswith(_REDRAWN):
            self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        found = STDERR_RE.match(self.lines[0][1])
        if found is None:
            return []
        errors = _errors_in([t for _, t in self.lines[1:]])
        if errors:
            self.errors[found["file"]] = errors[0]
        return []


def _errors_in(body: list[str]) -> list[tuple[str, str, str]]:
    """node's uncaught errors in a process's stderr `body`: each one's kind, message (wrapped
    lines joined) and the source line named above it (a syntax error's), or ""."""
    errors = []
    for i, text in enumerate(body):
        if (error := _ERROR_RE.match(text)) is None:
            continue
        said = [error["message"]]
        for more in body[i + 1 :]:  # (its message wrapped at 80 columns)
            if not more or more[:1].isspace() or more.startswith(_NODE_END):
                break
            said.append(more)
        at = next((m for t in reversed(body[:i]) if (m := _SOURCE_AT_RE.match(t))), None)
        errors.append((error["kind"], " ".join(said), f"{at['file']}:{at['line']}" if at else ""))
    return errors


def quoted(failure: Failure, before: list[str]) -> Failure:
    """`failure`, node-tap's TAP line for a test file that did not load (`not ok 1 -
    tap_broken.test.mjs` under its subtest's `1..0 # no tests found`, its YAML's `exitCode: 1`,
    no message), with node's error quoted:
    node-tap runs each file with its stderr inherited, so the error is printed right above the
    file's `# Subtest:` line (`before`, the lines above its `not ok` line); the last one there
    that names the file (its message, or the source line above it) is its."""
    file = failure.name
    if failure.kind != "not ok" or failure.message or not _JS_FILE_RE.match(file):
        return failure
    if not _EXIT_RE.search(failure.details.get("text", "")):
        return failure
    if not before or not before[-1].strip().startswith("1..0"):
        return failure  # its subtest's plan, right above: no test ran (`1..0 # no tests found`)
    ours = [e for e in _errors_in(before) if file in e[1] or e[2].startswith(f"{file}:")]
    if not ours:
        return failure
    kind, message, where = ours[-1]
    return dataclasses.replace(
        failure, kind=kind, message=message, location=where or file, group=file
    )


def failure(number: int, line: str, input_file: str, source: Source, errors: Errors) -> Failure:
    """The failure of the test file whose ` FAIL  FILE 0 …` line `line` (line `number`) is:
    named by the file, its error quoted when its stderr was read (`FileStderr`)."""
    found = UNLOADED_RE.match(line.rstrip())
    assert found is not None
    file = found["file"]
    kind, message, where = errors.get(file, ("", "", ""))
    if not kind:
        message = f"{_SAID}; the reporter printed no error of it (`base` prints its stderr)"
    return block_failure(
        source,
        input_file,
        [(number, line.rstrip())],
        name=file,
        group=file,
        location=where or file,
        kind=kind,
        message=message,
        details={"runner": "node-tap", "text": clip(line.rstrip(), MAX_FIELD), "note": _SAID},
        frames=[],
    )


def is_one(failure: Failure) -> bool:
    """Whether `failure` is a test file's that did not load (`failure`)."""
    return failure.details.get("note") == _SAID


def new(entries: list[tuple[Failure, Lines]], kept: set[str]) -> list[tuple[Failure, Lines]]:
    """`entries` less the files that did not load already `kept` (`base` prints a file's line
    before its report and again in it, and node-tap its count after each); `kept` grows."""
    out = []
    for failure, lines in entries:
        if is_one(failure):
            if failure.name in kept:
                continue
            kept.add(failure.name)
        out.append((failure, lines))
    return out
