"""tox running environments side by side with their output live (`tox p --parallel-live`).

Each environment's pytest run writes to the one log as it goes, so a second run's `test session
starts` may come while the first run is still printing its progress: on a line of its own, or
glued to the first run's progress letters (`check_a.py .===== test session starts =====`).
tox says so first: it prints each environment's command line (`pool: commands[0]> pytest …`)
as the environment starts it, so two of them before a session starts are two runs to come.
A session starting while one of them is still due is that run's, not a test's text, and it
does not end the run in progress, which goes on after it.
"""

from __future__ import annotations

import re

# tox 4's `env: commands[0]> cmd` and tox 3's `env run-test: commands[0] | cmd`; an
# environment's end (`env: exit 1 (0.52 seconds) /dir> cmd pid=12`)
TRIGGERS = (
    r"^[\w.-]+(?:: | run-test: )commands\[\d+\](?:> | \| )",
    r"^[\w.-]+: exit -?\d+ \(",
)
_COMMAND_RE = re.compile(TRIGGERS[0])
_EXIT_RE = re.compile(TRIGGERS[1])


class ToxCommands:
    """How many environments tox has started whose pytest session has not started yet."""

    def __init__(self) -> None:
        self.due = 0

    def feed(self, line: str) -> bool:
        """Count a tox line that starts an environment's command or ends an environment;
        False for any other line."""
        if _COMMAND_RE.match(line):
            self.due += 1
        elif _EXIT_RE.match(line):
            self.due = 0  # the environments before it are over: no run of theirs is due
        else:
            return False
        return True

    def session_started(self) -> bool:
        """A session starts: whether it is the run of an environment tox started (one is
        due), counted as started."""
        if not self.due:
            return False
        self.due -= 1
        return True
