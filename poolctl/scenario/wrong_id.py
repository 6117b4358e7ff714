"""A pooled worker's answer that carries an id no request to it had (a counter of its own, the
id turned into a string): poolctl's pool matches answers by id, so it sets the frame aside and
the caller waits out its timeout; the finding must say that an answer came under another id,
not only that none did in time (a pool that takes the next message as the reply would hand it
to the caller)."""

from __future__ import annotations

import ast
from typing import Any

from poolctl.model import Evidence
from poolctl.pool import Pool
from poolctl.pool_worker import UNAWAITED_RE

WRONG_ID_FIX = (
    "Answer each request with the id it came with: copy the request's `id` into the response "
    "unchanged (not a counter of the worker's own, nor the id turned into a string or a "
    "number); the pool matches answers to callers by it."
)


def wrong_id_answer(pool: Pool, worker_id: str) -> tuple[Any, Evidence] | None:
    """The first answer worker `worker_id` wrote under an id no request to it had, if any."""
    worker = next((w for w in pool.all_workers if w.id == worker_id), None)
    if worker is None:
        return None
    for what in worker.process.stray:
        found = UNAWAITED_RE.match(what)
        if found and not worker.process.ids.asked(answer_id := request_id(found["id"])):
            origin = f"workers/{worker_id}.stdout.bin"
            return answer_id, Evidence(what, origin, "an id no request to it had")
    return None


def request_id(said: str) -> Any:
    """A request id as a set-aside answer names it (its `repr`): an int or a string."""
    try:
        return ast.literal_eval(said)
    except (ValueError, SyntaxError):
        return said
