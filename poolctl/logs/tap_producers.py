"""Which runner printed a TAP run's counts, `# fail 6`: node's TAP reporter and Mocha's print
that line alike (`poolctl.logs.other_verdicts` reads it as node's), and the line after tells
them apart. node counts on (`# cancelled 0`, then `# skipped`, `# todo`, `# duration_ms`; its
plan came before them); Mocha ends in its plan (`# tests 7`, `# pass 1`, `# fail 6`, `1..7`:
mocha/lib/reporters/tap.js's epilogue). Another line after it, or none (a log cut there), tells
no runner: the run is TAP's, some producer's."""

from __future__ import annotations

import re

from poolctl.logs import mocha_block, tap_verdicts
from poolctl.logs.records import RunSummary

_PLAN_RE = re.compile(r"^1\.\.\d+$")
_FAIL_RE = re.compile(r"^# fail \d+$")  # (alone: not joined to node's `# cancelled N`)
_NODE_COUNTS_ON = "# cancelled "


def after_fail_count(run: RunSummary | None, number: int, text: str) -> str:
    """The runner of `run`, a run read as node's, when its `# fail N` is the line above `text`
    (line `number`, stripped) and `text` says it is not node's: Mocha, or TAP; else ""."""
    if run is None or run.line != number - 1 or not _FAIL_RE.match(run.text):
        return ""
    if text.startswith(_NODE_COUNTS_ON):
        return ""
    return mocha_block.RUNNER if _PLAN_RE.match(text) else tap_verdicts.TAP


def at_end(run: RunSummary | None, last_line: tuple[int, str] | None) -> str:
    """TAP, when `run`, read as node's, is its `# fail N` and that is the input's last line
    (`last_line`: its number and text): nothing after it tells the runner; else ""."""
    if run is None or last_line is None or run.line != last_line[0]:
        return ""
    return tap_verdicts.TAP if _FAIL_RE.match(run.text) else ""
