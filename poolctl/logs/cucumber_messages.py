"""Cucumber's messages (`cucumber-js --format message`, cucumber-jvm's `message:FILE`): one JSON
envelope a line, read into `Failure`s as its JSON report's are (`poolctl.logs.cucumber_json`):

    {"meta":{"protocolVersion":"27.2.0","implementation":{"name":"cucumber-js",…},…}}
    {"gherkinDocument":{"uri":"features/pool.feature","feature":{"children":[{"scenario":{…}}]}}}
    {"pickle":{"id":"e869…","uri":"features/pool.feature","name":"…","astNodeIds":["bb7e…"],…}}
    {"testCase":{"id":"dec4…","pickleId":"e869…","testSteps":[{"id":"3a29…","pickleStepId":…}]}}
    {"testCaseStarted":{"id":"fa6d…","testCaseId":"dec4…","attempt":0,…}}
    {"testStepFinished":{"testCaseStartedId":"fa6d…","testStepId":"3a29…","testStepResult":{
      "status":"FAILED","message":"Error: …\\n    at World.<anonymous> (…)","exception":{…}}}}
    {"testCaseFinished":{"testCaseStartedId":"fa6d…","willBeRetried":false,…}}

A scenario's try (not one to be retried) fails by its first step or hook that failed, or is
ambiguous, undefined or pending: named by its pickle's name, grouped by its feature's file,
placed at its scenario's line there, that step's exception its kind and message, the `at` lines
of its message its frames; an undefined or pending step, which has no error, says its status.
The failed scenarios count the run.
"""

from __future__ import annotations

import json
from typing import Any

from poolctl.logs.cucumber_json import RUNNER, SOURCE
from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure

FORMAT = "Cucumber messages"  # what a log of them alone is said to be
_NOT_PASSED = ("FAILED", "AMBIGUOUS", "UNDEFINED", "PENDING")


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole input of Cucumber's messages: its failures and its run into `out`.
    False when it holds none."""
    seen: dict[str, dict[str, Any]] = {}  # each envelope's kind: its objects by id
    steps: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # a try's finished steps
    tries: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            envelope = json.loads(line) if line.startswith("{") else None
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or len(envelope) != 1:
            continue
        ((kind, body),) = envelope.items()
        if not isinstance(body, dict):
            continue
        if kind == "gherkinDocument":
            _places(body, seen.setdefault("place", {}))
        elif kind in ("pickle", "testCase", "testCaseStarted"):
            seen.setdefault(kind, {})[str(body.get("id", ""))] = body
        elif kind == "testStepFinished":
            started = str(body.get("testCaseStartedId", ""))
            steps.setdefault(started, []).append((str(body.get("testStepId", "")), body))
        elif kind == "testCaseFinished" and not body.get("willBeRetried"):
            tries.append((number, body))
    if not seen.get("pickle"):
        return False
    failures = [
        failed
        for number, body in tries
        if (failed := _failure(str(body.get("testCaseStartedId", "")), number, seen, steps, file))
    ]
    out.failures.extend(failures)
    out.summaries.append(
        RunSummary(
            file,
            tries[-1][0] if tries else 1,
            f"{len(tries)} scenarios, {len(failures)} not passed",
            len(tries),
            len(failures),
            read=len(failures),
            source=RUNNER,
        )
    )
    return out.read_whole(file, text, FORMAT, "Cucumber's messages (--format message)")


def _places(document: dict[str, Any], places: dict[str, Any]) -> None:
    """Each scenario's, example row's and step's place in a feature file, by its id."""
    uri = str(document.get("uri", ""))
    pending = [document.get("feature") or {}]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if "id" in node and isinstance(node.get("location"), dict):
                places[str(node["id"])] = (uri, node["location"].get("line"), node)
            pending.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            pending.extend(node)


def _failure(
    started_id: str,
    number: int,
    seen: dict[str, dict[str, Any]],
    steps: dict[str, list[tuple[str, dict[str, Any]]]],
    file: str,
) -> Failure | None:
    started = seen.get("testCaseStarted", {}).get(started_id, {})
    case = seen.get("testCase", {}).get(str(started.get("testCaseId", "")), {})
    pickle = seen.get("pickle", {}).get(str(case.get("pickleId", "")), {})
    finished = dict(steps.get(started_id, []))
    bad = next(
        (
            (step, finished[str(step.get("id"))])
            for step in case.get("testSteps") or []
            if (finished.get(str(step.get("id"))) or {}).get("testStepResult", {}).get("status")
            in _NOT_PASSED
        ),
        None,
    )
    if bad is None:
        return None
    step, result = bad[0], bad[1].get("testStepResult", {})
    places = seen.get("place", {})
    pickle_step = next(
        (s for s in pickle.get("steps") or [] if s.get("id") == step.get("pickleStepId")), None
    )
    said = "hook"
    if pickle_step is not None:
        gherkin = places.get(str((pickle_step.get("astNodeIds") or [""])[0]))
        keyword = str(gherkin[2].get("keyword", "")) if gherkin else ""
        said = f"{keyword}{pickle_step.get('text', '')}".strip()
    scenario = places.get(str((pickle.get("astNodeIds") or [""])[0]))
    uri = str(pickle.get("uri", ""))
    line = scenario[1] if scenario else ""
    raised = result.get("exception") if isinstance(result.get("exception"), dict) else {}
    error = str(result.get("message") or "")
    frames = [
        t.strip().removeprefix("at ") for t in error.splitlines() if t.strip().startswith("at ")
    ]
    kind = str(raised.get("type") or "")
    message = str(raised.get("message") or "").strip()
    if not message:
        message = f"step {str(result.get('status', '')).lower()}: {said}"
    return block_failure(
        SOURCE,
        file,
        [(number, "")],
        name=str(pickle.get("name", "")),
        group=uri,
        location=f"{uri}:{line}",
        kind=kind,
        message=message,
        details={"runner": RUNNER, "step": said, "text": clip(error or message, MAX_FIELD)},
        frames=frames,
    )
