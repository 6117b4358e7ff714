"""Where the history store is: `--history URL`, else `POOLCTL_HISTORY`, else the project's
`.poolctl/history.sqlite`.

The project is the git work tree the current directory is in (its top level, found by walking
up to the `.git` entry, so that every subfolder of a checkout shares one history), or the
current directory outside git. A value is a SQLAlchemy-style URL (`sqlite:///path`,
`postgresql://user:password@host/db`, `postgres://…`) or a plain file path (SQLite). A URL is
only ever shown with its password and secret query values masked (`display`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from poolctl.errors import UsageProblem
from poolctl.redact import MARK, secret_name

HISTORY_ENV = "POOLCTL_HISTORY"
PASSWORD_NAME = "POOLCTL_HISTORY_PASSWORD"  # how a redacted password is named
DEFAULT_FILE = Path(".poolctl") / "history.sqlite"
# the SQLAlchemy dialect and driver for each scheme a user may write
_DRIVERS = {
    "sqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}


@dataclass(frozen=True)
class Location:
    """A history store's address: the URL SQLAlchemy opens, and the same URL fit to show."""

    url: str  # with the driver: sqlite:///…, postgresql+psycopg://…
    display: str  # as the user wrote it, the password masked
    backend: str  # sqlite | postgresql
    password: str | None = field(default=None, repr=False)

    @property
    def secrets(self) -> dict[str, str]:
        """`{value: name}` of what must never be shown: the URL's password (a driver's error
        may quote it)."""
        return {self.password: PASSWORD_NAME} if self.password else {}

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file (None for PostgreSQL or an in-memory database)."""
        if self.backend != "sqlite":
            return None
        path = self.url.removeprefix("sqlite:///")
        return Path(path) if path and path != ":memory:" else None


def project_root(start: Path | None = None) -> Path:
    """The top level of the git work tree `start` (the current directory) is in, else `start`.
    A worktree's or submodule's `.git` is a file; either marks the top level."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def default_location(start: Path | None = None) -> Location:
    """`.poolctl/history.sqlite` in the project."""
    return _sqlite(project_root(start) / DEFAULT_FILE)


def _sqlite(path: Path) -> Location:
    shown = str(path)
    return Location(f"sqlite:///{path}", shown, "sqlite")


def _masked(value: str) -> str:
    """The URL with its password and secret-named query values replaced by `[redacted]`."""
    parts = urlsplit(value)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        name, colon, _password = user.partition(":")
        netloc = f"{name}{':' + MARK if colon else ''}@{host}"
    query = urlencode(
        [(k, MARK if secret_name(k) else v) for k, v in parse_qsl(parts.query, True)],
        safe="/:[]",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def parse_location(value: str, where: str = "--history") -> Location:
    """A `--history` or `POOLCTL_HISTORY` value as a `Location` (a path means SQLite)."""
    value = value.strip()
    if not value:
        raise UsageProblem("an empty history location", where=where)
    scheme, sep, rest = value.partition("://")
    if not sep:
        return _sqlite(Path(value).expanduser())
    driver = _DRIVERS.get(scheme.lower())
    if driver is None:
        known = "sqlite:///PATH, postgresql://USER:PASSWORD@HOST/DB, or a file path"
        raise UsageProblem(
            f"unknown history URL scheme {scheme + '://'!r}; use {known}", where=where
        )
    if driver == "sqlite":
        path = rest.removeprefix("/")
        if not path:
            raise UsageProblem("sqlite:/// needs a file path (sqlite:///PATH)", where=where)
        return _sqlite(Path(path).expanduser())
    password = urlsplit(value).password
    return Location(f"{driver}://{rest}", _masked(value), "postgresql", password)


def resolve(explicit: str | None, start: Path | None = None) -> Location:
    """`--history` when given, else `POOLCTL_HISTORY`, else the project's default file."""
    if explicit:
        return parse_location(explicit, "--history")
    from_env = os.environ.get(HISTORY_ENV, "").strip()
    if from_env:
        return parse_location(from_env, HISTORY_ENV)
    return default_location(start)
