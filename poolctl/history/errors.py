"""The history store's one error: a problem with the store, said in one line, exit 2."""

from __future__ import annotations

from collections.abc import Mapping

from poolctl.errors import PoolctlError
from poolctl.redact import Redactor, redact


class HistoryError(PoolctlError):
    """The store cannot be opened, read or written (unreachable, locked, a newer schema)."""

    def __init__(self, where: str, problem: str, hidden: Mapping[str, str] | None = None) -> None:
        message = f"history store {where}: {problem}"
        if hidden:  # the URL's password, which no run's secrets know of
            message = Redactor(hidden).text(message)
        super().__init__(redact(message))


def first_line(exc: BaseException) -> str:
    """A driver's message on one line (psycopg's carry hints on the next lines)."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    line = text.splitlines()[0].strip() if text else type(exc).__name__
    return line.removeprefix("(sqlite3.OperationalError) ")
