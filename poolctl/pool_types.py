"""What a pool is configured with, its state at one moment, and the errors its callers get."""

from __future__ import annotations

from dataclasses import dataclass

from poolctl.errors import PoolctlError


@dataclass(frozen=True)
class PoolConfig:
    """How the pool behaves."""

    size: int = 2
    max_overflow: int = 0
    lazy: bool = False
    init_timeout: float = 5.0
    checkout_timeout: float = 5.0
    request_timeout: float = 5.0
    stop_grace: float = 2.0
    diagnose_init_failures: bool = True  # run the no-answer engine on each failed init
    # Starts in a row that crashed (the process exited in its init, or could not be started)
    # after which the pool gives up, as a supervisor past its restart intensity: no worker
    # will come, so callers fail at once instead of each waiting its checkout timeout out.
    max_failed_starts: int = 5


class PoolError(PoolctlError):
    """A caller could not get a worker."""


@dataclass(frozen=True)
class PoolStats:
    """The pool's state at one moment, as a timed-out checkout reports it."""

    total: int
    busy: int
    idle: int
    starting: int
    waiting: int
    oldest_wait: float
    size: int
    max_overflow: int

    def describe(self) -> str:
        return (
            f"total={self.total}, busy={self.busy}, idle={self.idle}, starting={self.starting}, "
            f"waiting={self.waiting}, oldest wait {self.oldest_wait:.3f} s "
            f"(size {self.size}, max_overflow {self.max_overflow})"
        )


class CheckoutTimedOut(PoolError):
    """No worker became available within the checkout timeout."""

    def __init__(self, timeout: float, stats: PoolStats, cause: str | None) -> None:
        because = f"; last init failure: {cause}" if cause else ""
        super().__init__(f"checkout timed out after {timeout:g} s: {stats.describe()}{because}")
        self.timeout = timeout
        self.stats = stats
        self.cause = cause


class PoolShuttingDown(PoolError):
    """The pool was stopping (or stopped) while the caller waited or was in flight."""

    def __init__(self, mode: str, waiting: int, in_flight: int, phase: str) -> None:
        super().__init__(
            f"pool shutting down ({mode}) while this caller was {phase}: "
            f"{waiting} caller(s) waiting and {in_flight} in flight at shutdown"
        )
        self.mode = mode
        self.waiting = waiting
        self.in_flight = in_flight
        self.phase = phase


class PoolGaveUp(PoolError):
    """Every recent start failed: the pool stopped starting workers and fails callers at once."""

    def __init__(self, failed_starts: int, cause: str | None) -> None:
        because = f"; the last: {cause}" if cause else ""
        super().__init__(
            f"the pool gave up after {failed_starts} worker starts in a row failed"
            f"{because} (no worker will come: a fresh start crashes the same way)"
        )
        self.failed_starts = failed_starts
        self.cause = cause
