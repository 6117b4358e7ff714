"""pytest runs that failed outside any test: no failure block, yet the run failed (exit 3 or 4).

Read as nothing, each was a clean log (0 failures, exit 0):

- a conftest that does not import (exit 4, no session at all):
  `ImportError while loading conftest '/repo/tests/conftest.py'.`, its frame, then
  `E   ModuleNotFoundError: No module named 'poolkit'`; and, alike, under pytest 9, a plugin
  that raises as it is imported (exit 3): `Error while loading plugin "pytest11".` (an
  installed plugin's entry point, named by its group) or `"poolplug".` (`-p poolplug`);
- arguments pytest refuses (exit 4): `ERROR: file or directory not found: tests/x.py` right
  after `no tests ran`, `ERROR: usage: pytest [options] …` then `pytest: error: unrecognized
  arguments: --bogus`, or one of pytest's own usage errors at start-up (`ERROR: Error importing
  plugin …`); not another tool's `ERROR: ` line (tox's, pip's, a CI runner's);
- an error inside pytest or a plugin (exit 3): `INTERNALERROR> ` before each line of a
  traceback, whose last line names the exception; or, raised from a hook pytest does not guard,
  a plain traceback through pytest's entry point that ends the process (exit 1, no closing
  line: pytest-benchmark's `PerformanceRegression: Performance has regressed.` under
  `--benchmark-compare-fail`);
- pytest-cov's `--cov-fail-under` not met (exit 1, after a closing line that may count no
  failure: `FAIL Required test coverage of 100% not reached. Total coverage: 59.02%`, in its
  `tests coverage` section);
- a run interrupted (exit 2: a Ctrl-C, a CI job cancelled, a test raising KeyboardInterrupt):
  `!!!! KeyboardInterrupt !!!!`, then where (`t.py:5: KeyboardInterrupt`); the tests after it
  did not run, and the closing line counts only those before it;
- a run ended from outside while pytest-xdist waited for its workers (a CI job's SIGTERM, which
  a conftest's handler turns into `SystemExit: 143`): an INTERNALERROR through pluggy's hooks
  and `pytest_runtestloop`, an old-style hookwrapper's `PluggyTeardownRaisedWarning` before
  it; the run ended, no error of pytest's.

Each is one failure of the run, quoting its lines. Between a session's start and its closing
line only `INTERNALERROR>` lines and the interrupt's banner are taken: under `-s` a test prints
what it likes there.
"""

from __future__ import annotations

import dataclasses
import re
import signal

from poolctl.logs.pytest_summary import EXCEPTION_RE, short_type
from poolctl.logs.records import Lines
from poolctl.logs.scan import PythonTraceback, TextParser
from poolctl.model import Failure

TRIGGERS = (
    r"^ImportError while loading conftest ",
    r'^Error while loading plugin "',
    r"^ERROR: ",
    r"^INTERNALERROR> ",
    r"^\S+: error: ",  # argparse's line after `ERROR: usage:`
    r"^!+ KeyboardInterrupt !+",
    r"^FAIL Required test coverage of ",
)
_INTERRUPT_RE = re.compile(r"^!+ KeyboardInterrupt !+\s*$")
_INTERRUPTED_AT_RE = re.compile(r"^(?P<where>\S+:\d+): KeyboardInterrupt\s*$")
_CONFTEST_RE = re.compile(
    r"^(?:ImportError while loading conftest '(?P<path>.+)'"
    r'|Error while loading plugin "(?P<plugin>.+)")\.\s*$'
)
_FRAME_RE = re.compile(r"^(?P<file>\S+\.py):(?P<line>\d+): in ")
# pytest-cov's verdict, printed in the session's terminal summary (before its closing line)
_COVERAGE_RE = re.compile(
    r"^FAIL (?P<message>Required test coverage of [\d.]+% not reached\. "
    r"Total coverage: [\d.]+%)\s*$"
)
_ARGPARSE_RE = re.compile(r"^\S+: error: (?P<message>.+)$")
# pytest's own usage errors, which need not follow an empty run: the others' `ERROR: ` lines
# (tox's `ERROR: InvocationError …`, pip's, GitLab's `ERROR: Job failed: exit code 1`) are no
# failure of the run
# (those no other tool prints also tell a log with nothing else for pytest's)
OWN_USAGE = (
    r"^ERROR: (?:usage: pytest |Error importing plugin |Wrong expression passed to '-[km]'"
    r"|while parsing the following warning configuration"
    r"|(?:Directory|Config file) .* not found\. Check your '-)"
)
_USAGE_RE = re.compile(
    rf"{OWN_USAGE}|^ERROR: (?:file or directory not found: |not found: "
    r"|module or package not found: |found no collectors |plugin \S+ cannot be disabled)"
)
MAX_LINES = 60  # lines of an internal error's traceback kept
# what a run ended from outside raises in pytest's own loop (a signal's handler, a Ctrl-C)
_ENDING = ("SystemExit", "KeyboardInterrupt")
_SIGNALS = {s.value for s in signal.Signals}
# pytest's entry point, in a traceback that ended the pytest process itself (also how such a
# log alone is told for pytest's: a setup.cfg's `[pytest]` section refused prints nothing else)
ENTRY = (
    r'/_pytest/config/__init__\.py", line \d+, in (?:_console_main|main)$'
    r'|/bin/(?:py\.)?test", line \d+, in <module>$'
)
_ENTRY_RE = re.compile(ENTRY)


class CrashTraceback(PythonTraceback):
    """A Python traceback, which is a failure of the run when it runs through pytest's entry
    point (pytest died of it; no closing line follows)."""

    def __init__(self, parser: TextParser, number: int, line: str, errors: RunErrors) -> None:
        super().__init__(parser, number, line)
        self.errors = errors

    def close(self) -> list[tuple[int, str]]:
        through_entry = any(_ENTRY_RE.search(text.strip()) for text in self.lines)
        if self.exception and through_entry:
            self.errors.crashed(self.start, self.end, self.lines[0], self.exception)
        return super().close()


class RunErrors:
    """Reads the lines of such errors (`feed`) and makes their failures (`take`)."""

    def __init__(self, input_file: str) -> None:
        self.input_file = input_file
        self.made: list[tuple[Failure, Lines]] = []
        self.open: str = ""  # conftest | usage | internal | interrupt: one still being read
        self.lines: Lines = []
        self.where = ""  # the conftest's frame (`conftest.py:1`)
        self.empty_run_closed = -1  # the line of the last `no tests ran` closing line
        self.running: Failure | None = None  # the test `-v` said started, before an internal error

    def feed(self, number: int, line: str, *, in_session: bool) -> bool:
        """Read `line` if it belongs to such an error; True when it did. `in_session`: between
        a session's start and its closing line, where `ERROR: ` and a conftest's ImportError
        are a test's output (under `-s`), not pytest's."""
        if self.open == "internal" and not line.startswith("INTERNALERROR> "):
            self._internal_done()
        if self.open == "conftest":
            self.lines.append((number, line))
            frame = _FRAME_RE.match(line)
            if frame and not self.where:
                self.where = f"{frame['file']}:{frame['line']}"
            raised = EXCEPTION_RE.match(line[1:].strip()) if line.startswith("E ") else None
            if raised:
                self._conftest_done(raised["type"], raised["message"] or "")
            elif len(self.lines) > MAX_LINES:
                self._conftest_done("ImportError", "")
            return True
        if self.open == "interrupt":
            at = _INTERRUPTED_AT_RE.match(line)
            if at:
                self.lines.append((number, line))
            self._interrupted(at["where"] if at else "")
            if at:
                return True
        if _INTERRUPT_RE.match(line):
            self.open, self.lines = "interrupt", [(number, line)]
            return True
        if self.open == "usage":
            argparse = _ARGPARSE_RE.match(line)
            if argparse:
                self.lines.append((number, line))
                self._make("pytest arguments", "UsageError", argparse["message"], "usage", "")
                return True
            self.open = ""
        coverage = _COVERAGE_RE.match(line) if line.startswith("FAIL ") else None
        if coverage:
            self.lines = [(number, line)]
            self._make(
                "pytest --cov-fail-under", "CoverageFailure", coverage["message"], "coverage", ""
            )
            return True
        if in_session and not line.startswith("INTERNALERROR> "):
            return False
        conftest = _CONFTEST_RE.match(line)
        if conftest:
            self.open, self.lines, self.where = "conftest", [(number, line)], ""
            return True
        if line.startswith("INTERNALERROR> "):
            if self.open != "internal":
                self.open, self.lines = "internal", []
            if len(self.lines) < MAX_LINES:
                self.lines.append((number, line))
            else:
                self.lines[-1] = (number, line)  # the last line names the exception
            return True
        if line.startswith("ERROR: usage: "):
            self.open, self.lines = "usage", [(number, line)]
            return True
        after_empty_run = number == self.empty_run_closed + 1  # pytest's usage error follows
        if line.startswith("ERROR: ") and (after_empty_run or _USAGE_RE.match(line)):
            self.lines = [(number, line)]
            message = line[len("ERROR: ") :].strip()
            self._make("pytest arguments", "UsageError", message, "usage", "")
            return True
        return False

    def take(self) -> list[tuple[Failure, Lines]]:
        """The failures made so far (an error still being read ends here)."""
        if self.open == "interrupt":
            self._interrupted("")
        elif self.open == "internal":
            self._internal_done()
        elif self.open == "conftest":
            self._conftest_done("ImportError", "")
        made, self.made = self.made, []
        return made

    def crashed(self, start: int, end: int, first: str, exception: str) -> None:
        """pytest died of a plain traceback (`CrashTraceback`): its first and last lines."""
        raised = EXCEPTION_RE.match(exception)
        kind = short_type(raised["type"]) if raised else "Exception"
        message = (raised["message"] or "") if raised else exception
        self.lines = [(start, first), (end, exception)]
        if kind == "ImportError" and message.startswith("Error importing plugin "):
            # pytest 8 dies of a `-p` plugin it cannot import, where pytest 9 says it in a
            # line (`ERROR: Error importing plugin "…"`): the same failure
            self._make("pytest arguments", "UsageError", message, "usage", "")
            return
        self._make("pytest internal error", kind, message, "internal", "")

    def _conftest_done(self, kind: str, message: str) -> None:
        path = _CONFTEST_RE.match(self.lines[0][1])
        if path and path["plugin"]:
            name = f"loading plugin {path['plugin']}"
        else:
            name = f"loading conftest {path['path']}" if path else "loading conftest"
        self._make(name, short_type(kind), message, "conftest", self.where)

    def _interrupted(self, where: str) -> None:
        at = f" at {where}" if where else ""
        message = (
            f"the run was interrupted{at} (a Ctrl-C, a CI job cancelled, or a test raising "
            "KeyboardInterrupt): the tests after it did not run"
        )
        self._make("run interrupted", "KeyboardInterrupt", message, "interrupted", where)

    def _internal_done(self) -> None:
        texts = [text.removeprefix("INTERNALERROR> ") for _, text in self.lines]
        # the exception's line, unindented, and the lines of its message that follow it (a
        # warning turned into an error says its cause on the first, then goes on)
        for at in range(len(texts) - 1, max(-1, len(texts) - 20), -1):
            raised = EXCEPTION_RE.match(texts[at].strip())
            if raised and texts[at][:1].strip() and (":" in texts[at] or at == len(texts) - 1):
                said = [raised["message"] or "", *(t.strip() for t in texts[at + 1 :])]
                message = " ".join(t for t in said if t)
                kind = short_type(raised["type"])
                break
        else:
            message, kind = texts[-1].strip(), "INTERNALERROR"
        running, self.running = self.running, None
        if kind in _ENDING and any(t.rstrip().endswith(" in pytest_runtestloop") for t in texts):
            self._ended(kind, message, texts, running)
            return
        if running is None:
            self._make("pytest internal error", kind, message, "internal", "")
            return
        nodeid = running.details["nodeid"]
        message = f"pytest broke while running {nodeid}: {message}"
        self._make(running.name, kind, message, "internal", running.location)
        failure, lines = self.made[-1]  # the test it broke in: its group and node id too
        details = {**failure.details, "nodeid": nodeid}
        self.made[-1] = (dataclasses.replace(failure, group=running.group, details=details), lines)

    def _ended(self, kind: str, code: str, texts: list[str], running: Failure | None) -> None:
        """The tests' loop ended by an exception no test raised (a signal's handler calling
        sys.exit: a CI job's time limit sends SIGTERM): the run was ended, and pluggy's
        traceback of it through the hooks is no error of pytest's, nor a test's failure."""
        waited = any("/xdist/dsession.py" in t for t in texts)
        where = " (pytest-xdist's wait for its workers)" if waited else ""
        said = [
            f"the run was ended while its tests ran: {kind}{f': {code}' if code else ''} raised "
            f"in pytest's loop over its tests{where}, not in a test (pytest printed it as an "
            "INTERNALERROR, its traceback through pluggy's hooks)"
        ]
        if kind == "SystemExit" and code.isdigit() and 128 < int(code) < 128 + signal.NSIG:
            number = int(code) - 128
            name = signal.Signals(number).name if number in _SIGNALS else f"signal {number}"
            said.append(
                f"{code} is 128 + {number}, the code of a process ended by {name}: a handler of "
                "that signal likely raised it (untested: no line shows the signal)"
            )
        if running is not None:
            said.append(f"{running.details['nodeid']}, which -v said started, has no result")
        self._make("run ended", kind, "; ".join(said), "ended", "")

    def _make(self, name: str, kind: str, message: str, phase: str, location: str) -> None:
        lines, self.lines, self.open = self.lines, [], ""
        failure = Failure(
            source="pytest",
            name=name,
            group="",
            location=location,
            kind=kind,
            message=message,
            details={"outcome": "error", "phase": phase},
            stacktrace=tuple(text for _, text in lines[1:]) if phase == "internal" else (),
            input_file=self.input_file,
            line_start=lines[0][0],
            line_end=lines[-1][0],
        )
        self.made.append((failure, lines))
