"""A private PostgreSQL server for the tests: `initdb` into a temporary folder, `pg_ctl start` on
a socket in that folder and a free port on 127.0.0.1, one database per test, `pg_ctl stop`.

Debian's `postgresql` package (which `.ci/run` installs) keeps the server's programs in
`/usr/lib/postgresql/<version>/bin`, off the PATH; they are looked for there and on the PATH.
PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (`runuser`),
its folder handed over to it. Where no server can be started, `PgUnavailable` says why (the
tests skip with that reason).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

USER = "poolctl"
PASSWORD = "pg-test-Secret-4821"  # a password-authenticated URL must never be printed
START_TIMEOUT = 60


class PgUnavailable(Exception):
    """No PostgreSQL server can be started here, and why."""


def find_program(name: str) -> str | None:
    """`initdb`, `pg_ctl`: on the PATH, or in the newest Debian server folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    return candidates[-1] if candidates else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """One server for the session's tests (tests/conftest.py pg_server)."""

    def __init__(self, run: Any, parent: str | None = None) -> None:
        self.run = run  # Processes.run: (argv, timeout, **kwargs) -> CompletedProcess
        # `parent`: where its folder goes (the tests': the memory filesystem, see conftest.py)
        self.root = Path(tempfile.mkdtemp(prefix="poolctl-pg-", dir=parent))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.port = free_port()
        self.started = False
        self.prefix: list[str] = []

    def _call(self, argv: list[str], what: str, timeout: float = START_TIMEOUT) -> None:
        try:
            done: subprocess.CompletedProcess[str] = self.run(
                [*self.prefix, *argv], timeout=timeout
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PgUnavailable(f"{what} could not run: {exc}") from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise PgUnavailable(f"{what} exited {done.returncode}: {' / '.join(tail)}")

    def start(self) -> PgServer:
        initdb, pg_ctl = find_program("initdb"), find_program("pg_ctl")
        if initdb is None or pg_ctl is None:
            raise PgUnavailable(
                "PostgreSQL's initdb and pg_ctl were not found (Debian: apt-get install postgresql)"
            )
        self.sockets.mkdir()
        pwfile = self.root / "pwfile"
        pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
        if os.geteuid() == 0:  # initdb and postgres refuse root: run them as postgres
            runuser = shutil.which("runuser")
            try:
                shutil.chown(self.root, "postgres", "postgres")
                for path in (self.sockets, pwfile):
                    shutil.chown(path, "postgres", "postgres")
            except (LookupError, OSError) as exc:
                raise PgUnavailable(
                    f"running as root, and no postgres user to run as: {exc}"
                ) from None
            if runuser is None:
                raise PgUnavailable("running as root, and runuser is not installed")
            self.prefix = [runuser, "-u", "postgres", "--"]
        self._call(
            [
                initdb,
                "-D",
                str(self.data),
                "-U",
                USER,
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            "initdb",
        )
        options = (
            f"-k {self.sockets} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=40"
        )
        log = self.root / "server.log"
        self._call(
            [
                pg_ctl,
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "start",
            ],
            "pg_ctl start",
        )
        self.started = True
        return self

    def stop(self) -> None:
        pg_ctl = find_program("pg_ctl")
        try:
            if self.started and pg_ctl is not None:
                self._call([pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"], "stop")
        finally:
            self.started = False
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """A URL over the socket (trusted: no password)."""
        return f"postgresql://{USER}@/{database}?host={self.sockets}&port={self.port}"

    def tcp_url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        """A URL over TCP with the user's password in it."""
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database's name."""
        import sqlalchemy

        name = f"h_{uuid.uuid4().hex[:12]}"
        engine = sqlalchemy.create_engine(
            self.url().replace("postgresql://", "postgresql+psycopg://", 1),
            isolation_level="AUTOCOMMIT",
            poolclass=sqlalchemy.pool.NullPool,
        )
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return name
