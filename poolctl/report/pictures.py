"""What a run's trace adds to its report and its run folder: the timeline in the report's
details, and `timeline.html` and `trace.json` beside `events.jsonl`.

Every scenario run is pictured; a ping or a doctor run when it diagnosed a silent worker (its
trace holds a `diagnosis`). No I/O: the publish step reads the trace and writes the files.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from poolctl.model import DoctorDetails, PingDetails, Report, ScenarioDetails
from poolctl.report.chrome_trace import chrome_trace
from poolctl.report.html import timeline_page
from poolctl.report.replay import Event
from poolctl.report.timeline import build_timeline
from poolctl.report.view import timeline_of

TIMELINE_FILE = "timeline.html"
TRACE_FILE = "trace.json"


def pictured(report: Report, events: Sequence[Event]) -> Report:
    """`report` with the timeline of `events` in its details, when its run has a picture."""
    details = report.details
    if not events or not isinstance(details, ScenarioDetails | PingDetails | DoctorDetails):
        return report
    diagnosed = any(e.get("type") == "diagnosis" for e in events)
    if not isinstance(details, ScenarioDetails) and not diagnosed:
        return report
    timeline = build_timeline(events, report)
    return dataclasses.replace(report, details=dataclasses.replace(details, timeline=timeline))


def picture_files(report: Report, events: Sequence[Event], left_out: str = "") -> dict[str, str]:
    """The files to write beside the trace: `trace.json` for any run with events (`left_out`:
    what of the trace is not among them), and `timeline.html` for a pictured one (`report` as
    `pictured` returned it)."""
    files = {}
    if events:
        doc = chrome_trace(events, report.title, left_out)
        files[TRACE_FILE] = json.dumps(doc, ensure_ascii=False)
    if timeline_of(report) is not None:
        files[TIMELINE_FILE] = timeline_page(report)
    return files
