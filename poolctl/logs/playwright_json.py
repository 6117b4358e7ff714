"""Playwright Test's JSON reporter (`npx playwright test --reporter=json`, its stdout or
`PLAYWRIGHT_JSON_OUTPUT_NAME`), read into `Failure`s that classify as its console's do
(`poolctl.logs.playwright_block`). One object: `config` (its `configFile` and `rootDir`),
`suites` (a test file each, its `suites` and `specs`, each spec's `tests`, one a project, each
with its `status` and its tries' `results`, each with its `error`), `errors` (those outside any
test: a global teardown's) and `stats` (`expected`, `unexpected`, `flaky`, `skipped`).

Each test of status `unexpected` is named as its console names it, by its describe suites' and
its own title (`worker pool › title`), grouped by its file (from the config's folder), its first
try's error its message (its colours left out), a matcher's expectation (`expect(`) of kind
AssertionError, else the error's name, placed at its stack's frame in the test's file, else at
the test's line; a test that passed when retried (`flaky`) is no failure, said flaky; each error
outside the tests is one failure of the run. Counted by `stats.unexpected` and those errors.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from poolctl.logs.ansi import strip_ansi
from poolctl.logs.playwright_block import EXPECTATION, RUNNER, SOURCE
from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure

FORMAT = "Playwright JSON"  # what a log of it alone is said to be
_KIND_RE = re.compile(r"^(?P<kind>[A-Za-z_$][\w$]*): ")
_OUTSIDE = "Error outside any test"  # the name of an error of the run (a global teardown's)


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole input, if it is Playwright's JSON report: its failures and its run
    into `out`. False when it is not one."""
    try:
        report = json.loads(text)
    except ValueError:
        return False
    if not isinstance(report, dict) or not isinstance(report.get("stats"), dict):
        return False
    config = report.get("config") if isinstance(report.get("config"), dict) else {}
    assert isinstance(config, dict)
    folder = _folder(config)
    failures: list[Failure] = []
    flaky: list[str] = []
    for suite in _dicts(report.get("suites")):
        _walk(suite, [], folder, file, failures, flaky)
    for error in _dicts(report.get("errors")):
        failures.append(_failure(_OUTSIDE, "", "", error, file))
    out.failures.extend(failures)
    stats = report["stats"]
    unexpected = stats.get("unexpected")
    counted = (unexpected if isinstance(unexpected, int) else 0) + len(_dicts(report.get("errors")))
    out.summaries.append(
        RunSummary(
            file,
            1,
            f'"stats": {{"unexpected": {unexpected}}}',
            None,
            counted,
            read=len(failures),
            source=RUNNER,
        )
    )
    if flaky:
        out.skipped.append(
            f"{file}: flaky in Playwright's JSON report (failed, then passed when retried; no "
            f"failure): {', '.join(flaky)}"
        )
    return out.read_whole(file, text, FORMAT, "Playwright's JSON report (--reporter=json)")


def _dicts(items: object) -> list[dict[str, Any]]:
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _folder(config: dict[str, Any]) -> str:
    """The test folder as its console names it: from the config file's folder (`tests`)."""
    root, config_file = str(config.get("rootDir") or ""), str(config.get("configFile") or "")
    if not root or not config_file:
        return ""
    shown = os.path.relpath(root, os.path.dirname(config_file))
    return "" if shown == "." else shown


def _walk(
    suite: dict[str, Any],
    titles: list[str],
    folder: str,
    file: str,
    failures: list[Failure],
    flaky: list[str],
) -> None:
    """The failed tests of `suite` (a file's, titled by its path, or a describe's) and its own."""
    path = "/".join(p for p in (folder, str(suite.get("file", ""))) if p)
    for spec in _dicts(suite.get("specs")):
        name = " › ".join([*titles, str(spec.get("title", ""))])
        for test in _dicts(spec.get("tests")):
            if test.get("status") == "flaky":
                flaky.append(name)
            elif test.get("status") == "unexpected":
                results = _dicts(test.get("results"))
                error = next((r.get("error") for r in results if r.get("error")), None)
                where = f"{path}:{spec.get('line', '')}"
                failures.append(_failure(name, path, where, error or {}, file))
    for inner in _dicts(suite.get("suites")):
        _walk(inner, [*titles, str(inner.get("title", ""))], folder, file, failures, flaky)


def _failure(name: str, path: str, where: str, error: dict[str, Any], file: str) -> Failure:
    message = strip_ansi(str(error.get("message") or "")).strip()
    stack = strip_ansi(str(error.get("stack") or ""))
    first = message.partition("\n")[0]
    kind = EXPECTATION if "expect(" in message else ""
    if not kind and (thrown := _KIND_RE.match(first)):
        kind = thrown["kind"]
    frames = [
        t.strip().removeprefix("at ") for t in stack.splitlines() if t.strip().startswith("at ")
    ]
    # its frame in the test's own file (absolute in the stack), else the test's line
    mine = [m for f in frames if path and (m := re.search(rf"/{re.escape(path)}:(\d+):\d+", f))]
    location = f"{path}:{mine[0][1]}" if mine else where
    return block_failure(
        SOURCE,
        file,
        [(1, "")],
        name=name,
        group=path,
        location=location,
        kind=kind,
        message=message,
        details={"runner": RUNNER, "text": clip(message, MAX_FIELD)},
        frames=frames,
    )
