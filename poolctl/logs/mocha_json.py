"""Mocha's JSON reporter (`mocha --reporter json`, its stdout or its `--reporter-option
output=FILE`), read into `Failure`s that classify as its console's do (`poolctl.logs.mocha_block`).
One object: its `stats` (`tests`, `passes`, `failures`, …), then `tests`, `pending`, `failures`
and `passes`, a test each:

    {"stats": {"suites": 3, "tests": 6, "passes": 1, "pending": 0, "failures": 6, …},
     "failures": [{"title": "request is answered", "fullTitle": "Pool request is answered",
       "file": "/ci/test/pool.test.js", "err": {"stack": "Error: No response received …\\n
       at Timeout._onTimeout (pool.js:27:45)…", "message": "No response received …"}}, …]}

Each failure (a test's, or a hook's: `"before each" hook for "publishes"`) is named as its
console names it, by its full title, grouped by its suites' titles (its full title before its
own: the JSON keeps no suite apart, so a nested suite's are one group), placed at its stack's
first frame of the project's own code, its error's class and message read as the console's
(`read_error`). Its run is counted by `stats.failures`. Its json-stream reporter's `fail`
lines are read alike (`StreamFailure`), its `end` line the run's verdict.
"""

from __future__ import annotations

import json
import re
from typing import Any

from poolctl.logs.mocha_block import PLACE_RE, RUNNER, SOURCE
from poolctl.logs.node_spec_block import read_error
from poolctl.logs.records import Lines, ParsedLog, RunSummary
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure

FORMAT = "Mocha JSON"  # what a log of it alone is said to be


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole input, if it is Mocha's JSON report: its failures and its run into
    `out`. False when it is not one."""
    try:
        report = json.loads(text)
    except ValueError:
        return False
    if not isinstance(report, dict) or not isinstance(report.get("stats"), dict):
        return False
    if not isinstance(report.get("failures"), list):
        return False
    failures = [_failure(t, file) for t in report["failures"] if isinstance(t, dict)]
    out.failures.extend(failures)
    stats = report["stats"]
    counted, tests = stats.get("failures"), stats.get("tests")
    counted = counted if isinstance(counted, int) else len(failures)
    out.summaries.append(
        RunSummary(
            file,
            1,
            f'"stats": {{"failures": {counted}}}',
            tests if isinstance(tests, int) else None,
            counted,
            read=len(failures),
            source=RUNNER,
        )
    )
    return out.read_whole(file, text, FORMAT, "Mocha's JSON report (--reporter json)")


def failure_of(test: dict[str, Any], file: str, line: int, stack: str) -> Failure:
    """The failure of one failed test's object (its error's `stack`, else its message)."""
    title, full = str(test.get("title", "")), str(test.get("fullTitle", ""))
    kind, code, message, frames = read_error(stack.splitlines())
    details = {"runner": RUNNER, "text": clip(stack, MAX_FIELD)}
    if code:
        details["code"] = code
    # the first frame of the project's own code: not node's, nor a package's
    places = [p for f in frames if (p := PLACE_RE.search(f))]
    mine = [p for p in places if not p["file"].startswith(("node:", "node_modules/"))]
    place = (mine or places)[0] if places else None
    return block_failure(
        SOURCE,
        file,
        [(line, "")],
        name=full or title,
        group=full.removesuffix(title).strip(),
        location=f"{place['file']}:{place['line']}" if place else "",
        kind=kind,
        message=message,
        details=details,
        frames=frames,
    )


def _failure(test: dict[str, Any], file: str) -> Failure:
    err = test.get("err") if isinstance(test.get("err"), dict) else {}
    assert isinstance(err, dict)
    stack = str(err.get("stack") or "")
    if not stack:  # (an error thrown that is no Error: its message alone)
        stack = f"{err.get('name') or 'Error'}: {err.get('message', '')}"
    return failure_of(test, file, 1, stack)


# Its json-stream reporter (`--reporter json-stream`): a line for each event, `["start",{…}]`,
# `["pass",{…}]`, `["fail",{…,"err":"message","stack":"Error: …"}]`, then `["end",{stats}]`:
# each `fail` line a failure, read as the report's are; its `end` line the run's verdict
STREAM_TRIGGER = r'^\["fail",\{"title":'
_STATS = r'^\["end",\{"suites":\d+,"tests":\d+,"passes":\d+,"pending":\d+,"failures":'
STREAM_VERDICT_RE = re.compile(rf"{_STATS}(?P<failed>\d+),")
STREAM_VERDICT_TRIGGER = rf"{_STATS}[1-9]"
STREAM_CLEAN_RE = re.compile(rf"{_STATS}0,.*\]$")


class StreamFailure(RunnerBlock):
    """A json-stream `fail` line (a consumer of a text parser's scan): its failure goes to `done`
    at the next line."""

    def ends_before(self, text: str) -> bool:
        return True

    def close(self) -> Lines:
        number, text = self.lines[0]
        try:
            event = json.loads(text)
        except ValueError:
            return []  # a line cut short: no test's to read
        test = event[1] if isinstance(event, list) and len(event) == 2 else None
        if not isinstance(test, dict):
            return []
        stack = str(test.get("stack") or "") or f"Error: {test.get('err', '')}"
        self.done(failure_of(test, self.input_file, number, stack), self.lines)
        return []
