"""pytest runs side by side in one log: tox's environments with their output live (`tox p
--parallel-live`), `make -j` running two pytest commands.

Each run writes to the one log as it goes, so a second run's `test session starts` may come
while the first run is still printing its progress: on a line of its own, or glued to the first
run's progress letters (`check_a.py .===== test session starts =====`), its whole output before
that progress line goes on. Glued so, it looks like a session a test printed under `-s`
(pytester's), but that one's `rootdir:` is the test's temporary folder, and a run beside this
one names this run's own. tox says so even earlier: it prints each environment's command line
(`pool: commands[0]> pytest …`) as the environment starts it, so two of them before a session
starts are two runs to come. A session starting while one of them is still due is that run's,
not a test's text, and it does not end the run in progress, which goes on after it. Once a
run beside is known, its progress letters may come before a section line of this run's
(`F==== short test summary info ====`): the section is read without them.
"""

from __future__ import annotations

import re

# tox 4's `env: commands[0]> cmd` and tox 3's `env run-test: commands[0] | cmd`; an
# environment's end (`env: exit 1 (0.52 seconds) /dir> cmd pid=12`)
TRIGGERS = (
    r"^[\w.-]+(?:: | run-test: )commands\[\d+\](?:> | \| )",
    r"^[\w.-]+: exit -?\d+ \(",
    r"^[.sxXFE]+={3,} ",  # a section line after another run's progress letters
)
_COMMAND_RE = re.compile(TRIGGERS[0])
_EXIT_RE = re.compile(TRIGGERS[1])
# a section line another run's progress letters were written before (`F==== short test
# summary info ====`)
_MARKED_SECTION_RE = re.compile(r"^[.sxXFE]+(=+ .+ =+\s*)$")


class SideBySide:
    """What tells a pytest run's lines from another run's beside it in the same log: the
    environments tox has started whose session has not started yet, and a session glued to a
    progress line."""

    def __init__(self) -> None:
        self.due = 0
        self.glued_at = 0  # the line of a session that began on a progress line
        self.seen = False  # a run beside this one was seen: its letters may come before a line

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
        self.seen = True
        return True

    def glued(self, number: int) -> bool:
        """A session began on progress line `number`: whether it is a run tox started (else
        a test may have printed it under `-s`, until its `rootdir:` line tells)."""
        self.glued_at = number
        return self.session_started()

    def run_beside(self, number: int, line: str, rootdir: str) -> bool:
        """Whether line `number`, just after a session glued to a progress line began, is that
        session's `rootdir:` naming this run's own folder: a run of this project beside this
        one, not pytester's (a test's temporary folder)."""
        beside = number - self.glued_at < 5 and bool(rootdir) and rootdir_of(line) == rootdir
        self.seen = self.seen or beside
        return beside

    def section(self, line: str) -> str:
        """`line` without the letters another run beside this one wrote before its section
        line; `line` itself when there is none."""
        found = _MARKED_SECTION_RE.match(line) if self.seen else None
        return found[1] if found else line


def rootdir_of(line: str) -> str:
    """The folder a `rootdir: …` line names (pytest before 6 went on with `, inifile: …`)."""
    return line[len("rootdir: ") :].split(",", 1)[0].strip() if line.startswith("rootdir: ") else ""
