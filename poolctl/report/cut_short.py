"""What an interrupted ping or doctor had seen before the signal: its report, written by the
interruption (`poolctl.report.publish.save_interrupted`), has no finding, as no diagnosis was
made whole; one whose request had already gone unanswered says so, from the run's trace,
rather than read as a run with nothing wrong (0 failures)."""

from __future__ import annotations

import json
from pathlib import Path

READ_MOST = 1 << 20  # of the trace: a ping's is a few KiB (a --count 10000 one, more)


def unanswered_before(events: Path, kind: str) -> str:
    """The note of the requests the trace of a `kind` run (ping, doctor) shows unanswered, the
    first of each worker ("" when none, or no trace): `before the signal came, request 1 got
    no answer: no response within 1 s (events.jsonl #3), and the diagnosis was cut short:
    ping it again for the diagnosis`."""
    try:
        with events.open("rb") as f:
            lines = f.read(READ_MOST).splitlines()
    except OSError:
        return ""
    firsts: dict[str, dict[str, object]] = {}
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("type") == "no_response":
            firsts.setdefault(str(event.get("worker")), event)
    if not firsts:
        return ""
    said = [
        f"request {e.get('id')}{f' to {worker}' if kind != 'ping' else ''} got no answer: "
        f"{e.get('detail')} ({events.name} #{e.get('seq')})"
        for worker, e in list(firsts.items())[:3]
    ]
    again = "ping it again" if kind == "ping" else f"run {kind} again"
    return (
        f"before the signal came, {'; '.join(said)}, and the diagnosis was cut short: {again} "
        "for the diagnosis"
    )
