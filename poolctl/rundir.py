"""The run folder: where every command leaves its report, trace and each process's output.

reports/<UTC-time>-<name>/
  report.md  report.json  junit.xml
  events.jsonl                 pool trace, monotonic timestamps
  workers/<id>.stderr.log      everything the worker wrote to stderr
  workers/<id>.stdout.bin      raw stdout transcript (bounded)
  poolctl.log                  poolctl's own debug log
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_BASE = "reports"
BASE_ENV = "POOLCTL_REPORTS_DIR"  # overrides the default base folder


@dataclass(frozen=True)
class RunDir:
    """Paths inside one run folder."""

    path: Path

    @property
    def workers(self) -> Path:
        return self.path / "workers"

    @property
    def events(self) -> Path:
        return self.path / "events.jsonl"

    @property
    def log(self) -> Path:
        return self.path / "poolctl.log"

    def report(self, suffix: str) -> Path:
        """`report.md`, `report.json`, … (`junit.xml` for the JUnit writer)."""
        return self.path / ("junit.xml" if suffix == "xml" else f"report.{suffix}")

    def attach_log(self, logger_name: str = "poolctl") -> logging.Handler:
        """Send poolctl's own debug log to `poolctl.log`; returns the handler to remove later."""
        handler = logging.FileHandler(self.log, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger = logging.getLogger(logger_name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        return handler


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:60] or "run"


_LAST: list[RunDir] = []


def last_run_dir() -> RunDir | None:
    """The run folder this process made last (where an internal error's traceback goes)."""
    return _LAST[-1] if _LAST else None


def create_run_dir(
    name: str, explicit: str | Path | None = None, base: str | Path | None = None
) -> RunDir:
    """Make a run folder: `explicit` as given, else `<base>/<UTC-time>-<name>` (never reused)."""
    if explicit is not None:
        path = Path(explicit)
    else:
        root = Path(base or os.environ.get(BASE_ENV) or DEFAULT_BASE)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = root / f"{stamp}-{_slug(name)}"
        n = 2
        while path.exists():
            path = root / f"{stamp}-{_slug(name)}-{n}"
            n += 1
    (path / "workers").mkdir(parents=True, exist_ok=True)
    run = RunDir(path)
    _LAST.append(run)
    return run
