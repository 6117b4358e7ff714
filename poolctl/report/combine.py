"""Several reports as one (a scenario tour), and back: one JSON or JUnit document per command.

`combine` concatenates findings, checks and notes and keeps each run's own title, run folder,
slices and `extra` under `extra["runs"]`; `split` gives the runs back (the JUnit writer makes
one `<testsuite>` of each).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from poolctl.model import Check, Finding, Report

RUNS = "runs"


def combine(reports: Sequence[Report]) -> Report:
    """One report holding `reports` (the report itself when there is one)."""
    if len(reports) == 1:
        return reports[0]
    runs: list[dict[str, Any]] = []
    findings: list[Finding] = []
    checks: list[Check] = []
    notes: list[str] = []
    for r in reports:
        runs.append(
            {
                "kind": r.kind,
                "title": r.title,
                "inputs": list(r.inputs),
                "run_dir": r.run_dir,
                "findings": [len(findings), len(findings) + len(r.findings)],
                "checks": [len(checks), len(checks) + len(r.checks)],
                "notes": list(r.notes),
                "extra": dict(r.extra),
            }
        )
        findings.extend(r.findings)
        checks.extend(r.checks)
        notes.extend(f"{r.title}: {n}" for n in r.notes)
    kinds = {r.kind for r in reports}
    kind = reports[0].kind if len(kinds) == 1 else "scenario"
    return Report(
        kind=kind,
        title=f"{len(reports)} {kind} runs",
        inputs=tuple(i for r in reports for i in r.inputs),
        findings=tuple(findings),
        checks=tuple(checks),
        environment=dict(reports[0].environment) if reports else {},
        notes=tuple(notes),
        run_dir=None,
        extra={RUNS: runs},
    )


def split(report: Report) -> list[Report]:
    """The runs `combine` joined, or `[report]` for a report of one run."""
    runs = report.extra.get(RUNS)
    if not isinstance(runs, list) or not runs:
        return [report]
    out = []
    for run in runs:
        if not isinstance(run, Mapping):
            return [report]
        f0, f1 = run.get("findings", [0, 0])
        c0, c1 = run.get("checks", [0, 0])
        out.append(
            Report(
                kind=run.get("kind", report.kind),
                title=str(run.get("title", "")),
                inputs=tuple(run.get("inputs", ())),
                findings=report.findings[f0:f1],
                checks=report.checks[c0:c1],
                environment=report.environment,
                notes=tuple(run.get("notes", ())),
                run_dir=run.get("run_dir"),
                extra=dict(run.get("extra", {})),
            )
        )
    return out
