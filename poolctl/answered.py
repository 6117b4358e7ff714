"""The ids a worker answered last, to tell a second answer to one of them from a late or
stray response: a protocol fault, since a pool reading answers in order (an Erlang port's next
`{:data, _}`) hands the copy to the next caller as its reply."""

from __future__ import annotations

from typing import Any

DUPLICATE = "second answer to id {!r}, answered already: {}"
KEPT = 4096  # ids remembered, oldest forgotten first


class AnsweredIds:
    """The last `KEPT` ids a worker answered, oldest first."""

    def __init__(self) -> None:
        self._ids: dict[Any, None] = {}

    def add(self, answer_id: Any) -> None:
        self._ids[answer_id] = None
        if len(self._ids) > KEPT:
            del self._ids[next(iter(self._ids))]

    def __contains__(self, answer_id: Any) -> bool:
        try:
            return answer_id in self._ids
        except TypeError:  # an id no JSON-RPC peer may send (a list, an object)
            return False

    def unawaited(self, answer_id: Any, quoted: str) -> str:
        """How a response to `answer_id` that no request awaits is set aside, its bytes
        `quoted`: a second answer, or a response for an id not awaited."""
        if answer_id in self:
            return DUPLICATE.format(answer_id, quoted)
        return f"response for id {answer_id!r}: {quoted}"
