"""Notes a person needs to read once, not on every run: remembered in the reports folder.

A note about this machine (PYTHONUNBUFFERED set for every process) is true on every run; said
on every healthy ping, it is noise. `first_time(key)` is true once per reports folder (the
folder `reports/` or `POOLCTL_REPORTS_DIR` names): its `.notes-shown` file lists the keys.
"""

from __future__ import annotations

import os
from pathlib import Path

from poolctl.rundir import BASE_ENV, DEFAULT_BASE

SHOWN = ".notes-shown"


def first_time(key: str) -> bool:
    """True the first time `key` is asked about in this reports folder (and remembers it)."""
    path = Path(os.environ.get(BASE_ENV) or DEFAULT_BASE) / SHOWN
    try:
        shown = set(path.read_text(encoding="utf-8").split()) if path.exists() else set()
        if key in shown:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(key + "\n")
    except OSError:
        return True  # cannot remember: better said twice than never
    return True
