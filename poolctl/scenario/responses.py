"""Patterns 4, 5 and 6 in a scenario's trace, read from the responses that differed from what a
step expects: a field under another name, a request rejected for a missing field, the wrong mode.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from poolctl.events import Event
from poolctl.model import Finding, Unclassified
from poolctl.scenario.evidence import nearest, quote_event, snake

if TYPE_CHECKING:
    from poolctl.scenario.classify import TraceClassifier

KEY_MISMATCH = "fixture-key-mismatch"
FIELD_MISSING = "required-field-missing"
ADAPTER = "adapter-misconfigured"

_REQUIRED = re.compile(
    r"(?P<field>[A-Za-z_][\w .-]{0,40}?)\s+(?:is|are)\s+required"
    r"|missing required (?:field|argument|key|parameter)s?:?\s*['\"]?(?P<field2>\w+)"
    r"|['\"]?(?P<field3>\w+)['\"]?\s*(?:\n\s*)?Field required",
    re.IGNORECASE,
)
_MODE_FIELD = re.compile(r"(mode|adapter|backend|implementation)", re.IGNORECASE)


def expectations(c: TraceClassifier) -> list[Finding]:
    """Patterns 4, 5 and 6 from failed expectations; any other difference is unclassified."""
    findings: list[Finding] = []
    failed = c.by_type["expectation_failed"]
    missing = [e for e in failed if e.data.get("check") == "field"]
    if missing:
        findings.append(_missing_field(c, missing))
    rejected = [e for e in failed if e.data.get("check") == "success" and e.data.get("error")]
    findings += _rejections(c, rejected)
    modes = [
        e
        for e in failed
        if e.data.get("check") == "equals" and _MODE_FIELD.search(str(e.data.get("field")))
    ]
    if modes:
        findings.append(
            _mode_finding(
                c, modes, str(modes[0].data.get("expected")), str(modes[0].data.get("got"))
            )
        )
    others = [e for e in failed if e not in missing and e not in rejected and e not in modes]
    for event in others:
        failure = c.failure(
            f"expectation on {event.data.get('field') or event.data.get('check')}",
            "expectation",
            quote_event(event).text,
            [event],
        )
        findings.append(
            Finding(
                failure,
                Unclassified(
                    None,
                    0.0,
                    "a response differed from the expectation in a way no pattern describes",
                ),
            )
        )
    return findings


def _missing_field(c: TraceClassifier, events: list[Event]) -> Finding:
    first = events[0]
    field = str(first.data.get("field"))
    present = list(first.data.get("present") or [])
    near = nearest(field, present)
    parent = field.rpartition(".")[0]
    given = [p.rpartition(".")[2] for p in present if p.rpartition(".")[0] == parent]
    facts: dict[str, Any] = {
        "expected_key": field.rpartition(".")[2],
        "missing_key": field.rpartition(".")[2],
        "expected_path": field,
        "given_keys": given,
        "provided_keys": given,
        "nearest_key": near.rpartition(".")[2] if near else None,
        "responses": len(events),
    }
    cause = f"the step expects {field}, which no response has" + (
        f"; the worker gives {near}: the same value under another name" if near else ""
    )
    message = f"response lacks {field} (keys given: {', '.join(given) or 'none'})"
    failure = c.failure(
        f"{first.data.get('command')} response lacks {field}", "missing-field", message, events
    )
    return Finding(
        failure,
        c.diagnosis(KEY_MISMATCH, [quote_event(e) for e in events[:3]], facts, cause),
    )


def _rejections(c: TraceClassifier, events: list[Event]) -> list[Finding]:
    groups: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        groups[str(event.data.get("error"))].append(event)
    findings = []
    for error, group in groups.items():
        first = group[0]
        match = _REQUIRED.search(error)
        failure = c.failure(
            f"worker rejected {first.data.get('command')}", "worker-error", error, group
        )
        if match is None:
            findings.append(
                Finding(
                    failure,
                    Unclassified(
                        FIELD_MISSING,
                        0.2,
                        f"the worker rejected the request ({error!r}) "
                        "without naming a missing field",
                    ),
                )
            )
            continue
        field = next(g for g in match.groups() if g)
        args = list(first.data.get("args") or [])
        facts: dict[str, Any] = {
            "field": field.strip(),
            "missing_field": field.strip(),
            "field_key": snake(field),
            "args_given": args,
            "command": first.data.get("command"),
            "rejections": len(group),
        }
        absent = snake(field) not in args
        cause = (
            f"the worker rejects {first.data.get('command')} with {error!r}: "
            "the request's args "
            f"({', '.join(args) or 'none'}) "
            + ("do not include" if absent else "include")
            + f" {snake(field)}"
            + ("" if absent else ", so the worker reads it under another name or from elsewhere")
        )
        findings.append(
            Finding(
                failure,
                c.diagnosis(FIELD_MISSING, [quote_event(e) for e in group[:3]], facts, cause),
            )
        )
    return findings


def mode_mismatches(c: TraceClassifier) -> list[Finding]:
    """Pattern 6: workers whose init reported another mode than the scenario's `expect_mode`."""
    expected = c.run.scenario.worker.expect_mode
    if expected is None:
        return []
    wrong = [
        e
        for e in c.by_type["init_end"]
        if e.data.get("ok") and (e.data.get("reported") or {}).get("mode") != expected
    ]
    if not wrong:
        return []
    reported = wrong[0].data.get("reported") or {}
    if "mode" not in reported:  # it says no mode at all: no adapter to compare
        keys = ", ".join(sorted(reported)) or "none"
        failure = c.failure(
            f"expected mode {expected}, got no mode",
            "expectation",
            f"expect_mode {expected!r} is compared with the `mode` of each worker's answer to "
            f"its init ping (result.mode), and that answer has none (its keys: {keys})",
            wrong,
        )
        why = "the workers report no mode: there is no adapter to compare"
        return [Finding(failure, Unclassified(None, 0.0, why))]
    return [_mode_finding(c, wrong, expected, str(reported["mode"]))]


def _mode_finding(c: TraceClassifier, events: list[Event], expected: str, got: str) -> Finding:
    workers = sorted({e.worker for e in events if e.worker})
    facts = {
        "expected": expected,
        "got": got,
        "expected_adapter": expected,
        "actual_adapter": got,
        "workers": workers,
    }
    cause = (
        f"the scenario expects mode {expected!r}, but worker(s) {', '.join(workers) or '?'} "
        f"report {got!r}: the caller and the workers are configured for different adapters"
    )
    failure = c.failure(
        f"expected mode {expected}, got {got}",
        "adapter-mismatch",
        f"expected {expected}, got {got}",
        events,
    )
    return Finding(
        failure,
        c.diagnosis(ADAPTER, [quote_event(e) for e in events[:3]], facts, cause),
    )
