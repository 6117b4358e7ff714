"""The requests a pool handed to a worker it had found stopped (state T in /proc at a request's
timeout). poolctl's pool checks a worker in when its request times out, to set a late answer
aside, as a pool that cannot tell a stopped worker from a slow one does: the next caller gets
the same stopped worker, and times out too. The report says so, with the events, instead of
leaving the later timeouts unexplained."""

from __future__ import annotations

from poolctl.events import Event
from poolctl.model import Evidence
from poolctl.scenario.evidence import quote_event
from poolctl.scenario.unanswered import Unanswered

RETIRE_FIX = (
    "A pool that retires a worker whose request timed out, instead of checking it in (in "
    "NimblePool, `{:remove, reason, pool_state}` from `handle_checkin`), hands the next "
    "caller a fresh worker, not the stopped one."
)


def handed_again(first: Event, unanswered: Unanswered) -> tuple[str, list[Evidence]]:
    """The requests that timed out on `first`'s worker, found stopped again, after `first` (a
    request that timed out on it stopped), in words and as evidence; ("", []) if none."""
    worker = first.worker or ""
    later = unanswered.stopped[worker] - 1  # (`first` is the first of them)
    shown = [e for e in unanswered.stopped_first[worker] if e.seq > first.seq]
    if later <= 0 or not shown:
        return "", []
    listed = ", ".join(
        f"caller {e.caller}'s request {e.data.get('id')!r} (events.jsonl #{e.seq})" for e in shown
    )
    more = f", and {later - len(shown)} more" if later > len(shown) else ""
    said = (
        f"; the pool kept it (a worker whose request times out is checked in again, a late "
        f"answer to be set aside) and handed the same stopped worker {later} more "
        f"request(s), each of which timed out on it, still stopped: {listed}{more}"
    )
    return said, [quote_event(e) for e in shown[:2]]
