"""The JUnit XML view, valid against the Jenkins JUnit schema (`junit-10.xsd`, as pytest checks)
but for the `file` and `line` attributes of a `<testcase>`, which that schema does not list:
pytest's xunit1 files carry them, and GitLab's and the GitHub test-report actions read them to
link a failure to its source.

One `<testsuite>` per run; one `<testcase>` per triaged failure (the test's module as its
classname, and as pytest's xunit1 files do, its `file` and `line`; its `time` when the log has
one; the pattern, the likely cause and the fix first in its text), per scenario step and
expectation, per `doctor` check, and one for a ping. Characters XML 1.0 forbids (control
characters other than tab, newline and carriage return, lone surrogates, U+FFFE/U+FFFF) are
written as `\\xNN` or `\\uNNNN`: worker logs contain them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from poolctl.model import (
    BLOCK_SOURCES,
    GROUPED_BY_NAME,
    Check,
    Diagnosis,
    Failure,
    Finding,
    PingDetails,
    Report,
    ScenarioDetails,
)
from poolctl.report.combine import split
from poolctl.report.groups_view import coverage_of
from poolctl.report.view import (
    counted_past_cap,
    details_of,
    failure_headline,
    failure_label,
    fmt_value,
    unclassified,
)
from poolctl.termtext import shown
from poolctl.units import fmt_ms

_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
TEST_SOURCES = ("exunit", "junit", *BLOCK_SOURCES)  # failures of tests, read from a log
MESSAGE_LIMIT = 1000  # a failure's `message` attribute; the whole text is in its body


def xml_safe(value: str) -> str:
    """`value` with every character XML 1.0 cannot hold written as a visible escape."""
    return _FORBIDDEN.sub(shown, value)


@dataclass(frozen=True)
class Case:
    """One testcase: passed unless `failure` (message, type, body) is set."""

    classname: str
    name: str
    failure: tuple[str, str] | None = None  # message and type
    body: str | Callable[[], str] = ""  # the failure's text, or a passing case's <system-out>
    where: tuple[tuple[str, str], ...] = ()  # file, line and time, when known

    def text(self) -> str:
        """The body, computed only when written: the cases are counted first."""
        return self.body if isinstance(self.body, str) else self.body()


class JUnitWriter:
    """JUnit XML for CI test-report viewers (GitLab, Jenkins, GitHub test-report actions).

    Written as text, not through an element tree: a 20,000-failure triage stays small.
    """

    def render(self, report: Report) -> str:
        return "".join(self.chunks(report))

    def chunks(self, report: Report) -> Iterator[str]:
        """The document in pieces, for writing a big one to a file without holding it whole;
        the cases are counted first and their text made as they are written."""
        runs = [(run, list(_cases(run))) for run in split(report)]
        tests = sum(len(cases) for _, cases in runs)
        failures = sum(1 for _, cases in runs for c in cases if c.failure is not None)
        yield '<?xml version="1.0" encoding="utf-8"?>\n'
        yield (
            _open(
                "testsuites",
                name=f"poolctl {report.kind}",
                tests=tests,
                failures=failures,
                errors=0,
            )
            + "\n"
        )
        for run, cases in runs:
            attrs: dict[str, Any] = {
                "name": f"poolctl {run.kind}: {run.title}",
                "tests": len(cases),
                "failures": sum(1 for c in cases if c.failure is not None),
                "errors": 0,
                "skipped": 0,
            }
            yield "  " + _open("testsuite", **attrs) + "\n    <properties>\n"
            for name, value in _properties(run):
                yield "      " + _open("property", name=name, value=value, close=True) + "\n"
            yield "    </properties>\n"
            for case in cases:
                yield "".join(line + "\n" for line in _case(case))
            if run.notes:
                yield "    " + _element("system-out", "\n".join(run.notes)) + "\n"
            yield "  </testsuite>\n"
        yield "</testsuites>\n"


def _text(value: Any) -> str:
    s = xml_safe(str(value))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: Any) -> str:
    s = _text(value).replace('"', "&quot;")
    return s.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#09;")


def _open(tag: str, *, close: bool = False, **attrs: Any) -> str:
    inner = "".join(f' {k}="{_attr(v)}"' for k, v in attrs.items())
    return f"<{tag}{inner} />" if close else f"<{tag}{inner}>"


def _element(tag: str, text: str, **attrs: Any) -> str:
    if not text:
        return _open(tag, close=True, **attrs)
    return f"{_open(tag, **attrs)}{_text(text)}</{tag}>"


def _properties(run: Report) -> list[tuple[str, str]]:
    props: list[tuple[str, str]] = [("poolctl.kind", run.kind)]
    props += [(f"poolctl.input.{i}", v) for i, v in enumerate(run.inputs, start=1)]
    if run.run_dir:
        props.append(("poolctl.run_dir", run.run_dir))
    if run.interrupted:
        props.append(("poolctl.interrupted", run.interrupted))
    return props


def _case(case: Case) -> list[str]:
    children = []
    text = case.text()
    if case.failure is not None:
        message, kind = case.failure
        children.append(_element("failure", text, message=message[:MESSAGE_LIMIT], type=kind))
    elif text:
        children.append(_element("system-out", text))
    attrs: dict[str, Any] = {"classname": case.classname, "name": case.name, **dict(case.where)}
    if not children:
        return ["    " + _open("testcase", close=True, **attrs)]
    head = "    " + _open("testcase", **attrs)
    return [head, *("      " + c for c in children), "    </testcase>"]


def _cases(run: Report) -> Iterator[Case]:
    if run.interrupted:  # a run cut short fails, whatever it saw before
        why = f"interrupted by {run.interrupted}"
        yield Case("poolctl", f"{run.kind} run", (why, "interrupted"), "\n".join(run.notes))
    expected: set[str] = set()
    scenario = details_of(run, ScenarioDetails)
    if run.kind == "scenario" and scenario is not None:
        yield from _scenario_cases(run, scenario)
        expected = set(scenario.expected)
    for finding in run.findings:
        yield _finding_case(finding, expected)
    past_cap = sum(counted_past_cap(run).values())
    if past_cap:  # counted in their groups, not kept: one case says how many, and where
        why = f"{past_cap:,} more failures past poolctl's cap, counted in their groups"
        where = f" ({run.run_dir}/report.json: `more` of each group)" if run.run_dir else ""
        yield Case("poolctl", f"{past_cap:,} more failures", (why, "counted"), why + where)
    coverage = coverage_of(run)
    if coverage is not None and coverage.unread:  # counted by the runner, not read: one case
        why = f"{coverage.unread:,} failures the runners counted were not read"
        where = "\n".join(f"{r.origin}: {r.why}" for r in coverage.regions)
        yield Case("poolctl", f"{coverage.unread:,} unread failures", (why, "unread"), where)
    for check in run.checks:
        yield _check_case(check)
    if run.kind == "ping" and not run.findings and not run.interrupted:
        ping = details_of(run, PingDetails)
        median = ping.stats_ms.get("median") if ping is not None else None
        took = f" in {fmt_ms(median)} (median)" if median is not None else ""
        yield Case("ping", run.title, body=f"answered{took}")


def test_module(failure: Failure) -> str:
    """The test's module, as JUnit readers group tests: the runner's group (an ExUnit module,
    a JUnit classname, a pytest class path as pytest's own JUnit file names it:
    `tests/check_pool.py::TestPool` is `tests.check_pool.TestPool`), else the test file as a
    dotted name; empty when the log names neither."""
    group = failure.group
    if group and failure.source in BLOCK_SOURCES and failure.source not in GROUPED_BY_NAME:
        # (TAP's, Vitest's: a file, dotted)
        path, _, classes = group.partition("::")
        return ".".join(p for p in (_dotted(path), classes.replace("::", ".")) if p)
    if group:
        return group
    return _dotted(failure.location.rsplit(":", 1)[0])


def _dotted(path: str) -> str:
    """`tests/check_pool.py` -> `tests.check_pool`."""
    stem = path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path
    return stem.strip("./").replace("/", ".")


def test_name(failure: Failure, module: str) -> str:
    """The test's name in its `module`: a pytest test's without the classes its module names
    (`TestPool.test_x` in `check_pool.TestPool` is `test_x`), as in pytest's own JUnit file."""
    name = failure.name
    if failure.source == "pytest" and "::" in failure.group:
        classes = failure.group.partition("::")[2].replace("::", ".")
        name = name.removeprefix(f"{classes}.")
    return f"{name} ({module})" if failure.group and module not in name else name


def test_place(failure: Failure) -> tuple[tuple[str, str], ...]:
    """`file`, `line` (from the test's location) and `time` (when the log has one)."""
    out = []
    path, _, line = failure.location.rpartition(":")
    if path and line.isdigit():
        out += [("file", path), ("line", line)]
    elif failure.location:
        out.append(("file", failure.location))
    time = failure.details.get("time", "")
    if time and re.fullmatch(r"\d+(\.\d+)?", time):
        out.append(("time", time))
    return tuple(out)


def _finding_case(finding: Finding, expected: set[str]) -> Case:
    f = finding.failure
    o = finding.outcome
    pattern = o.pattern_id if isinstance(o, Diagnosis) else "unclassified"
    place = test_place(f)
    # a test from a log: its module; poolctl's own runs (a scenario, a ping): the pattern
    module = test_module(f) if f.source in TEST_SOURCES else ""
    classname = module or pattern
    label = test_name(f, module) if module else failure_label(f)
    if pattern in expected:  # a scenario that reproduces what it expects passes
        return Case(
            classname,
            label,
            body=lambda: f"reproduced, as expected\n{_finding_body(finding)}",
            where=place,
        )
    message = failure_headline(f) or f.name
    return Case(
        classname,
        label,
        (message, f.kind or "failure"),
        lambda: _finding_body(finding),
        place,
    )


def _finding_body(finding: Finding) -> str:
    """The pattern, the likely cause and the fix first; then where, the message, and what
    backs the diagnosis."""
    f = finding.failure
    lines = []
    o = finding.outcome
    if isinstance(o, Diagnosis):
        lines.append(
            f"pattern {o.pattern_number} {o.pattern_id}: {o.title} (confidence {o.confidence:.2f})"
        )
        if o.cause:
            lines.append(f"likely cause: {o.cause}")
        if o.remediation:
            lines.append(f"fix: {o.remediation}")
        if o.reproduce:
            lines.append(f"reproduce: {o.reproduce}")
    else:
        u = unclassified(finding)
        nearest = f"nearest pattern {u.nearest} ({u.score:.2f}): " if u.nearest else ""
        lines.append(f"unclassified: {nearest}{u.why}")
    if f.origin:
        lines.append(f"origin: {f.origin}")
    if f.location:
        lines.append(f"location: {f.location}")
    if f.message:
        lines.append(f.message)
    if isinstance(o, Diagnosis):
        for ev in o.evidence:
            note = f" — {ev.note}" if ev.note else ""
            lines.append(f"evidence: {ev.text} ({ev.origin}){note}")
        if o.facts:
            facts = " · ".join(f"{k} = {fmt_value(v)}" for k, v in o.facts.items())
            lines.append(f"facts: {facts}")
        for h in o.hypotheses:
            reason = f" — {h.reason}" if h.reason else ""
            lines.append(f"{h.status}: {h.title}{reason}")
    body = "\n".join(lines)
    if f.stacktrace:
        body += "\n\n" + "\n".join(f.stacktrace)
    return body


def _check_case(check: Check) -> Case:
    body = "\n".join(
        [check.summary]
        + ([f"remedy: {check.remedy}"] if check.remedy else [])
        + [f"evidence: {e.text} ({e.origin})" for e in check.evidence]
    )
    if check.status == "fail":
        return Case(check.section, check.name, (check.summary, "check-failed"), body)
    return Case(check.section, check.name, body=f"{check.status}: {body}")


def _scenario_cases(run: Report, details: ScenarioDetails) -> Iterator[Case]:
    classname = f"scenario.{details.scenario or run.title}"
    for step in details.steps:
        title = f"step {step.step}: {step.kind}"
        counts = (
            f"{step.expectation_failures} expectation failure(s), "
            f"{step.call_failures} failed call(s)"
        )
        if step.errors:
            yield Case(classname, title, (step.errors[0], "step-error"), "\n".join(step.errors))
        else:
            yield Case(classname, title, body=f"ran; {counts}")
    found = set(details.found)
    interrupted = details.interrupted
    for pattern in details.expected:
        if pattern in found and not interrupted:
            yield Case(classname, f"reproduces {pattern}", body="reproduced")
        else:
            why = f"interrupted by {interrupted}" if interrupted else "not reproduced"
            yield Case(
                classname,
                f"reproduces {pattern}",
                (f"{pattern} {why}", "expectation"),
                f"found: {', '.join(sorted(found))}",
            )
    if not details.expected:
        if details.passed:
            yield Case(classname, "outcome ok", body="no failure")
        else:
            got = ", ".join(sorted(found)) or "unclassified failures"
            yield Case(classname, "outcome ok", (f"expected ok, got {got}", "expectation"), got)
