"""A saved `report.json` back into a `Report`, so that `poolctl report RUN_DIR` re-renders it.

The JSON writer keeps every field of the model but a failure's related log lines (it counts
them); loading it and rendering again gives the same text in every format. The JSON's `extra`
object (and a triage's `coverage`, `groups` and `clusters` beside it) comes back as the report
kind's typed details.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

from poolctl.boundedread import NoWriter, TooLong, read_bounded
from poolctl.errors import InputError
from poolctl.model import (
    Check,
    ContextLine,
    Diagnosis,
    Evidence,
    Failure,
    Finding,
    FindingHistory,
    Hypothesis,
    Report,
    ReportKind,
    Unclassified,
)
from poolctl.report.details import from_json
from poolctl.report.json_writer import SCHEMA_VERSION, schema

# a report.json that is no file (a device, a FIFO) is read up to this; a file, whole
MAX_STREAMED = 64 * 1024 * 1024


def _evidence(items: Any) -> tuple[Evidence, ...]:
    return tuple(Evidence(**e) for e in items or ())


# report.json counts a failure's related log lines instead of copying them
UNKEPT = ContextLine(0, "", "not kept in report.json")


def _failure(d: Mapping[str, Any]) -> Failure:
    body = {k: v for k, v in d.items() if k not in ("origin", "context_lines")}  # computed
    return Failure(
        **{
            **body,
            "details": dict(d.get("details") or {}),
            "stacktrace": tuple(d.get("stacktrace") or ()),
            "context": (UNKEPT,) * int(d.get("context_lines") or 0),
        }
    )


def _outcome(d: Mapping[str, Any]) -> Diagnosis | Unclassified:
    body = {k: v for k, v in d.items() if k != "type"}
    if d.get("type") == "unclassified":
        return Unclassified(**body)
    hypotheses = tuple(
        Hypothesis(**{**h, "evidence": _evidence(h.get("evidence"))})
        for h in d.get("hypotheses") or ()
    )
    return Diagnosis(
        **{
            **body,
            "evidence": _evidence(d.get("evidence")),
            "facts": dict(d.get("facts") or {}),
            "hypotheses": hypotheses,
        }
    )


def _history(d: Mapping[str, Any] | None) -> FindingHistory | None:
    return FindingHistory(**d) if d else None


def from_dict(doc: Mapping[str, Any]) -> Report:
    """The `Report` a JSON document (`schema_version` 1) describes."""
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(
            f"report schema_version {version!r}; this poolctl reads version {SCHEMA_VERSION}"
        )
    try:
        kind = doc["kind"]
        return Report(
            kind=kind,
            title=doc["title"],
            inputs=tuple(doc.get("inputs") or ()),
            findings=tuple(
                Finding(_failure(f["failure"]), _outcome(f["outcome"]), _history(f.get("history")))
                for f in doc.get("findings") or ()
            ),
            checks=tuple(
                Check(**{**c, "evidence": _evidence(c.get("evidence"))})
                for c in doc.get("checks") or ()
            ),
            environment=dict(doc.get("environment") or {}),
            notes=tuple(doc.get("notes") or ()),
            run_dir=doc.get("run_dir"),
            interrupted=doc.get("interrupted"),
            details=from_json(kind, doc.get("extra") or {}, doc),
        )
    except (KeyError, TypeError) as exc:
        raise InputError(f"not a poolctl report: {exc}") from None


def report_path(target: str | Path) -> Path:
    """`RUN_DIR/report.json`, or the JSON file itself."""
    path = Path(target)
    return path / "report.json" if path.is_dir() else path


def _no_report(path: Path) -> str:
    """Why there is no report to read: a folder that is no run folder, or a run that was cut
    short before it wrote one (its trace, written as it went, says how far it got)."""
    from poolctl.rundir import kind_of

    folder = path.parent
    kind = kind_of(folder) if folder.is_dir() else None
    if kind is None:
        return f"{folder}: no report.json (is it a poolctl run folder?)"
    trace = folder / "events.jsonl"
    kept = f"; its trace is in {trace}" if trace.exists() else ""
    return (
        f"{folder}: the {kind} run was cut short before it wrote its report (poolctl killed, "
        f"SIGKILL?){kept}"
    )


def _json_msg(msg: str) -> str:
    """The json module's message without its dangling ` at` (`Unterminated string starting
    at`, `Invalid control character at`): the place follows as a column."""
    return msg.removesuffix(" at").removesuffix(" starting")


def load_report(target: str | Path) -> Report:
    """Read a run folder's `report.json` (or a report JSON file) into a `Report`."""
    path = report_path(target)
    try:
        doc = json.loads(read_bounded(path, MAX_STREAMED, regular_limit=False).decode("utf-8"))
    except TooLong:
        raise InputError(f"{path}: it goes on past {MAX_STREAMED:,} bytes; not a report") from None
    except NoWriter as exc:
        raise InputError(f"{path}: {exc.strerror}") from None
    except FileNotFoundError:
        if not os.path.exists(target):  # else its parent folder was said to be no run folder
            raise InputError(f"{target}: no such run folder or file") from None
        raise InputError(_no_report(path)) from None
    except json.JSONDecodeError as exc:  # a report cut short (a full disk, a killed copy)
        raise InputError(
            f"{path}:{exc.lineno}: not valid JSON: {_json_msg(exc.msg)} (column {exc.colno})"
        ) from None
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to be a poolctl report") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the report: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:  # named where it is, as a JSON error is
        line = exc.object.count(b"\n", 0, exc.start) + 1
        byte = exc.object[exc.start]
        raise InputError(f"{path}:{line}: not UTF-8: byte 0x{byte:02x}; not a report") from None
    except ValueError as exc:  # a number of thousands of digits, which Python will not read
        said = str(exc).split("; use sys.", 1)[0]  # advice to a programmer, not to a user
        raise InputError(f"{path}: cannot read the report: {said}") from None
    if not isinstance(doc, Mapping):
        raise InputError(f"{path}: not a poolctl report")
    try:
        # else from_dict names the version it reads
        problem = _problem(doc) if doc.get("schema_version") == SCHEMA_VERSION else None
        if problem is not None and not problem.startswith("$.extra"):
            raise InputError(problem)
        try:  # the details' own validation names a field of `extra` best
            report = from_dict(doc)
        except (ValueError, TypeError, AttributeError) as exc:  # an `extra` of another shape
            raise InputError(problem or f"not a poolctl report: {exc}") from None
        if problem is not None:
            raise InputError(problem)
        return report
    except InputError as exc:
        raise InputError(f"{path}: {exc.message}") from None


def _problem(doc: Mapping[str, Any]) -> str | None:
    """How a report breaks the JSON Schema its writer follows (an edited one), or None: the
    renderers trust every field's type."""
    import jsonschema_rs

    try:
        try:
            _validator().validate(doc)
        except UnicodeEncodeError:
            _validator().validate(_encodable(doc))
    except jsonschema_rs.ValidationError as exc:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in exc.instance_path)
        return f"${where}: {exc.message} (not as poolctl writes a report)"
    mismatch = _kind_mismatch("$", doc)
    if mismatch is not None:
        return mismatch
    findings = doc.get("findings") or ()
    for key in ("groups", "clusters"):  # they point into `findings` by index
        for i, item in enumerate(doc.get(key) or ()):
            for j, index in enumerate(item.get("findings") or ()):
                where = f"$.{key}[{i}].findings[{j}]"
                if not 0 <= index < len(findings):
                    return f"{where}: {index} is no finding's index"
                outcome = findings[index]["outcome"]
                pattern = outcome.get("pattern_id") if outcome["type"] == "diagnosis" else None
                if pattern != item.get("pattern_id"):  # a cluster's: None, as unclassified
                    return f"{where}: finding {index} is not of this {key[:-1]}"
    return None


KINDS: tuple[ReportKind, ...] = get_args(ReportKind)


def _kind_mismatch(where: str, doc: Mapping[str, Any]) -> str | None:
    """`extra` holding the details of another kind than the report's (a `kind` edited by hand:
    the schema takes any kind's details, and a renderer would read them as its own), in the
    report or in one of the runs a combined report holds."""
    extra = doc.get("extra") or {}
    runs = extra.get("runs")
    if isinstance(runs, list):
        for i, run in enumerate(runs):
            mismatch = _kind_mismatch(f"{where}.extra.runs[{i}]", run)
            if mismatch is not None:
                return mismatch
        return None
    kind = doc.get("kind")
    if not extra or kind not in KINDS or _holds(kind, extra):
        return None
    other = next((k for k in KINDS if _holds(k, extra)), None)
    held = f"the details of a {other} run" if other else "no run's details"
    return (
        f"{where}.kind: {kind!r}, but {where}.extra holds {held}, not those of a {kind} run "
        "(the kind was changed by hand?)"
    )


def _holds(kind: ReportKind, extra: Mapping[str, Any]) -> bool:
    """Whether `extra` is the details of a `kind` run."""
    try:
        return bool(_extra_validator(kind).is_valid(extra))
    except UnicodeEncodeError:
        return bool(_extra_validator(kind).is_valid(_encodable(extra)))


def _encodable(doc: Mapping[str, Any]) -> Any:
    """`doc` with each lone surrogate (a name's byte that is not UTF-8) written as its escape,
    which the validator can encode."""
    return json.loads(json.dumps(doc).replace("\\ud", "\\\\ud"))


@functools.cache
def _extra_validator(kind: ReportKind) -> Any:
    """A validator of the details (`extra`) a report of `kind` holds."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(
        {"$defs": schema()["$defs"], "$ref": f"#/$defs/{kind}_extra"}
    )


@functools.cache
def _validator() -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(schema())
