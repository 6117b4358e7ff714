"""The JSON view: a stable, versioned document (`schema_version` 1) of any report kind.

Its JSON Schema ships in the package (`schema()`); `SCHEMA_VERSION` changes only on a breaking
change (a field removed, renamed or retyped), never for a new optional field.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib import resources
from typing import Any

from poolctl.model import Diagnosis, Failure, Finding, Report, TriageDetails
from poolctl.report.details import to_json, triage_members
from poolctl.report.groups_view import unread_count
from poolctl.report.view import details_of, fix_plan, pattern_sections, summary_counts

SCHEMA_VERSION = 1
JSON_OPTIONS: dict[str, Any] = {"indent": 2, "default": str, "ensure_ascii": False}


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


def _outcome(finding: Finding) -> dict[str, Any]:
    o = finding.outcome
    if isinstance(o, Diagnosis):
        d = asdict(o)
        d["facts"] = dict(o.facts)
        return {"type": "diagnosis", **d}
    return {"type": "unclassified", **asdict(o)}


def to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data, in a fixed key order."""
    index = {id(f): i for i, f in enumerate(report.findings)}
    triaged = report.kind == "triage"
    doc = {
        "schema_version": SCHEMA_VERSION,
        "kind": report.kind,
        "title": report.title,
        "inputs": list(report.inputs),
        "run_dir": report.run_dir,
        "summary": {
            **summary_counts(report),
            "by_pattern": {s.pattern_id: len(s.findings) for s in pattern_sections(report)},
            **({"unread": unread_count(report)} if triaged else {}),
        },
        "fix_plan": [
            {
                "rank": fix.rank,
                "pattern_id": fix.pattern_id,
                "remediation": fix.remediation,
                "resolves": len(fix.findings),
                "findings": [index[id(f)] for f in fix.findings],
            }
            for fix in fix_plan(report)
        ],
        "findings": [
            {
                "index": i,
                "failure": _failure(f.failure),
                "outcome": _outcome(f),
                **({"history": asdict(f.history)} if f.history is not None else {}),
            }
            for i, f in enumerate(report.findings)
        ],
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
            for s in pattern_sections(report)
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


class JsonWriter:
    """Indented JSON with sorted facts; values JSON cannot hold are written as strings."""

    def render(self, report: Report) -> str:
        return json.dumps(to_dict(report), **JSON_OPTIONS) + "\n"
