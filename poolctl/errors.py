"""One exception base for every component, and the exit-code table the CLI applies."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The fixed exit codes of every poolctl command."""

    OK = 0
    FINDINGS = 1
    BAD_INPUT = 2
    BUG = 3
    INTERRUPTED = 130


class PoolctlError(Exception):
    """A known problem: the CLI prints its message on one line and exits with `exit_code`."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where  # "file:line" or an option name, when the problem has a place

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class UsageProblem(PoolctlError):
    """An option or argument the user gave cannot be used."""


class FramingError(PoolctlError):
    """Bytes that are not a valid frame in the framing in use."""


class FrameTooLarge(FramingError):
    """A length header announces more than the maximum frame size."""

    def __init__(self, length: int, maximum: int, header: bytes) -> None:
        super().__init__(
            f"frame header {header!r} announces {length:,} bytes, over the {maximum:,}-byte maximum"
        )
        self.length = length
        self.maximum = maximum
        self.header = header


class BadHeader(FramingError):
    """A `content-length` message header a reader cannot use: text where the header should
    start, no `Content-Length`, or a length that is not a number. `payload` holds the bytes."""

    def __init__(self, message: str, payload: bytes, problem: str) -> None:
        super().__init__(message)
        self.payload = payload
        self.problem = problem  # "text-before-header", "no-content-length", "bad-length"


class ProtocolError(PoolctlError):
    """A frame arrived but is not a valid response envelope."""

    def __init__(self, message: str, payload: bytes) -> None:
        super().__init__(message)
        self.payload = payload


class WorkerStartError(PoolctlError):
    """The worker command could not be started at all (not found, not executable)."""


class InputError(PoolctlError):
    """An input file (log, scenario, pattern folder) cannot be read or parsed."""
