"""A report's typed details as the JSON view's `extra` object, and back.

The JSON keeps the shape `extra` always had: the details' field names as keys, a scenario that
expects no failure as `"expected": "ok"`, no `framing_auto` key unless the ping tried framings,
and each run of a combined report with its own details under `extra`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import cache
from typing import Any

import pydantic

from poolctl.errors import InputError
from poolctl.model import (
    Details,
    DoctorDetails,
    PingDetails,
    ReportKind,
    RunsDetails,
    RunSlice,
    ScenarioDetails,
    TriageDetails,
)

RunDetails = PingDetails | DoctorDetails | TriageDetails | ScenarioDetails  # one run's
KIND_DETAILS: dict[ReportKind, type[RunDetails]] = {
    "ping": PingDetails,
    "doctor": DoctorDetails,
    "triage": TriageDetails,
    "scenario": ScenarioDetails,
}
RUNS = "runs"


def to_json(details: Details | None) -> dict[str, Any]:
    """The details as plain JSON-ready data, in field order (`{}` for none)."""
    if details is None:
        return {}
    if isinstance(details, RunsDetails):
        return {RUNS: [_run_to_json(run) for run in details.runs]}
    doc = dataclasses.asdict(details)
    if isinstance(details, ScenarioDetails) and not details.expected:
        doc["expected"] = "ok"
    if isinstance(details, PingDetails) and details.framing_auto is None:
        del doc["framing_auto"]
    if doc.get("timeline", ...) is None:  # a run without a picture keeps the shape it had
        del doc["timeline"]
    return doc


def _run_to_json(run: RunSlice) -> dict[str, Any]:
    return {
        "kind": run.kind,
        "title": run.title,
        "inputs": list(run.inputs),
        "run_dir": run.run_dir,
        "findings": list(run.findings),
        "checks": list(run.checks),
        "notes": list(run.notes),
        "extra": to_json(run.details),
    }


@cache
def _adapter(kind: ReportKind) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(KIND_DETAILS[kind])


def from_json(kind: ReportKind, doc: Mapping[str, Any]) -> Details | None:
    """The details a report of `kind` keeps in `doc` (its JSON `extra`); None when empty.

    Raises `InputError` when `doc` does not hold the details of that kind."""
    if not doc:
        return None
    if RUNS in doc:
        runs = doc[RUNS]
        if not isinstance(runs, list):
            raise InputError(f"extra.{RUNS} is not a list")
        return RunsDetails(tuple(_run_from_json(run) for run in runs))
    if kind not in KIND_DETAILS:
        raise InputError(f"unknown report kind {kind!r}")
    data = dict(doc)
    if kind == "scenario" and data.get("expected") == "ok":
        data["expected"] = ()
    try:
        details: Details = _adapter(kind).validate_python(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"extra.{where}: {first['msg']}") from None
    return details


def _run_from_json(run: Any) -> RunSlice:
    if not isinstance(run, Mapping):
        raise InputError(f"extra.{RUNS}: a run is not an object")
    try:
        kind = run["kind"]
        return RunSlice(
            kind=kind,
            title=str(run["title"]),
            inputs=tuple(run.get("inputs") or ()),
            run_dir=run.get("run_dir"),
            findings=_span(run.get("findings")),
            checks=_span(run.get("checks")),
            notes=tuple(run.get("notes") or ()),
            details=from_json(kind, run.get("extra") or {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"extra.{RUNS}: not a run: {exc}") from None


def _span(value: Any) -> tuple[int, int]:
    start, end = value or (0, 0)
    return int(start), int(end)


def listed(details: Details | None) -> list[tuple[str, Any]]:
    """The fields the generic layout lists under "Details": every one no writer lays out
    itself and that holds something, by name, as JSON-ready values."""
    if details is None:
        return []
    doc = to_json(details)
    names = [
        f.name
        for f in dataclasses.fields(details)
        if not f.metadata.get("laid_out") and f.name in doc
    ]
    return [(name, doc[name]) for name in sorted(names) if doc[name] not in (None, "", (), [], {})]
