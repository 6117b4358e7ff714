"""Patterns 4, 5 and 6 in a scenario's trace, read from the responses that differed from what a
step expects: a field under another name, a request rejected for a missing field, the wrong mode.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from poolctl.diagnose.asks import asked_for, unset
from poolctl.events import Event
from poolctl.model import Diagnosis, Failure, Finding, Unclassified
from poolctl.patterns.loader import PatternSet
from poolctl.protocol.tool_arguments import missing_arguments
from poolctl.protocol.undeclared import undeclared
from poolctl.scenario.asked_option import asked_option
from poolctl.scenario.browser_missing import browser_hint
from poolctl.scenario.credentials_refused import credentials_refused
from poolctl.scenario.evidence import nearest, quote_event, snake
from poolctl.scenario.failed_checks import MAX_GROUPS, CheckGroup, merged
from poolctl.scenario.load import reproduce_command
from poolctl.scenario.null_answer import null_answer
from poolctl.scenario.schema import filled_values
from poolctl.scenario.services import NOT_STARTED
from poolctl.scenario.shown_errors import null_with_shown_error
from poolctl.scenario.unopened_document import (
    null_for_unopened,
    opened_documents,
    unopened_document,
)
from poolctl.triage.engine import classify_failures
from poolctl.unresolved_host import unresolved_host

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
    """Patterns 4, 5 and 6 from failed expectations; any other difference is unclassified, a
    finding for each shape of failure (`FailedChecks`: a few events of each kept, the rest
    counted)."""
    checks = c.run.failed_checks
    findings: list[Finding] = []
    missing = checks.of_check("field")
    if missing:
        findings.append(_missing_field(c, merged(missing)))
    rejected = [g for g in checks.of_check("success") if g.first.data.get("error")]
    findings += _rejections(c, rejected)
    modes = [
        g for g in checks.of_check("equals") if _MODE_FIELD.search(str(g.first.data.get("field")))
    ]
    if modes:
        mode = merged(modes)
        first = mode.first.data
        expected, got = str(first.get("expected")), str(first.get("got"))
        explains = {"expectation_failed": mode.count}
        findings.append(_mode_finding(c, mode.span, expected, got, explains))
    read = {id(g) for g in [*missing, *rejected, *modes]}
    for group in checks.groups.values():
        if id(group) not in read:
            findings.append(_unlike_any_pattern(c, group))
    return findings


def _unlike_any_pattern(c: TraceClassifier, group: CheckGroup) -> Finding:
    """Responses that failed one check the same way, which no pattern describes."""
    first = group.first
    message = quote_event(first).text
    if group.count > 1:
        quoted = [f"{quote_event(e).text} ({e.ref})" for e in group.examples]
        message = (
            f"{group.count:,} responses failed this check the same way; the first "
            f"{len(quoted)}:\n" + "\n".join(quoted)
        )
    failure = c.failure(
        f"expectation on {first.data.get('field') or first.data.get('check')}",
        "expectation",
        message,
        group.span,
        {"expectation_failed": group.count},
    )
    why = "a response differed from the expectation in a way no pattern describes"
    return Finding(failure, Unclassified(None, 0.0, why))


def unkept_note(c: TraceClassifier) -> list[str]:
    """What was counted of the failed expectations but not kept (past MAX_GROUPS shapes)."""
    unkept = c.run.failed_checks.unkept
    if not unkept:
        return []
    return [
        f"{unkept:,} failed expectation(s) of other shapes than the first {MAX_GROUPS} were "
        "counted (in each step's expectation_failures), not kept: events.jsonl has them all"
    ]


def _missing_field(c: TraceClassifier, group: CheckGroup) -> Finding:
    first = group.first
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
        "responses": group.count,
    }
    cause = f"the step expects {field}, which no response has" + (
        f"; the worker gives {near}: the same value under another name" if near else ""
    )
    message = f"response lacks {field} (keys given: {', '.join(given) or 'none'})"
    failure = c.failure(
        f"{first.data.get('command')} response lacks {field}",
        "missing-field",
        message,
        group.span,
        {"expectation_failed": group.count},
    )
    scenario = c.run.scenario
    opened = opened_documents(scenario.steps, scenario.base)
    args = _step_args(c, first)
    command = str(first.data.get("command"))
    null = null_for_unopened(command, present, args, opened)
    if scenario.worker.protocol == "lsp" and not null:  # the server showed why, maybe
        null = null_with_shown_error(command, present, c.run.pool)
    if scenario.worker.protocol == "lsp" and not null:  # nothing there, as LSP answers it
        null = null_answer(command, present, args)
    if null and scenario.worker.protocol == "lsp":
        return Finding(failure, Unclassified(KEY_MISMATCH, 0.2, null))  # no key, no mismatch
    return Finding(
        failure,
        c.diagnosis(KEY_MISMATCH, [quote_event(e) for e in group.examples], facts, cause),
    )


def _service_refused(c: TraceClassifier, failure: Failure, path: Path) -> Finding | None:
    """Pattern 7 in a rejection's error, read by the knowledge base's own signals as `triage`
    reads a test's: a worker whose call to a service of its own was refused (mcp-server-kubernetes
    4.1.7 with no cluster answers kubectl_get with `dial tcp 127.0.0.1:8080: connect: connection
    refused`) lacks that service, not a field of the request."""
    kb = PatternSet(tuple(p for p in c.patterns if p.id == NOT_STARTED))
    [found], _ = classify_failures([failure], kb)
    if not isinstance(found.outcome, Diagnosis):
        return None
    # its confidence stays the wording's; it is reproduced by this scenario, not the bundled one
    return replace(found, outcome=replace(found.outcome, reproduce=reproduce_command(path)))


def _asks_environment(c: TraceClassifier, error: str) -> str:
    """What a rejection asking for environment variables the worker was not given says to do:
    mcp-shell-server 1.1.14 with no ALLOW_COMMANDS answers each shell_execute with 'No commands
    are allowed. Please set ALLOW_COMMANDS environment variable.' ("" when it asks none)."""
    asked = asked_for(error)
    lacking = unset(asked, c.run.scenario.worker_spec().environment()) if asked else ()
    if not lacking:
        return ""
    names = " and ".join(lacking)
    return (
        f"; it asks for {asked.what() if asked else names}, not set in the worker's "
        f"environment: set {names} in the scenario's `worker.env`"
    )


def _strings(value: Any, key: str = "") -> list[tuple[str, str]]:
    """Each string in a request's args, with the dotted key it is under."""
    if isinstance(value, str):
        return [(key, value)]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _strings(v, f"{key}.{k}" if key else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _strings(v, f"{key}.{i}")]
    return []


def _step_args(c: TraceClassifier, event: Event) -> dict[str, Any]:
    """The args of the step whose request the event is about ({} when it names none)."""
    steps, index = c.run.scenario.steps, event.data.get("step")
    if not isinstance(index, int) or not 1 <= index <= len(steps):
        return {}
    # as the run sent them: `{scenario_dir}` filled in
    return dict(filled_values(getattr(steps[index - 1][1], "args", {}), c.run.scenario.base))


def _names_missing_path(c: TraceClassifier, event: Event, error: str) -> str:
    """What a rejection that names an absolute path of the request's args, not there, says to
    do: mcp-server-git 2026.10.19's git_log given `repo_path: /x` answers only 'Error executing
    tool git_log: /x' (GitPython's NoSuchPathError says the path alone). "" when it names none;
    a relative value (`owner/repo`) may be no path, and is not judged."""
    for key, value in _strings(_step_args(c, event)):
        path = Path(value)
        named = re.search(rf"(?<![\w./-]){re.escape(value)}(?![\w/-])", error)
        if path.is_absolute() and "{" not in value and named and not path.exists():
            return (
                f"; it names the path its args' `{key}` gives, which does not exist "
                f"({value}): give one that is there"
            )
    return ""


# a file a rejection says is not there: Node's `ENOENT: no such file or directory, open '/x'`,
# Python's `[Errno 2] No such file or directory: '/x'`
_ABSENT_FILE = re.compile(
    r"(?:ENOENT|No such file or directory)[^'\"\n]*['\"](?P<path>/[^'\"\n]+)['\"]"
)


def _missing_folder(c: TraceClassifier, error: str) -> str:
    """What a rejection naming a file in a folder that is not there says to do, with the
    variable of the worker's environment that points there: server-memory 2026.8.31 given
    MEMORY_FILE_PATH=/no/dir/memory.jsonl answers create_entities with `ENOENT: no such file
    or directory, open '/no/dir/memory.jsonl.<random>.tmp'`. "" when its folder is there."""
    found = _ABSENT_FILE.search(error)
    if found is None:
        return ""
    gone = next((p for p in reversed(Path(found["path"]).parents) if not p.exists()), None)
    if gone is None:  # only the file is missing: its folder is there
        return ""
    said = f"; the folder {gone} of the file it names does not exist"
    env = c.run.scenario.worker_spec().environment()
    for name, value in env.items():
        if value == str(gone) or value.startswith(f"{gone}/"):
            return (
                f"{said}, and the worker's environment points there ({name}={value}): create "
                f"it, or set {name} in the scenario's `worker.env` to a path in a folder that "
                "exists"
            )
    return said


# a run of hex digits that names one request's file or object (a temporary file's random
# suffix): rejections that differ only there have one cause
_RANDOM_HEX = re.compile(r"\b[0-9a-f]{16,}\b")


def _rejections(c: TraceClassifier, rejected: list[CheckGroup]) -> list[Finding]:
    """A finding for each error the worker rejected requests with (whatever their step); errors
    that differ only in a random hex name are one."""
    by_error: dict[str, list[CheckGroup]] = defaultdict(list)
    errors: dict[str, str] = {}
    for each in rejected:
        said = str(each.first.data.get("error"))
        key = errors.setdefault(_RANDOM_HEX.sub("…", said), said)  # the first one's words
        by_error[key].append(each)
    findings = []
    for error, groups in by_error.items():
        group = merged(groups)
        first = group.first
        # a credential its environment lacks, though worded as a required field: no request's
        # field (circleci's `CircleCI token is required. … or set CIRCLECI_TOKEN.`)
        match = None if _asks_environment(c, error) else _REQUIRED.search(error)
        lacked = missing_arguments(error, _step_args(c, first)) if match is None else None
        failure = c.failure(
            f"worker rejected {first.data.get('command')}",
            "worker-error",
            error,
            group.span,
            {"expectation_failed": group.count},
        )
        if lacked is not None:  # the MCP SDK's schema check names the arguments
            findings.append(_lacked_arguments(c, failure, group, error, *lacked))
            continue
        if match is None:
            findings.append(
                _service_refused(c, failure, c.run.scenario.path)
                or Finding(
                    failure,
                    Unclassified(
                        FIELD_MISSING,
                        0.2,
                        f"the worker rejected the request ({error!r}) "
                        f"without naming a missing field{_asks_environment(c, error)}"
                        + asked_option(error, c.run.scenario.worker_spec().argv)
                        + browser_hint(error, c.run.scenario.worker_spec())
                        + unresolved_host(error)
                        + undeclared(str(first.data.get("command")), error, _reported(c, first))
                        + credentials_refused(error)
                        + (_names_missing_path(c, first, error) or _missing_folder(c, error))
                        + unopened_document(
                            error,
                            _step_args(c, first),
                            opened_documents(c.run.scenario.steps, c.run.scenario.base),
                        ),
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
            "rejections": group.count,
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
                c.diagnosis(FIELD_MISSING, [quote_event(e) for e in group.examples], facts, cause),
            )
        )
    return findings


def _reported(c: TraceClassifier, event: Event) -> Any:
    """What the worker that answered `event` reported as its init (a language server's answer
    to initialize; the pool's last worker's where the event names none), None when not known."""
    ends = [e for e in c.by_type["init_end"] if e.data.get("ok")]
    own = [e for e in ends if e.worker == event.worker] or ends
    return own[-1].data.get("reported") if own else None


def _lacked_arguments(
    c: TraceClassifier,
    failure: Failure,
    group: CheckGroup,
    error: str,
    tool: str,
    lacked: list[str],
) -> Finding:
    """Pattern 5 from the MCP SDK's refusal of a tools/call whose `arguments` lack what the
    tool's input schema requires."""
    given = list(_step_args(c, group.first).get("arguments") or {})
    names = ", ".join(lacked)
    facts: dict[str, Any] = {
        "field": lacked[0],
        "missing_field": lacked[0],
        "field_key": lacked[0],
        "missing_fields": lacked,
        "args_given": given,
        "command": group.first.data.get("command"),
        "rejections": group.count,
    }
    cause = (
        f"the worker rejects tools/call with {error!r}: the tool {tool}'s input schema asks for "
        f"{names}, and the call's arguments ({', '.join(given) or 'none'}) do not include "
        + ("it" if len(lacked) == 1 else "them")
    )
    fix = (
        f"Send {names} in the `arguments` of each tools/call of {tool}: its input schema, which "
        "tools/list shows, requires "
        + ("it" if len(lacked) == 1 else "them")
        + "; or, where the worker is yours, make "
        + ("it" if len(lacked) == 1 else "them")
        + " optional there."
    )
    evidence = [quote_event(e) for e in group.examples]
    return Finding(failure, c.diagnosis(FIELD_MISSING, evidence, facts, cause, fix))


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


def _mode_finding(
    c: TraceClassifier,
    events: list[Event],
    expected: str,
    got: str,
    explains: dict[str, int] | None = None,
) -> Finding:
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
        explains,
    )
    return Finding(
        failure,
        c.diagnosis(ADAPTER, [quote_event(e) for e in events[:3]], facts, cause),
    )
