"""GoogleTest's JSON report (`--gtest_output=json:FILE`), read into `Failure`s that classify as
its console's do (`poolctl.logs.gtest_block`). One object: its counts (`tests`, `failures`, …)
and `testsuites`, each a suite with its `testsuite`, a test each with its `name`, `file`, `line`
and, when it failed, `failures`, each `{"failure": "FILE:LINE\\nmessage", "type": ""}`:

    {
      "tests": 8,
      "failures": 7,
      …
      "testsuites": [{"name": "Pool", …, "testsuite": [{"name": "CountsItsWorkers", …,
        "failures": [{"failure": "pool_gtest.cc:57\\nExpected equality of these values: …"

Each failed test is named as its console names it (`Pool.CountsItsWorkers`), grouped by its
suite, placed where its first failure says (an exception it did not catch is `unknown file`:
placed nowhere, as its console's), its failures' messages its message; a failed assertion of
kind AssertionError, an exception (`C++ exception with description "…" thrown in the test
body.`) of none, as GoogleTest names no class. Its run is counted by its `failures`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from poolctl.logs.gtest_block import RUNNER, SOURCE
from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure

FORMAT = "GoogleTest JSON"  # what a log of it alone is said to be
_PLACE_RE = re.compile(r"^(?P<file>\S.*?):(?P<line>\d+)$")
_UNKNOWN = "unknown file"
_THROWN = "C++ exception with description "
EXPECTATION = "AssertionError"


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole input, if it is GoogleTest's JSON report: its failures and its run
    into `out`. False when it is not one."""
    try:
        report = json.loads(text)
    except ValueError:
        return False
    if not isinstance(report, dict) or not isinstance(report.get("testsuites"), list):
        return False
    failures: list[Failure] = []
    for suite in report["testsuites"]:
        if not isinstance(suite, dict):
            continue
        for test in suite.get("testsuite") or []:
            if isinstance(test, dict) and test.get("failures"):
                failures.append(_failure(str(suite.get("name", "")), test, file))
    out.failures.extend(failures)
    counted = int(report.get("failures") or 0)
    tests = report.get("tests")
    out.summaries.append(
        RunSummary(
            file,
            1,
            f"tests: {tests}, failures: {report.get('failures')}",
            tests if isinstance(tests, int) else None,
            counted,
            read=len(failures),
            source=RUNNER,
        )
    )
    return out.read_whole(file, text, FORMAT, "GoogleTest's JSON report (--gtest_output=json)")


def _failure(suite: str, test: dict[str, Any], file: str) -> Failure:
    said = [str(f.get("failure", "")) for f in test["failures"] if isinstance(f, dict)]
    first = said[0].split("\n", 1) if said else [""]
    place = _PLACE_RE.match(first[0])
    location = f"{place['file']}:{place['line']}" if place else ""
    # each failure's text is its place's line, then its message
    messages = [s.split("\n", 1)[1] if "\n" in s else s for s in said]
    thrown = bool(messages) and messages[0].startswith(_THROWN)
    return block_failure(
        SOURCE,
        file,
        [(1, "")],
        name=f"{suite}.{test.get('name', '')}",
        group=suite,
        location="" if first[0] == _UNKNOWN else location,
        kind="" if thrown else EXPECTATION,
        message="\n".join(messages),
        details={"runner": RUNNER, "text": clip("\n\n".join(said), MAX_FIELD)},
        frames=[],
    )
