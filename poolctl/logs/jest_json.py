"""Jest's JSON report (`jest --json`, its stdout, or the file `--outputFile` names), read into
`Failure`s that classify as its console's do. One object: its counts (`numFailedTests`,
`numRuntimeErrorTestSuites`, …) and `testResults`, a test file each (`name`, its path; `status`;
`message`, its console's text; `assertionResults`, a test each with its `ancestorTitles`,
`title`, `status` and `failureMessages`, each an error's `Error: message` and its stack):

    {"numFailedTestSuites":1,"numFailedTests":4,…,"testResults":[{"assertionResults":[{
     "ancestorTitles":["worker pool"],…,"failureMessages":["Error: worker pid 6201 sent no
     response within 200 ms\\n    at Timeout._onTimeout (/tmp/jest/pool.test.js:9:20)…"],…

Each failed test is named as its console names it (`worker pool › title`), grouped by its file
(its path from the files' common folder), placed at its first frame in that file (else its
first), a matcher's failed expectation (`expect(…)`) of kind AssertionError, else its error's
name. A file that failed to run (no test failed in it: its `message` says why) is one failure,
named by the file. Its run is counted by its `numFailedTests` and its files that failed to run.

Vitest's JSON reporter (`vitest run --reporter=json`) writes the same shape, its first key
`numTotalTestSuites`: read alike, a test named as its console names it (`pool > title`). It
keeps no error of a hook (a `beforeAll` that threw): a file that failed with no test failed and
no message is one failure, said so. (Nor does it keep an error outside the tests, an unhandled
rejection, which fails the run: its report of such a run alone says `"success":true`.)
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, NamedTuple

from poolctl.logs.ansi import strip_ansi
from poolctl.logs.node_spec_block import read_error
from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

RUNNER = "Jest"
SOURCE: Source = "jest"


class _Writer(NamedTuple):
    runner: str
    source: Source
    between: str  # between a test's titles, as its console names it
    command: str


# each writer's first key (each writes them in its order)
WRITERS = {
    '{"numFailedTestSuites":': _Writer(RUNNER, SOURCE, " › ", "jest --json"),
    '{"numTotalTestSuites":': _Writer("Vitest", "vitest", " > ", "vitest --reporter=json"),
}
_EXPECT = ("expect(", "expect.")
EXPECTATION = "AssertionError"
# a frame's file, line and column (node's own, `node:net:1611:16`, none)
_PLACE_RE = re.compile(r"(?:^|[\s(])(?P<path>[^\s():]+):(?P<line>\d+):\d+\)?$")
_CODE_RE = re.compile(r"^(?:>? *\d+ )?\|")  # the code its console shows around the line
NOT_RUN = "Test suite failed to run"  # its console's name for a file that did not run
# a file the report says failed, no test of it failed, no message: Vitest's failed hook
_NO_WHY = "the file failed, no test of it failed, and the report holds no error for it"


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole input, if it is Jest's JSON report: its failures and its run into
    `out`. False when it is not one."""
    stripped = text.strip()
    writer = next((w for start, w in WRITERS.items() if stripped.startswith(start)), None)
    if writer is None:
        return False
    try:
        report = json.loads(stripped)
    except ValueError:
        return False
    if not isinstance(report, dict) or not isinstance(report.get("testResults"), list):
        return False
    files = [r for r in report["testResults"] if isinstance(r, dict)]
    root = _common_folder([str(r.get("name", "")) for r in files])
    failures: list[Failure] = []
    for result in files:
        failures.extend(_file_failures(result, root, file, writer))
    out.failures.extend(failures)
    # (Vitest counts no file that failed to run: each such file read is counted)
    unrun = sum(f.name == NOT_RUN for f in failures)
    errors = report.get("numRuntimeErrorTestSuites", unrun)
    counted = int(report.get("numFailedTests") or 0) + int(errors or 0)
    said = f"numFailedTests: {report.get('numFailedTests')}"
    if "numRuntimeErrorTestSuites" in report:
        said += f", numRuntimeErrorTestSuites: {errors}"
    tests = report.get("numTotalTests")
    out.summaries.append(
        RunSummary(
            file,
            1,
            said,
            tests if isinstance(tests, int) else None,
            counted,
            read=len(failures),
            source=writer.runner,
        )
    )
    return out.read_whole(
        file, text, f"{writer.runner} JSON", f"{writer.runner}'s JSON report ({writer.command})"
    )


def _file_failures(result: dict[str, Any], root: str, file: str, writer: _Writer) -> list[Failure]:
    """The failed tests of one test file's result; the file itself when it failed to run."""
    path = _shown(str(result.get("name", "")), root)
    tests = [a for a in result.get("assertionResults") or [] if isinstance(a, dict)]
    failed = [a for a in tests if a.get("status") == "failed"]
    made = [_failure(path, a, file, writer) for a in failed]
    message = strip_ansi(str(result.get("message") or ""))
    if not made and result.get("status") == "failed" and message.strip():
        # (its console's `● Test suite failed to run` block, the message's lines)
        body = [t.strip() for t in message.splitlines() if t.strip()]
        body = [t for t in body if t != f"● {NOT_RUN}" and not _CODE_RE.match(t)]
        kind, _, said, frames = read_error(body)
        made.append(_made(file, path, NOT_RUN, kind, said, frames, message, writer))
    elif not made and result.get("status") == "failed":
        made.append(_made(file, path, NOT_RUN, "", _NO_WHY, [], "", writer))
    return made


def _failure(path: str, test: dict[str, Any], file: str, writer: _Writer) -> Failure:
    titles = [str(t) for t in test.get("ancestorTitles") or []]
    name = writer.between.join([*titles, str(test.get("title", ""))])
    said = [str(m) for m in test.get("failureMessages") or []]
    text = strip_ansi(said[0] if said else "")
    kind, _, message, frames = read_error(text.splitlines())
    if message.startswith(_EXPECT):
        kind = EXPECTATION
    return _made(file, path, name, kind, message, frames, "\n\n".join(said), writer)


def _made(
    file: str,
    path: str,
    name: str,
    kind: str,
    message: str,
    frames: list[str],
    text: str,
    writer: _Writer,
) -> Failure:
    places = [(p["path"], p["line"]) for f in frames if (p := _PLACE_RE.search(f))]
    mine = [(path, n) for f, n in places if f == path or f.endswith(f"/{path}")] or places[:1]
    location = f"{mine[0][0]}:{mine[0][1]}" if mine else ""
    return block_failure(
        writer.source,
        file,
        [(1, "")],
        name=name,
        group=path,
        location=location,
        kind=kind,
        message=message,
        details={"runner": writer.runner, "text": clip(strip_ansi(text), MAX_FIELD)},
        frames=frames,
    )


def _common_folder(paths: list[str]) -> str:
    """The folder the test files' paths share ("" for none): their names are shown from it."""
    folders = [os.path.dirname(p) for p in paths if p.startswith("/")]
    if not folders:
        return ""
    try:
        return os.path.commonpath(folders)
    except ValueError:
        return ""


def _shown(path: str, root: str) -> str:
    return path[len(root) + 1 :] if root and path.startswith(f"{root}/") else path
