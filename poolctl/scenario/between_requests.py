"""Whether a worker that exited on its own did so between requests (its last answer whole, the
next request never read: a request limit, a loop that ends) or in the middle of one, told from
what the pool saw as it ended: the `request` of its `worker_exit` event (poolctl/pool_worker.py,
`request_fate`: the bytes of the request in flight still in its stdin pipe, or a write the
closed pipe refused), or a request that could not be written to it at all.

The pool writes the next request the moment an answer is read, often before the worker has
finished exiting: its bytes then wait in the pipe, unread (FIONREAD at the exit); when the exit
is seen first, the answer is read from the pipe as the exit is handled, and the next request,
written then, meets the closed pipe (EPIPE): unread either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from poolctl.diagnose.hypotheses.crashed import loop_remediation
from poolctl.events import Event
from poolctl.model import Evidence
from poolctl.scenario.evidence import quote_event


@dataclass(frozen=True)
class Between:
    """A worker's exit between requests, in words: the cause, the fix, the events it rests on."""

    cause: str
    fix: str
    evidence: list[Evidence]


def how_unread(worker_exit: Event | None, first: Event) -> str:
    """How the request in flight (`first`, its no_response) never reached the worker, in words
    ("" when it did, or when nothing tells)."""
    fate = worker_exit.data.get("request") if worker_exit is not None else None
    if fate == "unread":
        unread = worker_exit.data.get("stdin_unread") if worker_exit is not None else None
        return f"its {unread} bytes were still unread in the worker's stdin as it exited"
    if fate != "unwritten" and first.data.get("reason") != "write-failed":
        return ""
    written = int(first.data.get("written") or 0)
    if not written:
        return "the worker's stdin had closed when it was written, EPIPE: not a byte of it was read"
    if (read := read_of_failed_write(first, worker_exit)) is None or read > 0:
        return ""  # it took some of what went in (or nothing tells): not between requests
    return (
        f"its stdin closed while it was written: the {written:,} bytes that went in were still "
        "unread in its stdin pipe"
    )


def read_of_failed_write(first: Event, worker_exit: Event | None) -> int | None:
    """How many bytes the worker read of a request whose write failed midway (`first`, its
    no_response, says how many the pipe took and how many were still in it as the write
    failed; else its `worker_exit`, how many were as it exited); None when not known."""
    written = first.data.get("written")
    unread = first.data.get("stdin_unread")
    if unread is None and worker_exit is not None:
        unread = worker_exit.data.get("stdin_unread")
    if not isinstance(written, int) or not isinstance(unread, int) or written <= 0:
        return None
    return max(0, written - unread)


def between_requests(
    first: Event,
    worker_exit: Event | None,
    exits: list[Event],
    death_said: str = "",
    death_fix: str = "",
) -> Between | None:
    """The exit of `first`'s worker (`worker_exit`) told as one between requests, with how many
    of the run's `exits` came after as many answers with the same code (a request limit), when
    the request `first` records never reached it; None otherwise. `death_said`: what its stderr
    said, added to the cause; `death_fix`: the fix that what it said, or what was read as it
    exited, gives (no request limit is then read from the exits' count)."""
    unread = how_unread(worker_exit, first)
    if worker_exit is None or not unread:
        return None
    code = worker_exit.data.get("code")
    served = int(worker_exit.data.get("answered") or 0)
    if not isinstance(code, int) or served == 0:
        return None
    same = [e for e in exits if _ends(e) == (served, code)]
    cause = (
        f"worker {first.worker} exited with code {code} after answering {served} request(s) "
        f"(its init among them), between requests, each answer whole: caller "
        f"{first.caller}'s request never reached it ({unread}){death_said}; "
        f"{len(same)} of {len(exits)} worker exit(s) came after {served} answer(s) with code "
        f"{code}"
    )
    limit = len(same) >= 2 and not death_fix
    if limit:
        cause += ": it ends after a fixed number of requests (a request limit), not in a request"
    fix = (
        death_fix
        if death_fix
        else loop_remediation(served)
        if served == 1  # its init alone: a script written for one call
        else f"The worker exits by itself after {served} request(s) (its init among them), between "
        "requests: the pool does not know of that limit and sends the next request to a worker "
        "already gone. Lift the worker's own request limit (max requests) when a pool runs it, "
        "or have the pool retire each worker before it reaches the limit; a worker recycles "
        "itself safely only when its stdin closes."
        if limit
        else f"Find why the worker exits with code {code} after an answer, between requests: "
        "a pooled worker answers every request and stays up for the next, until its stdin "
        "closes."
    )
    shown = [e for e in same if e.seq != worker_exit.seq][:1]
    return Between(cause, fix, [quote_event(e) for e in shown])


def _ends(worker_exit: Event) -> tuple[int, object]:
    return int(worker_exit.data.get("answered") or 0), worker_exit.data.get("code")
