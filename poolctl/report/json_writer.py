"""The JSON view: a stable, versioned document (`schema_version` 1) of any report kind.

Its JSON Schema ships in the package (`schema()`); `SCHEMA_VERSION` changes only on a breaking
change (a field removed, renamed or retyped), never for a new optional field.

Encoded by orjson, indented by two spaces (as `json.dumps(indent=2)` writes it), and in pieces
(`chunks`): a triage of thousands of failures is never held as one document, in memory or as
text. A value orjson cannot encode (an integer past 64 bits, a lone surrogate) falls back to
the json module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from importlib import resources
from typing import Any

import orjson

from poolctl.model import Diagnosis, Evidence, Failure, Finding, Hypothesis, Report, TriageDetails
from poolctl.report.details import to_json, triage_members
from poolctl.report.groups_view import unread_count
from poolctl.report.view import (
    details_of,
    fix_plan,
    pattern_counts,
    pattern_sections,
    summary_counts,
)

SCHEMA_VERSION = 1
JSON_OPTIONS: dict[str, Any] = {"indent": 2, "default": str, "ensure_ascii": False}
_ORJSON = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
_FINDINGS = "\x00findings\x00"  # where the findings go in the document's text


def encode(value: Any) -> bytes:
    """`value` as indented JSON (the json module's text for what orjson cannot encode)."""
    try:
        return orjson.dumps(value, default=str, option=_ORJSON)
    except (orjson.JSONEncodeError, TypeError):
        # escaped as `\udcff` (a name's byte that is not UTF-8, a lone surrogate): valid JSON
        return json.dumps(value, **{**JSON_OPTIONS, "ensure_ascii": True}).encode("ascii")


def schema() -> dict[str, Any]:
    """The JSON Schema every JSON report validates against (`poolctl/schemas/`)."""
    text = resources.files("poolctl").joinpath("schemas/report.schema.json").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def _failure(f: Failure) -> dict[str, Any]:
    """The failure's own fields; its related log lines are counted, not copied (the evidence
    quotes the ones that matter, and a long log has tens of thousands of them)."""
    return {
        "source": f.source,
        "name": f.name,
        "group": f.group,
        "location": f.location,
        "kind": f.kind,
        "message": f.message,
        "details": dict(f.details),
        "stacktrace": list(f.stacktrace),
        "context_lines": len(f.context),
        "input_file": f.input_file,
        "line_start": f.line_start,
        "line_end": f.line_end,
        "origin": f.origin,
    }


def _evidence(e: Evidence) -> dict[str, Any]:
    return {"text": e.text, "origin": e.origin, "note": e.note}


def _hypothesis(h: Hypothesis) -> dict[str, Any]:
    return {
        "id": h.id,
        "title": h.title,
        "status": h.status,
        "evidence": [_evidence(e) for e in h.evidence],
        "reason": h.reason,
    }


def _outcome(finding: Finding) -> dict[str, Any]:
    """The outcome's fields in their order (as `asdict` gives them, without its deep copy)."""
    o = finding.outcome
    if isinstance(o, Diagnosis):
        return {
            "type": "diagnosis",
            "pattern_id": o.pattern_id,
            "pattern_number": o.pattern_number,
            "title": o.title,
            "confidence": o.confidence,
            "evidence": [_evidence(e) for e in o.evidence],
            "facts": dict(o.facts),
            "cause": o.cause,
            "remediation": o.remediation,
            "reproduce": o.reproduce,
            "hypotheses": [_hypothesis(h) for h in o.hypotheses],
        }
    return {"type": "unclassified", **asdict(o)}


def _finding(index: int, finding: Finding) -> dict[str, Any]:
    doc = {"index": index, "failure": _failure(finding.failure), "outcome": _outcome(finding)}
    if finding.history is not None:
        doc["history"] = asdict(finding.history)
    return doc


def to_dict(report: Report, *, findings: bool = True) -> dict[str, Any]:
    """The report as plain JSON-ready data, in a fixed key order (its findings left out, as a
    mark, when not `findings`)."""
    index = {id(f): i for i, f in enumerate(report.findings)}
    triaged = report.kind == "triage"
    sections = pattern_sections(report)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "kind": report.kind,
        "title": report.title,
        "inputs": list(report.inputs),
        "run_dir": report.run_dir,
        "summary": {
            **summary_counts(report),
            "by_pattern": pattern_counts(report),
            **({"unread": unread_count(report)} if triaged else {}),
        },
        "fix_plan": [
            {
                "rank": fix.rank,
                "pattern_id": fix.pattern_id,
                "remediation": fix.remediation,
                "resolves": fix.size,
                "findings": [index[id(f)] for f in fix.findings],
            }
            for fix in fix_plan(report)
        ],
        "findings": [_finding(i, f) for i, f in enumerate(report.findings)]
        if findings
        else _FINDINGS,
        "patterns": [
            {
                "id": s.pattern_id,
                "number": s.number,
                "title": s.title,
                "findings": [index[id(f)] for f in s.findings],
                "causes": [
                    {
                        "id": c.id,
                        "title": c.title,
                        "status": c.status,
                        "count": c.count,
                        "of": c.total,
                        "reason": c.reason,
                        "evidence": list(c.evidence),
                    }
                    for c in s.causes
                ],
                "remediations": list(s.remediations),
                "reproduce": s.reproduce,
            }
            for s in sections
        ],
        "checks": [asdict(c) for c in report.checks],
        "notes": list(report.notes),
        "environment": dict(report.environment),
        "extra": to_json(report.details),
    }
    if report.interrupted is not None:  # only then: a finished run's document is unchanged
        doc["interrupted"] = report.interrupted
    if not triaged:
        return doc
    return {**doc, **triage_members(details_of(report, TriageDetails))}


def chunks(report: Report) -> Iterator[bytes]:
    """The JSON document in pieces, a finding at a time, ending with a newline."""
    head, mark, tail = encode(to_dict(report, findings=False)).partition(encode(_FINDINGS))
    assert mark, "the findings mark is in the document"
    yield head
    if not report.findings:
        yield b"[]"
    for i, finding in enumerate(report.findings):
        item = encode(_finding(i, finding)).replace(b"\n", b"\n    ")
        yield (b"[\n    " if i == 0 else b",\n    ") + item
    if report.findings:
        yield b"\n  ]"
    yield tail + b"\n"


class JsonWriter:
    """Indented JSON with sorted facts; values JSON cannot hold are written as strings."""

    def render(self, report: Report) -> str:
        return b"".join(chunks(report)).decode("utf-8", "surrogatepass")
