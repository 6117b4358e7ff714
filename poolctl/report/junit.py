"""The JUnit XML view, valid against the Jenkins JUnit schema (`junit-10.xsd`, as pytest checks).

One `<testsuite>` per run; one `<testcase>` per triaged failure (the pattern id as its
classname, `unclassified` when no pattern claims it), per scenario step and expectation, per
`doctor` check, and one for a ping. Characters XML 1.0 forbids (control characters other than
tab, newline and carriage return, lone surrogates, U+FFFE/U+FFFF) are written as `\\xNN` or
`\\uNNNN`: worker logs contain them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from poolctl.model import Check, Diagnosis, Finding, Report
from poolctl.report.combine import split
from poolctl.report.view import failure_headline, failure_label, fmt_value, unclassified

_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MESSAGE_LIMIT = 1000  # a failure's `message` attribute; the whole text is in its body


def xml_safe(value: str) -> str:
    """`value` with every character XML 1.0 cannot hold written as a visible escape."""

    def esc(m: re.Match[str]) -> str:
        n = ord(m.group(0))
        return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"

    return _FORBIDDEN.sub(esc, value)


@dataclass(frozen=True)
class Case:
    """One testcase: passed unless `failure` (message, type, body) is set."""

    classname: str
    name: str
    failure: tuple[str, str, str] | None = None
    out: str = ""  # <system-out>: what a passing case found


class JUnitWriter:
    """JUnit XML for CI test-report viewers (GitLab, Jenkins, GitHub test-report actions)."""

    def render(self, report: Report) -> str:
        root = ET.Element("testsuites", name=_s(f"poolctl {report.kind}"))
        totals = [0, 0]
        for run in split(report):
            cases = list(_cases(run))
            failures = sum(1 for c in cases if c.failure is not None)
            totals[0] += len(cases)
            totals[1] += failures
            suite = ET.SubElement(
                root,
                "testsuite",
                name=_s(f"poolctl {run.kind}: {run.title}"),
                tests=str(len(cases)),
                failures=str(failures),
                errors="0",
                skipped="0",
            )
            _properties(suite, run)
            for case in cases:
                _case(suite, case)
            if run.notes:
                ET.SubElement(suite, "system-out").text = _s("\n".join(run.notes))
        root.set("tests", str(totals[0]))
        root.set("failures", str(totals[1]))
        root.set("errors", "0")
        ET.indent(root)
        return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _s(value: Any) -> str:
    return xml_safe(str(value))


def _properties(suite: ET.Element, run: Report) -> None:
    props: list[tuple[str, str]] = [("poolctl.kind", run.kind)]
    props += [(f"poolctl.input.{i}", v) for i, v in enumerate(run.inputs, start=1)]
    if run.run_dir:
        props.append(("poolctl.run_dir", run.run_dir))
    element = ET.SubElement(suite, "properties")
    for name, value in props:
        ET.SubElement(element, "property", name=_s(name), value=_s(value))


def _case(suite: ET.Element, case: Case) -> None:
    element = ET.SubElement(suite, "testcase", classname=_s(case.classname), name=_s(case.name))
    if case.failure is not None:
        message, kind, body = case.failure
        failure = ET.SubElement(
            element, "failure", message=_s(message[:MESSAGE_LIMIT]), type=_s(kind)
        )
        failure.text = _s(body)
    if case.out:
        ET.SubElement(element, "system-out").text = _s(case.out)


def _cases(run: Report) -> Iterator[Case]:
    expected: set[str] = set()
    if run.kind == "scenario":
        yield from _scenario_cases(run)
        want = run.extra.get("expected")
        expected = set(want) if isinstance(want, list) else set()
    for finding in run.findings:
        yield _finding_case(finding, expected)
    for check in run.checks:
        yield _check_case(check)
    if run.kind == "ping" and not run.findings:
        stats = run.extra.get("stats_ms")
        median = stats.get("median") if isinstance(stats, Mapping) else None
        took = f" in {median} ms (median)" if median is not None else ""
        yield Case("ping", run.title, out=f"answered{took}")


def _finding_case(finding: Finding, expected: set[str]) -> Case:
    f = finding.failure
    lines = []
    if f.origin:
        lines.append(f"origin: {f.origin}")
    if f.location:
        lines.append(f"location: {f.location}")
    if f.message:
        lines.append(f.message)
    o = finding.outcome
    if isinstance(o, Diagnosis):
        lines.append(
            f"pattern {o.pattern_number} {o.pattern_id}: {o.title} (confidence {o.confidence:.2f})"
        )
        if o.cause:
            lines.append(f"likely cause: {o.cause}")
        for ev in o.evidence:
            note = f" — {ev.note}" if ev.note else ""
            lines.append(f"evidence: {ev.text} ({ev.origin}){note}")
        if o.facts:
            facts = " · ".join(f"{k} = {fmt_value(v)}" for k, v in o.facts.items())
            lines.append(f"facts: {facts}")
        for h in o.hypotheses:
            reason = f" — {h.reason}" if h.reason else ""
            lines.append(f"{h.status}: {h.title}{reason}")
        if o.remediation:
            lines.append(f"fix: {o.remediation}")
        if o.reproduce:
            lines.append(f"reproduce: {o.reproduce}")
        classname = o.pattern_id
    else:
        u = unclassified(finding)
        nearest = f"nearest pattern {u.nearest} ({u.score:.2f}): " if u.nearest else ""
        lines.append(f"unclassified: {nearest}{u.why}")
        classname = "unclassified"
    body = "\n".join(lines)
    if f.stacktrace:
        body += "\n\n" + "\n".join(f.stacktrace)
    if classname in expected:  # a scenario that reproduces what it expects passes
        return Case(classname, failure_label(f), out=f"reproduced, as expected\n{body}")
    message = failure_headline(f) or f.name
    return Case(classname, failure_label(f), (message, f.kind or "failure", body))


def _check_case(check: Check) -> Case:
    body = "\n".join(
        [check.summary]
        + ([f"remedy: {check.remedy}"] if check.remedy else [])
        + [f"evidence: {e.text} ({e.origin})" for e in check.evidence]
    )
    if check.status == "fail":
        return Case(check.section, check.name, (check.summary, "check-failed", body))
    return Case(check.section, check.name, out=f"{check.status}: {body}")


def _scenario_cases(run: Report) -> Iterator[Case]:
    extra = run.extra
    name = str(extra.get("scenario") or run.title)
    classname = f"scenario.{name}"
    for step in extra.get("steps") or []:
        if not isinstance(step, Mapping):
            continue
        title = f"step {step.get('step')}: {step.get('kind')}"
        errors = [str(e) for e in step.get("errors") or []]
        counts = (
            f"{step.get('expectation_failures', 0)} expectation failure(s), "
            f"{step.get('call_failures', 0)} failed call(s)"
        )
        if errors:
            yield Case(classname, title, (errors[0], "step-error", "\n".join(errors)))
        else:
            yield Case(classname, title, out=f"ran; {counts}")
    want = extra.get("expected")
    found = {str(p) for p in extra.get("found") or []}
    interrupted = extra.get("interrupted")
    if isinstance(want, list):
        for pattern in want:
            if pattern in found and not interrupted:
                yield Case(classname, f"reproduces {pattern}", out="reproduced")
            else:
                why = f"interrupted by {interrupted}" if interrupted else "not reproduced"
                yield Case(
                    classname,
                    f"reproduces {pattern}",
                    (f"{pattern} {why}", "expectation", f"found: {', '.join(sorted(found))}"),
                )
    elif want == "ok":
        if extra.get("passed"):
            yield Case(classname, "outcome ok", out="no failure")
        else:
            got = ", ".join(sorted(found)) or "unclassified failures"
            yield Case(classname, "outcome ok", (f"expected ok, got {got}", "expectation", got))
