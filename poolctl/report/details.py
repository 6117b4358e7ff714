"""A report's typed details as the JSON view's `extra` object, and back.

The JSON keeps the shape `extra` always had: the details' field names as keys, a scenario that
expects no failure as `"expected": "ok"`, no `framing_auto` key unless the ping tried framings,
and each run of a combined report with its own details under `extra`. A triage's runner counts,
groups and clusters are members of the document beside `extra` (`coverage`, `groups`,
`clusters`), and so of each triage run of a combined report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from poolctl.errors import InputError
from poolctl.model import (
    Coverage,
    Details,
    DoctorDetails,
    PingDetails,
    ReportKind,
    RunsDetails,
    RunSlice,
    ScenarioDetails,
    TriageDetails,
)

if TYPE_CHECKING:  # pydantic validates a report read back (`from_json`), imported then only:
    import pydantic  # a command that writes its report (a triage) never needs it

RunDetails = PingDetails | DoctorDetails | TriageDetails | ScenarioDetails  # one run's
KIND_DETAILS: dict[ReportKind, type[RunDetails]] = {
    "ping": PingDetails,
    "doctor": DoctorDetails,
    "triage": TriageDetails,
    "scenario": ScenarioDetails,
}
RUNS = "runs"
TRIAGE_MEMBERS = ("coverage", "groups", "clusters")  # beside `extra`, not in it


def triage_members(details: TriageDetails | None) -> dict[str, Any]:
    """A triage's runner counts, groups of identical failures and clusters, as the document's
    `coverage`, `groups` and `clusters` (null and empty without them)."""
    if details is None:
        return {"coverage": None, "groups": [], "clusters": []}
    return {
        "coverage": _coverage_to_json(details.coverage),
        "groups": [
            {
                "key": g.key,
                "pattern_id": g.pattern_id,
                "findings": list(g.findings),
                **({"more": g.more} if g.more else {}),
            }
            for g in details.groups
        ],
        "clusters": [
            {
                "id": c.id,
                "text": c.text,
                "findings": list(c.findings),
                "nearest": c.nearest,
                **({"more": c.more} if c.more else {}),
            }
            for c in details.clusters
        ],
    }


def _coverage_to_json(coverage: Coverage | None) -> dict[str, Any] | None:
    """The counts with what is computed from them (`unread`, a region's `origin`) written out."""
    if coverage is None:
        return None
    return {
        "counted": coverage.counted,
        "read": coverage.read,
        "unread": coverage.unread,
        "runs": [{**dataclasses.asdict(run), "unread": run.unread} for run in coverage.runs],
        "regions": [{**dataclasses.asdict(r), "origin": r.origin} for r in coverage.regions],
        # the runs past those listed, by input: only in a report of that many runs
        **({"more": [dataclasses.asdict(m) for m in coverage.more]} if coverage.more else {}),
    }


def to_json(details: Details | None) -> dict[str, Any]:
    """The details as plain JSON-ready data, in field order (`{}` for none)."""
    if details is None:
        return {}
    if isinstance(details, RunsDetails):
        return {RUNS: [_run_to_json(run) for run in details.runs]}
    doc = dataclasses.asdict(details)
    if isinstance(details, TriageDetails):
        for name in TRIAGE_MEMBERS:
            del doc[name]
    if isinstance(details, ScenarioDetails) and not details.expected:
        doc["expected"] = "ok"
    if isinstance(details, PingDetails) and details.framing_auto is None:
        del doc["framing_auto"]
    if doc.get("timeline", ...) is None:  # a run without a picture keeps the shape it had
        del doc["timeline"]
    return doc


def _run_to_json(run: RunSlice) -> dict[str, Any]:
    doc = {
        "kind": run.kind,
        "title": run.title,
        "inputs": list(run.inputs),
        "run_dir": run.run_dir,
        "findings": list(run.findings),
        "checks": list(run.checks),
        "notes": list(run.notes),
        "extra": to_json(run.details),
    }
    if isinstance(run.details, TriageDetails):  # indexes into the run's own findings
        doc.update(triage_members(run.details))
    if run.interrupted is not None:  # only then, as a report's own
        doc["interrupted"] = run.interrupted
    return doc


@cache
def _adapter(kind: ReportKind) -> pydantic.TypeAdapter[Any]:
    import pydantic

    return pydantic.TypeAdapter(KIND_DETAILS[kind])


def from_json(
    kind: ReportKind, doc: Mapping[str, Any], members: Mapping[str, Any] | None = None
) -> Details | None:
    """The details a report of `kind` keeps in `doc` (its JSON `extra`) and, for a triage, in
    the `members` beside it (`coverage`, `groups`, `clusters`); None when empty.

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
    if kind == "triage" and members:
        data.update({k: members[k] for k in TRIAGE_MEMBERS if members.get(k) is not None})
    if kind == "scenario" and data.get("expected") == "ok":
        data["expected"] = ()
    import pydantic

    try:
        details: Details = _adapter(kind).validate_python(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        inside = "" if first["loc"] and first["loc"][0] in TRIAGE_MEMBERS else "extra."
        raise InputError(f"{inside}{where}: {first['msg']}") from None
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
            details=from_json(kind, run.get("extra") or {}, run),
            interrupted=run.get("interrupted"),
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
