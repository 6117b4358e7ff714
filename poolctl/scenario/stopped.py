"""How the pool's stop ended a worker that was still running: it exited as its stdin closed, or
it lingered and the stop's signals ended it (SIGTERM after `EOF_GRACE`, SIGKILL after the
grace), read from the `shutdown_done` event. Said of a worker whose request got no answer: it
was alive and silent to the end, not gone."""

from __future__ import annotations

from poolctl.events import Event
from poolctl.worker_end import AT_WORK, EOF_GRACE


def stopped_by_the_pool(done: list[Event], begun: list[Event], worker: str, grace: float) -> str:
    """What the pool's stop did to `worker` ("" when the stop did not end it: it had ended by
    itself, or no stop is traced), from the `shutdown_done` events `done` and the
    `shutdown_begun` events `begun`; `grace` is the pool's stop_grace."""
    if not done or not begun:
        return ""
    how = (done[0].data.get("stopped_by") or {}).get(worker) or ""
    waited = min(EOF_GRACE, grace)
    if how == "SIGTERM":
        ended = (
            f"it did not exit within {waited:g} s of its stdin's close, and the pool's SIGTERM "
            "ended it"
        )
    elif how == AT_WORK:  # tearing down, or at work on something else: not known which
        ended = (
            "it was still at work (its CPU time rising) when the pool's wait for it to exit "
            "after its stdin's close ran out, and the pool's SIGTERM ended it"
        )
    elif how.startswith("SIGKILL after"):
        why = how.partition("(SIGTERM ignored: ")[2].removesuffix(")")  # what /proc told
        term = f"SIGTERM did not end it ({why})" if why else "ignored SIGTERM"
        ended = (
            f"it did not exit within {waited:g} s of its stdin's close, {term}, and the pool's "
            f"SIGKILL ended it {grace:g} s later"
        )
    elif how == "exited when stdin closed":
        ended = "it exited when the stop closed its stdin"
    else:
        return ""
    start = begun[0]
    return (
        f"; it was still running when the pool stopped it ({start.data.get('mode')} at "
        f"t={start.t:.3f} s, events.jsonl #{done[0].seq}): {ended}"
    )


def lingered(done: list[Event], grace: float) -> tuple[str, Event | None]:
    """The workers the stop's signals ended (they did not exit as their stdin closed), said
    after a cause, and the `shutdown_done` event it rests on; ("", None) when there is none."""
    if not done:
        return "", None
    stopped_by = done[0].data.get("stopped_by") or {}
    terms = sorted(w for w, how in stopped_by.items() if how == "SIGTERM")
    kills = sorted(w for w, how in stopped_by.items() if (how or "").startswith("SIGKILL after"))
    if not terms and not kills:
        return "", None
    parts = [f"the pool's SIGTERM ended {', '.join(terms)}"] if terms else []
    if kills:
        them = "it" if len(kills) == 1 else "them"
        parts.append(
            f"{', '.join(kills)} ignored SIGTERM, and the pool's SIGKILL ended {them} "
            f"{grace:g} s later"
        )
    waited = min(EOF_GRACE, grace)
    said = (
        f"; at the stop, worker(s) {', '.join(sorted(terms + kills))} did not exit within "
        f"{waited:g} s of their stdin's close: {'; '.join(parts)} (events.jsonl "
        f"#{done[0].seq})"
    )
    return said, done[0]
