"""Several reports as one (a scenario tour), and back: one JSON or JUnit document per command.

`combine` concatenates findings, checks and notes and keeps each run's own title, run folder,
slices and details as a `RunSlice` of `RunsDetails`; `split` gives the runs back (the JUnit
writer makes one `<testsuite>` of each, the terminal and Markdown views one view of each).
"""

from __future__ import annotations

from collections.abc import Sequence

from poolctl.model import Check, Finding, Report, RunsDetails, RunSlice


def combine(reports: Sequence[Report]) -> Report:
    """One report holding `reports` (the report itself when there is one)."""
    if len(reports) == 1:
        return reports[0]
    runs: list[RunSlice] = []
    findings: list[Finding] = []
    checks: list[Check] = []
    notes: list[str] = []
    for r in reports:
        runs.append(
            RunSlice(
                kind=r.kind,
                title=r.title,
                inputs=r.inputs,
                run_dir=r.run_dir,
                findings=(len(findings), len(findings) + len(r.findings)),
                checks=(len(checks), len(checks) + len(r.checks)),
                notes=r.notes,
                details=r.details,
                interrupted=r.interrupted,
            )
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
        details=RunsDetails(tuple(runs)),
        interrupted=next((r.interrupted for r in reports if r.interrupted), None),
    )


def split(report: Report) -> list[Report]:
    """The runs `combine` joined, or `[report]` for a report of one run."""
    if not isinstance(report.details, RunsDetails) or not report.details.runs:
        return [report]
    return [
        Report(
            kind=run.kind,
            title=run.title,
            inputs=run.inputs,
            findings=report.findings[slice(*run.findings)],
            checks=report.checks[slice(*run.checks)],
            environment=report.environment,
            notes=run.notes,
            run_dir=run.run_dir,
            details=run.details,
            interrupted=run.interrupted,
        )
        for run in report.details.runs
    ]
