"""TeamCity's service messages alone: a log a runner's TeamCity reporter wrote instead of its
console (mocha-teamcity-reporter, `phpunit --teamcity`, jest-teamcity, a .NET logger), one
message a line, read into `Failure`s as any runner's failures are:

    ##teamcity[testSuiteStarted name='Pool' flowId='1715']
    ##teamcity[testStarted name='request is answered' captureStandardOutput='true' flowId='1715']
    ##teamcity[testFailed name='request is answered' message='No response received from worker
      pid 1761 within 300ms' details='Error: No response …|n    at Timeout._onTimeout
      (pool.js:27:45)|n …' flowId='1715']

(`|` escapes a quote, a bracket, a bar or a line end in a value.) Where the runner's own text
is there too (pytest's teamcity-messages plugin prints its progress beside them), that text is
read and the messages left out (`poolctl.logs.prefixes`); a log of messages alone is read from
them: each `testFailed` a failure named by its test, grouped by the suite it was started in (its
flow's: parallel flows interleave), its message the message's (else its details' first line),
its kind the error its details begin with, its frames their `at …` lines, placed at the first
frame of the project's own code. The failures read count the run (the messages hold no count);
a log of finished tests and none failed is a clean run.
"""

from __future__ import annotations

import dataclasses
import re

from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

RUNNER = "TeamCity service messages"
SOURCE: Source = "teamcity"
FORMAT = "TeamCity service messages"  # what a log of them alone is said to be
_MESSAGE_RE = re.compile(r"##teamcity\[(?P<name>\w+)(?P<attrs>(?:[^\]|\n]|\|.)*)\]")
_ATTR_RE = re.compile(r"(?P<key>\w+)='(?P<value>(?:[^'|]|\|.)*)'")
_ESCAPES = {"n": "\n", "r": "\r", "'": "'", "|": "|", "[": "[", "]": "]"}
_ESCAPE_RE = re.compile(r"\|(0x[0-9a-fA-F]{4}|.)")
# the error a stack begins with: `AssertionError [ERR_ASSERTION]: …`, `Error: …`,
# `PoolTimeout: …`, `java.util.concurrent.TimeoutException: …`
_KIND_RE = re.compile(r"^(?P<kind>[A-Za-z_][\w.$\\]*)(?: \[\w+\])?: ")
_SPACED_KIND_RE = re.compile(r"^(?P<kind>[A-Za-z_][\w\\]*) : ")
_ASSERTED = "Failed asserting that "  # PHPUnit's assertion
_FRAME_RE = re.compile(r"^\s+at \S")
# a frame's place: node's `(pool.js:27:45)`, Python's `File "x.py", line 9`, a `x.php:42` line
_PLACES = (
    re.compile(r"\(?(?:file://)?(?P<file>[^\s():]+):(?P<line>\d+):\d+\)?$"),
    re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)'),
    re.compile(r"^(?P<file>\S+\.\w+):(?P<line>\d+)$"),
)
_NOT_MINE = ("node:", "node_modules/", "internal/")
_UNREAD = "its own failure blocks are not read"  # a verdict's note (`other_verdicts.note_unread`)


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole log, if it is TeamCity's test messages alone (with no runner's text
    poolctl reads, as its caller saw): its failures and its run into `out`. False when it holds
    no test's message."""
    failures, started, finished, last = _read_messages(text, file)
    if not failures and not finished:
        return False
    out.failures.extend(failures)
    out.summaries.append(
        RunSummary(
            file,
            last,
            f"##teamcity[testFailed …] ×{len(failures)}",
            started or None,
            len(failures),
            read=len(failures),
            source=RUNNER,
        )
    )
    out.skipped.append(
        f"{file}: TeamCity's service messages alone, read whole: they hold no count, so each"
        " `testFailed` read is the run's failure"
    )
    out.formats[file] = FORMAT
    out.lines_read += text.count("\n") + 1
    return True


def read_beside(text: str, file: str, out: ParsedLog, summaries_before: int) -> None:
    """`text`, a whole log whose runner's own text was read for its verdicts and no failure
    (`phpunit --teamcity` prints its count after the messages): the messages' failures are the
    failures it counts, when they are as many."""
    runs = [i for i in range(summaries_before, len(out.summaries)) if out.summaries[i].file == file]
    failures = _read_messages(text, file)[0]
    counted = sum(out.summaries[i].failures or 0 for i in runs)
    if not failures or counted != len(failures):
        return
    out.failures.extend(failures)
    for i in runs:
        run = out.summaries[i]
        out.summaries[i] = dataclasses.replace(run, read=run.failures)
        said = f"{file}:{run.line}: "
        out.skipped[:] = [n for n in out.skipped if not (n.startswith(said) and _UNREAD in n)]
    out.skipped.append(
        f"{file}: its failures read from TeamCity's service messages (`##teamcity[testFailed …]`),"
        " as many as its runner counted"
    )


def _read_messages(text: str, file: str) -> tuple[list[Failure], int, int, int]:
    """The failures of `text`'s messages, the tests started and finished, and the line of the
    last test's end."""
    suites: dict[str, list[str]] = {}
    failures: list[Failure] = []
    started = finished = last = 0
    for number, line in enumerate(text.splitlines(), 1):
        for message in _MESSAGE_RE.finditer(line):
            attrs = {a["key"]: _unescape(a["value"]) for a in _ATTR_RE.finditer(message["attrs"])}
            flow = suites.setdefault(attrs.get("flowId", ""), [])
            kind = message["name"]
            if kind == "testSuiteStarted":
                flow.append(attrs.get("name", ""))
            elif kind == "testSuiteFinished" and flow:
                flow.pop()
            elif kind == "testStarted":
                started += 1
            elif kind == "testFinished":
                finished, last = finished + 1, number
            elif kind == "testFailed":
                failures.append(_failure(attrs, flow, file, number))
                last = number
    return failures, started, finished, last


def _unescape(value: str) -> str:
    def one(found: re.Match[str]) -> str:
        said = found[1]
        return chr(int(said[2:], 16)) if len(said) > 1 else _ESCAPES.get(said, said)

    return _ESCAPE_RE.sub(one, value)


def _failure(attrs: dict[str, str], suites: list[str], file: str, number: int) -> Failure:
    name, details = attrs.get("name", ""), attrs.get("details", "")
    lines = details.splitlines()
    frames = [t.strip().removeprefix("at ") for t in lines if _FRAME_RE.match(t)]
    said = attrs.get("message", "") or (lines[0] if lines else "")
    thrown = _KIND_RE.match(lines[0]) if lines else None
    if thrown is None:  # PHPUnit's `PoolTimeoutException : message`
        thrown = _SPACED_KIND_RE.match(said)
    kind = thrown["kind"] if thrown else ""
    if thrown and said.startswith(thrown[0]):
        said = said[len(thrown[0]) :]
    if said.startswith(_ASSERTED):
        kind = "AssertionError"
    # its suite: a data provider's test is in a suite of its method's, inside its class's
    group = suites[-1] if suites else ""
    if name.startswith(f"{group} with data set ") and len(suites) > 1:
        group = suites[-2]
    places = [p for t in lines for pattern in _PLACES if (p := pattern.search(t.strip()))]
    mine = [p for p in places if not p["file"].startswith(_NOT_MINE)]
    # the first frame in its suite's file (`tests/PoolTest.php` of `PoolTest`), else its first
    theirs = [p for p in mine if group and p["file"].rpartition("/")[2].startswith(f"{group}.")]
    place = (theirs or mine or places)[0] if places else None
    shown = {"runner": RUNNER, "text": clip(details or said, MAX_FIELD)}
    if "expected" in attrs or "actual" in attrs:
        shown |= {"expected": attrs.get("expected", ""), "actual": attrs.get("actual", "")}
    return block_failure(
        SOURCE,
        file,
        [(number, "")],
        name=name,
        group=group,
        location=f"{place['file']}:{place['line']}" if place else "",
        kind=kind,
        message=said.strip(),
        details=shown,
        frames=frames,
    )
