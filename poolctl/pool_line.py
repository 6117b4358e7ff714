"""The callers waiting for a pool's worker: first come, first served (a worker goes to the
waiter of the session it served first), each with its checkout timeout, all under one timer."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

DEADLINE_SLACK = 1e-6  # a timer may run this much before its time (the loop's clock resolution)


@dataclass(eq=False, slots=True)
class Call:
    """The request a caller of `Pool.call` asked the pool to send."""

    command: str
    args: dict[str, Any] | None
    timeout: float


@dataclass(eq=False, slots=True)
class Waiter:
    """A caller waiting for a worker: its future gets the worker (a checkout) or, for a call,
    the outcome of its request."""

    caller: str
    session: str | None
    since: float  # monotonic
    future: asyncio.Future[Any]
    deadline: float  # monotonic: when its checkout times out
    call: Call | None = None


def expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


class WaitingLine:
    """The waiters in order. A waiter whose checkout timeout passes gets `TimeoutError` (and
    leaves the line itself): one timer, armed for the earliest deadline, serves them all, so a
    waiter served in time costs no timer of its own."""

    def __init__(self) -> None:
        self._line: deque[Waiter] = deque()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0

    def __len__(self) -> int:
        return len(self._line)

    def __iter__(self) -> Iterator[Waiter]:
        return iter(self._line)

    def join(self, waiter: Waiter) -> None:
        self._line.append(waiter)
        self._arm(waiter.deadline)

    def leave(self, waiter: Waiter) -> None:
        with contextlib.suppress(ValueError):
            self._line.remove(waiter)

    def take(self, worker_id: str, sessions: dict[str, str]) -> Waiter | None:
        """The next waiter for `worker_id`, out of the line: the first whose session that
        worker served (`sessions`: session -> worker id), else the first in line; None when
        nobody waits (a waiter that timed out or was cancelled is passed over)."""
        while self._line:
            chosen = self._line[0]
            if sessions:
                for waiter in self._line:
                    if waiter.session and sessions.get(waiter.session) == worker_id:
                        chosen = waiter
                        break
            if chosen is self._line[0]:
                self._line.popleft()
            else:
                self._line.remove(chosen)
            if not chosen.future.done():
                return chosen
        return None

    def clear(self) -> list[Waiter]:
        """Everyone, out of the line."""
        waiters, self._line = list(self._line), deque()
        return waiters

    def _arm(self, deadline: float) -> None:
        if self._timer is not None:
            if self._timer_at <= deadline:
                return
            self._timer.cancel()
        self._timer_at = deadline
        self._timer = asyncio.get_running_loop().call_at(deadline, self._due)

    def _due(self) -> None:
        self._timer = None
        now = time.monotonic() + DEADLINE_SLACK
        waiting = [w for w in self._line if not w.future.done()]
        for waiter in waiting:
            if waiter.deadline <= now:
                expire(waiter.future)
        later = [w.deadline for w in waiting if w.deadline > now]
        if later:
            self._arm(min(later))
