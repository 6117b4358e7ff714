"""A behave run cut off in its scenarios (a CI job's time limit, a killed run): no `Failing
scenarios:` list and no count after them. What its scenarios' blocks said they failed of is read
(`poolctl.logs.behave_block`), the scenario the log ends in is a failure of kind `stopped`, and a
hook's error the run was killed after, no scenario's heading below it, is the failure of what
the hook ran for:

    Feature: A pool reached on its port # features/port.feature:1
      ...
    HOOK-ERROR in before_scenario: ConnectionRefusedError: [Errno 111] Connection refused
    worker 32316 ready (mode silent)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs.behave_block import (
    BEFORE,
    FEATURE,
    FEATURE_HOOKS,
    HOOK_RE,
    LAST,
    PLAIN_STEP_RE,
    PRETTY_STEP_RE,
    PY_STEP_RE,
    READ,
    SCENARIO_RE,
    SIGN,
    SIGNED,
    STEP_RE,
    STRAYS,
    TIMED_STEP_RE,
    UNTESTED,
    Feature,
    failure_of,
    feature_hook_failure,
)
from poolctl.logs.records import Lines
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

_ENDED = "no 'Failing scenarios:' list and no count of the run after it (killed, or a time limit)"


def stopped_in_text(text: str) -> bool:
    """Whether `text`, a whole log, is a behave run cut short in its scenarios: behave's first
    line (or pretty's step placed in a steps file, or plain's step with its time, as 1.2.6
    prints it with no first line), a scenario's heading, and neither the closing lists nor the
    run's counts."""
    if SIGN not in text and not PY_STEP_RE.search(text) and not TIMED_STEP_RE.search(text):
        return False
    if not re.search(r"(?m)^  Scenario(?: Outline)?: ", text):
        return False
    return not re.search(r"(?m)^(?:(?:Failing|Errored) scenarios:|\d+ scenarios? passed, )", text)


def stopped(parser: TextParser, done: Callable[[Failure, Lines], object]) -> None:
    """The input ended in a behave run's scenarios, no list nor count after them (the job was
    killed, or hit its time limit): each scenario whose block said it failed is a failure, and
    so is the one the input ended in, if its block said nothing, its kind `stopped`, or the
    hook whose error came after it."""
    last = LAST.pop(parser, None)
    before, feature_hooks = BEFORE.pop(parser, None), FEATURE_HOOKS.pop(parser, [])
    if last is None or last.run_ended or not last.lines:
        for hook in feature_hooks:  # (after the run's lists, no count: its feature's)
            done(*feature_hook_failure(parser.name, hook, UNTESTED))
        return
    if parser not in SIGNED and not any(PY_STEP_RE.match(t) for _, t in last.lines):
        return  # (cucumber-js's pretty scenarios look alike: behave's steps are in .py files)
    strays = STRAYS.get(parser, set())
    for scenario in READ.pop(parser, []):
        failure = failure_of(
            parser.name,
            scenario.name,
            scenario.place,
            scenario.lines,
            scenario.kind,
            scenario.said(strays),
            scenario.frames,
        )
        done(failure, scenario.lines)
    feature = FEATURE.get(parser)
    for hook in feature_hooks:
        done(*feature_hook_failure(parser.name, hook, f"before_feature's error: {_ENDED}"))
    if before is not None and not feature_hooks:
        done(*_hook_pending(parser.name, before, feature, last.lines))
    elif last.read is None:
        done(*_stopped_in(parser.name, last.lines))
    if any(s.file == parser.name for s in parser.out.summaries):  # (else: `note_failures_alone`)
        parser.out.skipped.append(
            f"{parser.name}: behave's run ended in its scenarios (line {last.lines[0][0]}), no "
            "'Failing scenarios:' list and no count after them (killed, a time limit): read for "
            "the failures it printed, so no count says how many more failed"
        )


def _hook_pending(
    file: str, line: tuple[int, str], feature: Feature | None, last: Lines
) -> tuple[Failure, Lines]:
    """The failure of a `before_scenario` hook's error with no scenario's heading below it: of
    the scenario after the last one shown, named by their feature (its own heading is not
    printed yet)."""
    hook = HOOK_RE.match(line[1])
    assert hook is not None
    said = hook["said"]
    raised = re.match(r"(?P<kind>[A-Za-z_][\w.]*): ", said)
    kind = raised["kind"].rsplit(".", 1)[-1] if raised else ""
    heading = SCENARIO_RE.match(last[0][1])
    assert heading is not None
    note = (
        f"{hook['hook']}'s error, for the scenario after '{heading['name']}' (line "
        f"{last[0][0]}), whose heading the log does not show: {_ENDED}"
    )
    name = feature.name if feature else heading["name"]
    place = feature.place if feature else heading["place"] or ""
    quoted = [feature.line, line] if feature else [line]
    failure = failure_of(file, name, place, quoted, kind, said, [], note=note)
    return failure, quoted


def _stopped_in(file: str, lines: Lines) -> tuple[Failure, Lines]:
    """The failure of the scenario the input ended in, quoted from its heading and the last
    step printed under it."""
    heading = SCENARIO_RE.match(lines[0][1])
    assert heading is not None
    steps = [(n, t) for n, t in lines[1:] if STEP_RE.match(t)]
    said = (
        "the run ended in this scenario: the log ends under it, with no result for it, no "
        "'Failing scenarios:' list and no count of the run (killed, or a time limit)"
    )
    if steps and (plain := PLAIN_STEP_RE.match(steps[-1][1])):
        said += (
            f"; the last step printed {plain['status']} ({plain['step']}): the plain formatter "
            "prints a step once it ends, so the step that was running is not shown"
        )
    elif steps and (pretty := PRETTY_STEP_RE.match(steps[-1][1])):
        said += f"; the last step printed under it: {pretty['step']}"
    quoted = [lines[0], *steps[-1:]]
    place = heading["place"] or ""
    return failure_of(file, heading["name"], place, quoted, "stopped", said, [], note=said), quoted
