"""When each call that a pool's shutdown failed had asked for a worker: its caller's last
`checkout_requested` before the failure (a caller makes one call at a time). Those events are
let go from the trace once written, as every request's are, so the ones a failure needs are
kept here as the trace records them; the shutdown rule tells the callers the stop dropped from
the calls that came once it had begun."""

from __future__ import annotations

from poolctl.events import Event

SHUTDOWN_ERROR = "PoolShuttingDown"


class CallAsks:
    """A trace observer: the checkout each shutdown failure asked with, by the failure's `seq`
    (as many as those failures, which the trace holds anyway; and a last one per caller)."""

    def __init__(self) -> None:
        self._last: dict[str, Event] = {}
        self.of_failure: dict[int, Event] = {}

    def on_event(self, event: Event) -> None:
        if event.type == "checkout_requested" and event.caller is not None:
            self._last[event.caller] = event
        elif event.type == "call_failed" and event.data.get("error_type") == SHUTDOWN_ERROR:
            asked = self._last.get(event.caller or "")
            if asked is not None:
                self.of_failure[event.seq] = asked

    def asked_at(self, failure: Event) -> float:
        """When the call that ended in `failure` asked for a worker (its failure's time when
        its ask was not seen)."""
        asked = self.of_failure.get(failure.seq)
        return asked.t if asked is not None else failure.t
