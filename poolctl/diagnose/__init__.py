"""Why a worker started but never answered, found by testing hypotheses against evidence.

`diagnose_no_answer` (in `engine`) is the one entry point, used by `ping`, the pool and
`doctor`. It works in four steps, each bounded in time: read what the failed exchange left
(`observe`: exit status, stderr, the bytes on stdout); look at the live process before
disturbing it (`procinfo`, `pystack`); probe the original process (close its stdin: a buffered
worker flushes as it exits; or keep waiting, to measure a slow start); run `experiments` in
fresh processes (other framings, a terminal via `pty_probe`, `PYTHONUNBUFFERED=1`, many
requests, stderr kept apart). Then every hypothesis (one module each in `hypotheses/`, sharing
`readings`) is judged, and the first confirmed one is the verdict. The pattern, its cause ids,
titles and order come from the knowledge base (`knowledge`).
"""

from __future__ import annotations

from .crash_lines import exception_line
from .engine import DEFAULT_BUDGET, diagnose_no_answer
from .knowledge import no_answer_pattern

__all__ = ["DEFAULT_BUDGET", "diagnose_no_answer", "exception_line", "no_answer_pattern"]
