"""A worker started under coreutils' `timeout DURATION CMD` (a script's safety net): when the
duration runs out, `timeout` sends its command SIGTERM (`-s` another signal) and exits with
124, whatever the command does. Told from the worker's command line and that exit code; ping's
crash reading (poolctl/diagnose/hypotheses/crashed.py) says it instead of 'no word of why'."""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass

from poolctl.model import Evidence

TIMED_OUT = 124  # `timeout`'s own exit code when the duration ran out (without --preserve-status)
# its options that take a value: `-s KILL`, `-k 5` (`--signal=KILL` is one word)
_VALUED = {"-s", "-k", "--signal", "--kill-after"}


@dataclass(frozen=True)
class RanOut:
    """The `timeout` in a worker's command, and the duration it gave its program."""

    duration: str  # as written: `1`, `5m`
    command: str  # `timeout 1`

    def why(self) -> str:
        return (
            f": `{self.command}` in its command ended it: coreutils' timeout exits with 124 once "
            f"its duration ({self.duration}) has run out and it has signalled the program it "
            "ran (SIGTERM unless `-s` says otherwise)"
        )

    def fix(self) -> str:
        return (
            f"Drop `{self.command}` from the worker's command, or give it a duration longer "
            "than the pool keeps a worker: a pool's worker lives as long as the pool, not for "
            "one task's time."
        )

    def evidence(self) -> Evidence:
        return Evidence(
            f"`{self.command}` (argv[0] `timeout`), exit code 124",
            "the worker's command and exit status",
            "the timeout that ended it",
        )


def ran_out(argv: list[str], code: int | None) -> RanOut | None:
    """The `timeout` that ended the worker of `argv` with exit `code`, or None."""
    if code != TIMED_OUT or not argv or os.path.basename(argv[0]) != "timeout":
        return None
    at = 1
    while at < len(argv) and argv[at].startswith("-"):  # its options, and their values
        at += 2 if argv[at] in _VALUED else 1
    word = argv[at] if at < len(argv) else ""
    if not re.fullmatch(r"\d+(?:\.\d+)?[smhd]?", word):
        return None
    unit = {"s": " s", "m": " min", "h": " h", "d": " days"}.get(word[-1], " s")
    return RanOut(word.rstrip("smhd") + unit, shlex.join(argv[: at + 1]))
