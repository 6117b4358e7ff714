"""What an interrupted ping had seen before the signal: its report, written by the interruption
(`poolctl.report.publish.save_interrupted`), has no finding, as no diagnosis was made whole;
a ping whose request had already gone unanswered says so, from the run's trace, rather than
read as a ping with nothing wrong (0 failures)."""

from __future__ import annotations

import json
from pathlib import Path

READ_MOST = 1 << 20  # of the trace: a ping's is a few KiB (a --count 10000 one, more)


def unanswered_before(events: Path) -> str:
    """The note of the first request the trace shows unanswered ("" when none, or no trace):
    `before the signal came, request 1 (ping) got no answer: no response within 1 s
    (events.jsonl #3), and its diagnosis was cut short: ping it again for it`."""
    try:
        with events.open("rb") as f:
            lines = f.read(READ_MOST).splitlines()
    except OSError:
        return ""
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("type") == "no_response":
            return (
                f"before the signal came, request {event.get('id')} got no answer: "
                f"{event.get('detail')} ({events.name} #{event.get('seq')}), and its diagnosis "
                "was cut short: ping it again for the diagnosis"
            )
    return ""
