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

Under `make -j` nothing says runs are due, and a second session may start on a line of its own
while the first run prints its header (`make -j3`: three session lines before any `collected N
items`). No test has run yet, so no test printed it: it is a run beside, not the end of the run
in progress. Each such run is expected to print a closing line of its own after the run in
progress closed; one that does not is said so at the end, with the lines they began at.
"""

from __future__ import annotations

import re

from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.model import Failure

# tox 4's `env: commands[0]> cmd` and tox 3's `env run-test: commands[0] | cmd`; an
# environment's end (`env: exit 1 (0.52 seconds) /dir> cmd pid=12`)
TRIGGERS = (
    r"^[\w.-]+(?:: | run-test: )commands\[\d+\](?:> | \| )",
    r"^[\w.-]+: exit -?\d+ \(",
    r"^[.sxXFE]+={3,} ",  # a section line after another run's progress letters
    r"collected \d+ items?\b",  # a run's header is over: its tests are about to run
)
_COMMAND_RE = re.compile(TRIGGERS[0])
_EXIT_RE = re.compile(TRIGGERS[1])
# a section line another run's progress letters were written before (`F==== short test
# summary info ====`)
_MARKED_SECTION_RE = re.compile(r"^[.sxXFE]+(=+ .+ =+\s*)$")
_COLLECTED_RE = re.compile(TRIGGERS[3])
# a progress line: a file's letters, or the letters alone, and the percentage done
_PROGRESS_RE = re.compile(r"^(?:\S+\.py )?[.sxXFE,u]+ +\[ *\d+%\]\s*$")


class SideBySide:
    """What tells a pytest run's lines from another run's beside it in the same log: the
    environments tox has started whose session has not started yet, and a session glued to a
    progress line."""

    def __init__(self) -> None:
        self.due = 0
        self.glued_at = 0  # the line of a session that began on a progress line
        self.seen = False  # a run beside this one was seen: its letters may come before a line
        self.header_open = False  # a run's session started, and no run has collected its tests
        self.unclosed: list[int] = []  # where each run beside began whose closing line is due
        self.in_progress = False  # the run whose session started last has not closed
        self.held: list[Failure] = []  # blocks of a run beside, carried to the next run

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

    def session_started(self, number: int = 0, in_progress: bool = False) -> bool:
        """A session starts at line `number`: whether it is the run of an environment tox
        started (one is due), counted as started; or, `in_progress` another run, a run beside
        it when that run has not collected its tests (no test ran to print it)."""
        if not self.due:
            if not (in_progress and self.header_open):
                return False
            self.unclosed.append(number)
            self.seen = True
            return True
        self.due -= 1
        self.seen = True
        return True

    def feed_header(self, line: str) -> None:
        """A run collected its tests: the header of the runs started so far is over."""
        if "collected " in line and _COLLECTED_RE.search(line):
            self.header_open = False

    def opened(self) -> None:
        """A run's session started, and it is the run in progress: its header is printed."""
        self.header_open = self.in_progress = True

    def closed(self) -> None:
        """A closing line: the run in progress's, else a run beside's."""
        if self.in_progress:
            self.in_progress = False
        elif self.unclosed:
            self.unclosed.pop(0)

    def finish(self, out: ParsedLog, file: str, last: int) -> None:
        """Say which runs beside another printed no closing line of their own."""
        if not self.unclosed:
            return
        began = ", ".join(map(str, self.unclosed))
        text = (
            f"(no closing line: of the runs that began beside another at lines {began}, "
            f"{len(self.unclosed)} printed no result; which one(s) cannot be told)"
        )
        out.summaries.append(
            RunSummary(file, last, text, None, None, True, self.unclosed[0], None, "end of input")
        )
        self.unclosed = []

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

    def progress_of_another(self, line: str) -> bool:
        """Whether `line`, in a failure block, is the progress line of a run beside this one
        (pytest prints none inside a block: the block ended before it)."""
        return self.seen and "%]" in line[-8:] and bool(_PROGRESS_RE.match(line))

    def carry(
        self,
        failures: list[Failure],
        unnamed: list[int],
        named_all: bool,
        out: ParsedLog,
        file: str,
    ) -> list[Failure]:
        """The run's failures without the blocks its short summary does not name (`unnamed`,
        positions in `failures`), when a run beside is known and the run named all its own
        (`named_all`): those blocks are another run's, printed before this one's summary
        (`make -j`), and are carried to the next run, whose summary names them. Said in a note
        naming their lines."""
        if not (self.seen and named_all and unnamed):
            return failures
        held = set(unnamed)
        self.held = [f for i, f in enumerate(failures) if i in held]
        lines = f"{self.held[0].line_start}-{max(f.line_end for f in self.held)}"
        out.skipped.append(
            f"{file}:{lines}: {len(self.held)} failure block(s) printed among another run's "
            "output, which its short summary does not name (a run beside it, under `make -j` or "
            "tox): read as the next run's, matched to its summary lines by name"
        )
        return [f for i, f in enumerate(failures) if i not in held]

    def carried(self) -> list[Failure]:
        """The blocks carried to the run that starts now (`carry`)."""
        held, self.held = self.held, []
        return held


def rootdir_of(line: str) -> str:
    """The folder a `rootdir: …` line names (pytest before 6 went on with `, inifile: …`)."""
    return line[len("rootdir: ") :].split(",", 1)[0].strip() if line.startswith("rootdir: ") else ""
