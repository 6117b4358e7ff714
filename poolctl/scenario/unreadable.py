"""A pooled worker's answer no client can read: a frame whose bytes are not a UTF-8 JSON object
(Latin-1 text, a byte order mark, a bare string). The pool sets such a frame aside, as it
answers no request it can read, and the caller waits out its timeout; the finding must say
that an answer came, quoted, not only that none did in time."""

from __future__ import annotations

from dataclasses import dataclass

from poolctl.model import Evidence
from poolctl.pool import Pool
from poolctl.protocol.messages import ENCODED_TWICE

# the words poolctl/protocol/messages.py `_object` begins its NotJSON messages with
UNREADABLE = (
    "response is not ",
    "response starts with a UTF-8 byte order mark",
    "response is JSON",
    ENCODED_TWICE,
)


@dataclass(frozen=True)
class Unreadable:
    """What the worker wrote in place of its answer, and where that is kept."""

    said: str
    evidence: Evidence


def unreadable_answer(pool: Pool, worker_id: str) -> Unreadable | None:
    """The first frame worker `worker_id` wrote that is no readable JSON object, if any."""
    worker = next((w for w in pool.all_workers if w.id == worker_id), None)
    if worker is None:
        return None
    for what in worker.process.stray:
        if what.startswith(UNREADABLE):
            origin = f"workers/{worker_id}.stdout.bin"
            return Unreadable(what, Evidence(what, origin, "a frame that answered no request"))
    return None
