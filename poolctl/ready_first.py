"""The scenario run's event loop, whose readers go before its timers after a stop of poolctl.

A poolctl stopped (Ctrl-Z, `kill -TSTP`, `kill -STOP`) and continued has its loop's
`epoll_wait` end with EINTR (with a second thread in the process, as poolctl's signal thread
is). Python retries it only while its timeout has not run out, and a stop longer than that
returns no event: the timers now due (a request's timeout, a checkout's) then run before the
reader of an answer the worker wrote in time, and the pool blamed a worker that had answered
("answered after its 3 s request_timeout: the worker was slow"). A wait that ended with
nothing ready looks once more, without waiting, as the loop does when an answer and a
timeout come together.
"""

from __future__ import annotations

import asyncio
import selectors
from typing import Any


class ReadyFirstSelector(selectors.DefaultSelector):
    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        ready: list[tuple[Any, int]] = super().select(timeout)
        if not ready and timeout != 0:
            ready = super().select(0)
        return ready


def new_loop() -> asyncio.AbstractEventLoop:
    return asyncio.SelectorEventLoop(ReadyFirstSelector())
