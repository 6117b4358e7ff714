"""Cucumber's JSON report (`--format json:FILE`; Cucumber.js, cucumber-jvm and cucumber-ruby write
it alike), read into `Failure`s that classify as its console's do
(`poolctl.logs.cucumber_js_block`). A list of features, each with its `uri` and `elements`,
its scenarios (and backgrounds), each with its `name`, `line`, `steps` and `before`/`after`
hooks, each with a `result` (`status`, and `error_message` when it failed):

    [{"elements": [{"keyword": "Scenario", "line": 8, "name": "a worker answers a ping",
      "steps": [{"keyword": "When ", "name": "I ping it within 300 ms", "result": {"status":
      "failed", "error_message": "Error: worker pid 17005 sent no response within 300 ms\\n
      at Timeout._onTimeout (…/pool_steps.js:12:20)…"}}, …]}], "uri": "features/pool.feature"}]

A scenario fails by its first step or hook that failed, or is ambiguous, undefined or pending
(each fails a strict run, the default): named by its name, grouped by its feature's file, placed
at its line there, that step's error its message (its class its kind, `AssertionError
[ERR_ASSERTION]` AssertionError), its frames its stack; an undefined or pending step, which has
no error, says its status. The failed scenarios count the run.

behave's JSON formatter (`behave -f json -o FILE`) writes the same shape in its own dialect: a
`location` (`features/pool.feature:3`) for each feature and scenario, no `uri` nor `line`, a step's
keyword without its space, an exception's step of status `error` with no `error_message` (an
assertion's `failed` has one; behave 1.2.6's a traceback, read as its console's), a hook's
`hook_error`: read as behave's (its source and runner).
"""

from __future__ import annotations

import json
import re
from typing import Any

from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

RUNNER = "Cucumber"
SOURCE: Source = "cucumber"
FORMAT = "Cucumber JSON"  # what a log of it alone is said to be
# (behave's JSON formatter also says `error`, an exception's, and `hook_error`)
_NOT_PASSED = ("failed", "ambiguous", "undefined", "pending", "error", "hook_error")
_ASSERTED_RE = re.compile(r"^(?:ASSERT FAILED|Assertion Failed): ")
_TRACEBACK = "Traceback (most recent call last):"
# behave's JSON formatter's dialect: a `location` of each, no `uri` nor `line`
BEHAVE = "behave"
BEHAVE_SOURCE: Source = "behave"
_KIND_RE = re.compile(r"^(?P<kind>[\w.$]*(?:Error|Exception)\w*)(?: \[\w+\])?: ?(?P<message>.*)$")


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole input, if it is Cucumber's JSON report: its failures and its run
    into `out`. False when it is not one."""
    try:
        features = json.loads(text)
    except ValueError:
        return False
    # (behave leaves `elements` out of a feature it skipped whole)
    if not isinstance(features, list) or not all(
        isinstance(f, dict) and isinstance(f.get("elements", []), list) for f in features
    ):
        return False
    failures: list[Failure] = []
    scenarios = 0
    behave = bool(features) and all("uri" not in f and "location" in f for f in features)
    runner = BEHAVE if behave else RUNNER
    for feature in features:
        uri = str(feature.get("uri") or str(feature.get("location", "")).rpartition(":")[0])
        for element in feature.get("elements", []):
            if not isinstance(element, dict) or element.get("type") == "background":
                continue
            scenarios += 1
            if (failed := failure_of(uri, element, file, runner)) is not None:
                failures.append(failed)
    out.failures.extend(failures)
    out.summaries.append(
        RunSummary(
            file,
            1,
            f"{scenarios} scenarios, {len(failures)} not passed",
            scenarios,
            len(failures),
            read=len(failures),
            source=runner,
        )
    )
    return out.read_whole(file, text, f"{runner} JSON", f"{runner}'s JSON report (--format json)")


def failure_of(uri: str, scenario: dict[str, Any], file: str, runner: str) -> Failure | None:
    """A scenario's failure, if a step or hook of it did not pass."""
    steps = [
        s
        for key in ("before", "steps", "after")
        for s in scenario.get(key) or []
        if isinstance(s, dict)
    ]
    bad = next((s for s in steps if (s.get("result") or {}).get("status") in _NOT_PASSED), None)
    if bad is None:
        return None
    result = bad.get("result") or {}
    keyword = str(bad.get("keyword", ""))
    keyword += " " if keyword and not keyword.endswith(" ") else ""
    step = f"{keyword}{bad.get('name', '')}".strip() or "hook"
    said = result.get("error_message") or ""
    error = "\n".join(map(str, said)) if isinstance(said, list) else str(said)
    lines = error.splitlines()
    frames = [t.strip().removeprefix("at ") for t in lines if t.strip().startswith("at ")]
    said = [t for t in lines if not t.strip().startswith("at ")]
    kind = ""
    if said and (thrown := _KIND_RE.match(said[0])):
        kind, said[0] = thrown["kind"], thrown["message"]
    message = "\n".join(said).strip() or f"step {result.get('status')}: {step}"
    if asserted := _ASSERTED_RE.match(message):  # behave's assert, as its console says it
        kind, message = "AssertionError", message[asserted.end() :]
    if runner == BEHAVE and error.startswith(_TRACEBACK):  # (behave 1.2.6 keeps an exception's)
        from poolctl.logs.behave_block import message_of  # (behave_block reads this module)

        kind, message, frames = message_of([(1, t) for t in lines])
    line = scenario.get("line") or str(scenario.get("location", "")).rpartition(":")[2]
    return block_failure(
        BEHAVE_SOURCE if runner == BEHAVE else SOURCE,
        file,
        [(1, "")],
        name=str(scenario.get("name", "")).strip(),
        group=uri,
        location=f"{uri}:{line}",
        kind=kind,
        message=message,
        details={"runner": runner, "step": step, "text": clip(error, MAX_FIELD)},
        frames=frames,
    )
