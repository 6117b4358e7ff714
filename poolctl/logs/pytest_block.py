"""One `____ name ____` block of a pytest run's FAILURES or ERRORS section, as it is read: its
`E` lines, frames, source lines, captured output, and sessions a test printed (pytester's)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from poolctl.logs.passes import nodeid_parts
from poolctl.logs.pytest_checks import SoftChecks
from poolctl.logs.pytest_pretty import PRETTY_ENDS, pretty_end
from poolctl.logs.pytest_summary import (
    EXCEPTION_RE,
    SECTION_RE,
    closing_counts,
    session_edge,
    short_type,
)
from poolctl.logs.records import STDIN_NAME
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, clip, joined
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.pytest_log import PytestParser

HEADER_RE = re.compile(r"^_+ (?P<title>\S.*?) _+$")
# pytest-sugar draws a block's header with horizontal bars, among its progress lines
SUGAR_HEADER_RE = re.compile(r"^\u2015{3,} (?P<title>\S.*?) \u2015+$")
SEPARATOR_RE = re.compile(r"^(?:_ )+_?$")
CAPTURED_RE = re.compile(r"^-+ (?P<what>Captured .+?|.+? log|Logs?) -+$")
FRAME_RE = re.compile(r"^(?P<file>[^\s:][^:]*?):(?P<line>\d+):(?: (?P<rest>.*))?$")
ERROR_AT_RE = re.compile(r"^ERROR at (?P<phase>setup|teardown|call) of (?P<name>.+)$")
XDIST_NODE_RE = re.compile(r"^\[gw\d+\] \w+ -- Python ")
XDIST_CRASH_RE = re.compile(r"^worker '[^']+' crashed while running '(?P<nodeid>[^']+)'")
# a doctest's numbered source line: `018     >>> f(5)`, `1306     >>> f(5)` (3 digits at least)
DOCTEST_SOURCE_RE = re.compile(r"^\d{3,} ")
# a long traceback entry's function, as its source begins (pytest dedents it to 4 spaces): its
# location line (`path.py:12: `) does not name it, as the short style's `path.py:12: in f` does
ENTRY_DEF_RE = re.compile(r"^    (?:async )?def (?P<func>\w+)\(")
_PARAMS_RE = re.compile(r"\[| \(")  # where a test's parameters, or a subtest's, begin
_INSTALLED_RE = re.compile(r"(?:^|/)(?:site|dist)-packages/")  # a frame of an installed package
# an exception group, as the traceback module prints it (pytest does in every style): its own
# lines behind `  | `, each sub-exception's behind a `+---- N ----` line, one level deeper
GROUP_START_RE = re.compile(r"^ *\+ Exception Group Traceback \(most recent call last\):$")
MAX_SUB_EXCEPTIONS = 20  # distinct sub-exception lines kept
NATIVE_MORE = 40  # lines of a --tb=native message kept after its first
MAX_PLAIN = 40  # lines of a block of no traceback kept as its message
# where a --tb=native exception's message ends: the next part of a chained exception
_NATIVE_CHAIN = ("The above exception was the direct cause", "During handling of the above")
NATIVE_FRAME_RE = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)')
MAX_NATIVE_FRAMES = 400
DOCTEST_SAID = 8  # lines of doctest's report of an example kept in the message
SESSION_HEAD = 12  # lines after a session's start within which its `rootdir:` comes
# the order of a run's sections of blocks: one cannot follow itself or a later one
SECTION_RANK = {"ERRORS": 0, "FAILURES": 1, "PASSES": 2}
# a progress line (`t.py .F`, `t.py::test_a PASSED  [ 50%]`, pytest-xdist's `[gw0] [ 50%] PASSED
# t.py::test_a`, or its marks alone, `.F`, but for a lone `E`: an `E` line with no text): it
# ends a block pytest-instafail printed among them
INLINE_END_RE = re.compile(
    r"^(?:\S+\.py [.sxXFE]*(?: +\[ *\d+%\])?|(?!E\s*$)[.sxXFE]+(?: +\[ *\d+%\])?"
    r"|\S+::\S.* (?:PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)(?: +\[ *\d+%\])?"
    r"|\S+\.py::\S+(?:\[.*\])?"  # under pytest-xdist, a test's start
    r"| +\[ *\d+%\]"  # the percentage, alone on the last progress line
    r"|\r.*| \S+\.py \S.*"  # pytest-sugar's, redrawn with carriage returns
    r"|\[gw\d+\] \[ *\d+%\] (?:PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) \S.*)\s*$"
)


def inner_section(title: str, current: str) -> bool:
    """Whether section `title`, printed in captured output while `current` is the run's
    section, is one a session the test printed began with: a session run with `-q` prints no
    `test session starts` line, and its FAILURES or ERRORS section cannot be the run's own
    when the run's is past it."""
    rank = SECTION_RANK.get(title)
    return rank is not None and rank <= SECTION_RANK.get(current, -1)


def inner_end(line: str) -> int:
    """-1 for the closing line of a session a test printed (`=`-bordered, or plain under
    `-q`: `1 failed, 1 passed in 0.05s`), 1 for its opening line, 0 for any other line."""
    if line.startswith("="):
        return session_edge(line)
    return -1 if line[:1].isdigit() and closing_counts(line.strip()) is not None else 0


def _separator(line: str) -> bool:
    """A `_ _ _ _` line between a traceback's entries (looked at only when it can be one: each
    of a block's lines is asked)."""
    return line[:1] == "_" and SEPARATOR_RE.match(line) is not None


class PytestBlock:
    """One `____ name ____` block of the FAILURES or ERRORS section."""

    def __init__(
        self, parser: PytestParser, number: int, title: str, section: str, *, inline: bool = False
    ) -> None:
        self.parser = parser
        # printed by pytest-instafail right after the test's progress line: the next progress
        # line ends it
        self.inline = inline
        self.start = number
        self.end = number
        self.title = title
        error_at = ERROR_AT_RE.match(title)
        self.phase = ""
        if error_at:
            self.phase = error_at.group("phase")
            self.name = error_at.group("name")
        elif title.startswith("ERROR collecting "):
            self.phase = "collection"
            self.name = title[len("ERROR collecting ") :]
        else:  # a doctest's block is headed `[doctest] mod.add`; its node id is `mod.py::mod.add`
            self.name = title.removeprefix("[doctest] ")
        self.outcome = "error" if section == "ERRORS" else "failed"
        self.section = section
        self.doctest = title.startswith("[doctest] ")
        self.example = ""  # the doctest's example that failed: `f(5)`
        self.said: list[str] = []  # what doctest said of it: `Expected:`, `5000`, `Got:`, `500`
        self.raised = ""  # or the exception it raised instead
        # `--doctest-continue-on-failure`: a report per failed example, each closed by its
        # location line; the messages of those before the last
        self.examples_said: list[str] = []
        self.example_located = False
        self.raised_first = ""  # the first exception an example raised: the failure's kind
        self.e_lines: list[str] = []
        self.e_group_open = False
        self.frames: list[str] = []
        # where the last exception of a chain begins, among the frames: its first is the test's
        self.chain_at = 0
        self.kind_from_frame = ""
        self.entry_func = ""  # the function of the long entry being read (`ENTRY_DEF_RE`)
        # the frames (of `frames`, of `native_frames`) whose line is a decorator's (`@given(…)`):
        # a wrapper's call of the test (Hypothesis'), not the test's own line that failed
        self.decorated: set[int] = set()
        self.native_decorated: set[int] = set()
        self.entry_decorated = False  # the long entry being read failed on a decorator's line
        self.after_frame = ""  # "frame" or "native" when the line before was such a frame
        self.raised_at = False  # the last line read is a traceback's last (`path.py:12: Kind`)
        self.source: list[str] = []
        # the line under each --tb=short frame (or native frame of the test's code): its source
        # where no `>` line gives it
        self.frame_source: list[str] = []
        self.captured: dict[str, list[str]] = {}
        self.capturing = ""
        self.nested = 0  # sessions begun and not closed inside captured output
        self.held: list[tuple[int, str]] | None = None  # see `_hold`
        self.given_back: list[tuple[int, str]] = []  # lines of the next run, given back
        self.last_plain = ""  # last unindented line (an exception line under --tb=native)
        # the unindented lines before any frame: a block of no traceback (`pytest.fail(msg,
        # pytrace=False)`, pytest's own refusal of an async fixture no plugin handled) says
        # only its message, each of its lines
        self.plain: list[str] = []
        # --tb=native: the exception line after the last `  File "…"` frame (what follows it,
        # Hypothesis' `Failing test case:`, assertion rewriting's `assert 1 != 1`, is not it)
        self.native_raised = ""
        # and the lines its message goes on with (pydantic's field list, pytest's explanation
        # of an assert), to an empty line or the next part of a chained exception
        self.native_more: list[str] = []
        self.native_open = False
        self.native_frame = False
        # --tb=native's `  File "…", line N, in f` frames, spelt as pytest's own (`path:N: in f`,
        # the last before an exception line `path:N: Kind`): the stack trace signals read
        self.native_frames: list[str] = []
        self.native_funcs: list[str] = []  # each native frame's function, kept past its rewrite
        self.native_chain_at = 0
        self.group: ExceptionGroupLines | None = None  # an exception group's lines, read
        self.checks = SoftChecks()  # pytest-check's report of the test's failed checks
        self.count = 0
        # The block as printed, for inputs that cannot be read back later (standard input):
        # the classifier then still sees argument lines and "available fixtures: ...".
        self.keep_text = parser.name == STDIN_NAME
        self.text: list[str] = []
        self.text_size = 0

    def feed(self, number: int, line: str) -> bool:
        if self.held is not None:
            return self._hold(number, line)
        if self.inline and (INLINE_END_RE.match(line) or SUGAR_HEADER_RE.match(line)):
            return False
        if self.inline and self.raised_at and line.strip() == "E":
            return False  # pytest-xdist's mark of an error, after the traceback's last line
        if line.startswith(PRETTY_ENDS) and pretty_end(line):
            return False
        if line[:1] in ".sxXFE" and self.parser.beside.section(line) is not line:
            return False  # a section line after the letters of a run beside this one
        if not self.capturing and self.parser.beside.progress_of_another(line):
            return False  # a run beside this one printed its progress: the block ended
        inner = bool(self.capturing) and self._inner_session(number, line)
        if self.held is not None:
            return True  # a session begins: the test's own, or the next run (see `_hold`)
        if (
            not inner
            and line.startswith(("=", "_"))
            and (SECTION_RE.match(line) or (HEADER_RE.match(line) and not _separator(line)))
        ):
            return False
        return self._take(number, line)

    def _take(self, number: int, line: str) -> bool:
        """A line of the block (not its end)."""
        if line.startswith("[gw") and XDIST_NODE_RE.match(line):
            return True  # pytest-xdist: which worker ran the test
        self.count += 1
        if self.keep_text and self.text_size < MAX_FIELD:
            self.text.append(line)
            self.text_size += len(line) + 1
        if self.count > MAX_BLOCK_LINES:
            self.end = number
            return True
        if line.strip():
            self.end = number
            self.raised_at = False
        captured = CAPTURED_RE.match(line) if line.startswith("-") else None
        if captured:
            self.capturing = captured.group("what")
            self.captured.setdefault(self.capturing, [])
            return True
        if self.capturing:
            self.captured[self.capturing].append(clip(line, 2_000))
            return True
        if self.doctest and FRAME_RE.match(line):
            self.example_located = bool(self.said or self.raised)
        elif self.doctest:
            numbered = DOCTEST_SOURCE_RE.match(line)
            if numbered and ">>>" in line:
                if self.example_located:  # the next report: the one before it is complete
                    self.examples_said.append(self._example_said())
                    self.raised_first = self.raised_first or self.raised
                    self.raised, self.example_located = "", False
                self.example, self.said = line.split(">>>", 1)[1].strip(), []
            elif self.said[:1] and self.said[0].startswith("UNEXPECTED EXCEPTION: "):
                if line[:1].strip() and EXCEPTION_RE.match(line.strip()):
                    self.raised = line.strip()  # its traceback's last line: `KeyError: 'x'`
            elif not numbered and line.strip() and len(self.said) < DOCTEST_SAID:
                self.said.append(line.strip())
            return True
        if self.group is not None and self.group.feed(line):
            return True
        if "+ Exception Group" in line and GROUP_START_RE.match(line):
            self.group = ExceptionGroupLines()
            return True
        if line.startswith("E ") or line == "E":
            if not self.e_group_open:
                self.e_lines = []  # a later exception (chained) replaces the earlier one
                self.e_group_open = True
            self.e_lines.append(line[1:])
            return True
        self.e_group_open = False
        if line[:1].strip() and self.checks.feed(line):
            return True
        if not self.entry_func and line.startswith("    ") and (entry := ENTRY_DEF_RE.match(line)):
            self.entry_func = entry["func"]
        elif _separator(line) or line.startswith(_NATIVE_CHAIN):
            self.entry_func = ""  # the next entry, or the next part of a chained exception
            if line.startswith(_NATIVE_CHAIN):
                self.chain_at, self.native_chain_at = len(self.frames), len(self.native_frames)
        after_frame, self.after_frame = self.after_frame, ""
        if line.startswith(">"):
            self.source.append(line[1:].strip())
            self.entry_decorated = self.entry_decorated or line[1:].lstrip().startswith("@")
            return True
        if after_frame and line.startswith("    ") and _framed_source(after_frame, self, line):
            self.frame_source.append(line.strip())
        if after_frame and line.startswith("    ") and line.lstrip().startswith("@"):
            # the source line under --tb=short's frame, or a native frame's
            if after_frame == "frame":
                self.decorated.add(len(self.frames) - 1)
            else:
                self.native_decorated.add(len(self.native_frames) - 1)
        # a frame line is unindented: the indented lines (the test's source) are not searched
        frame = FRAME_RE.match(line) if line[:1].strip() else None
        if frame and not line.startswith(" "):
            rest = frame.group("rest") or ""
            where, entry_func, self.entry_func = line.strip(), self.entry_func, ""
            if not rest and entry_func:  # named as the short style names it
                where = f"{where} in {entry_func}"
            if self.entry_decorated:
                self.decorated.add(len(self.frames))
            self.entry_decorated, self.after_frame = False, "frame"
            self.frames.append(clip(where, 1_000))
            if rest and not rest.startswith("in ") and EXCEPTION_RE.match(rest):
                self.kind_from_frame = rest
                self.raised_at = True
            return True
        if line.startswith('  File "'):
            self.native_frame, self.native_raised, self.native_more = True, "", []
            native = NATIVE_FRAME_RE.match(line)
            if native and len(self.native_frames) < MAX_NATIVE_FRAMES:
                self.native_frames.append(f"{native['file']}:{native['line']}: in {native['func']}")
                self.native_funcs.append(native["func"])
                self.after_frame = "native"
            return True
        if self.native_open:  # its message printed on several lines, read as `E` lines are
            full = len(self.native_more) >= NATIVE_MORE
            ended = not line or line.startswith(_NATIVE_CHAIN) or full
            self.native_open = not ended
            if not ended:
                self.native_more.append(line.rstrip())
        if line and not line[0].isspace() and not _separator(line):
            self.last_plain = line.strip()
            if line.startswith(_NATIVE_CHAIN):
                self.plain = []  # (a chain's: its last part's lines are the message)
            elif not self.frames and not self.native_frame and len(self.plain) < MAX_PLAIN:
                self.plain.append(self.last_plain)
            raised = EXCEPTION_RE.match(line) if self.native_frame else None
            if raised and not self.native_raised:
                self.native_raised, self.native_open = self.last_plain, True
                if self.native_frames and ": in " in self.native_frames[-1]:
                    where = self.native_frames[-1].split(": in ", 1)[0]
                    self.native_frames[-1] = f"{where}: {raised['type']}"
        return True

    def _inner_session(self, number: int, line: str) -> bool:
        """Whether `line`, in captured output, belongs to a pytest session the test printed
        (pytester's inner runs): its opening line, what follows, and its closing line."""
        if self.nested:
            self.nested += inner_end(line)
            return True
        if line.startswith("=") and session_edge(line) > 0:
            self.nested = 1
            self.held = [(number, line)]
            return True
        section = SECTION_RE.match(line) if line.startswith("=") else None
        if section and inner_section(section["title"], self.section):
            self.nested = 1  # a `-q` session: it ends at its closing line
            return True
        # a `____ name ____` line narrower than the run's: the test's text, no block's header
        return line.startswith("_") and self.parser.narrow(line)

    def _hold(self, number: int, line: str) -> bool:
        """The first lines of a session that began in captured output, held until its
        `rootdir:` says whose it is: pytester's runs in a folder of their own; a session in
        the run's own folder is the next run (this one was cut short in this test's output),
        and ends the block."""
        held = self.held
        assert held is not None
        held.append((number, line))
        if line.startswith("rootdir: ") and self.parser.rootdir:
            if line[len("rootdir: ") :].split(",", 1)[0].strip() == self.parser.rootdir:
                self.held, self.nested, self.given_back = None, 0, held[:-1]
                return False
        elif len(held) < SESSION_HEAD and not line.startswith("rootdir: "):
            return True
        self.held = None  # the test's: captured as it came
        return self._replay(held, current=True)

    def _replay(self, held: list[tuple[int, str]], *, current: bool) -> bool:
        """Take the held lines as the test's session until it closes, then as any line; False
        when one ends the block: the lines from it on are given back (but for the `current`
        line, the last held, which the scan gives again itself)."""
        for i, (n, text) in enumerate(held):
            if i == 0 or self.nested:
                if i:
                    self.nested += inner_end(text)
                self._take(n, text)
            elif not self.feed(n, text):
                self.given_back = held[i:-1] if current else held[i:]
                return False
        return True

    def close(self) -> list[tuple[int, str]]:
        if self.held is not None:  # the input ended in a session's first lines
            held, self.held = self.held, None
            self._replay(held, current=False)
        self.parser.block_done(self.failure())
        self.parser.in_capture = bool(self.capturing) and not self.inline
        return self.given_back

    def _example_said(self) -> str:
        """What doctest said of the failed example: `>>> f({}): KeyError: 'x'` (an exception
        it raised instead), `>>> f(5): Expected: 5000 Got: 500`."""
        return f">>> {self.example}: {self.raised or ' '.join(self.said)}"

    def failure(self) -> Failure:
        message_lines = dedent(self.e_lines)
        message = joined(message_lines)
        exception = ""
        group = self.group.said() if self.group is not None else ("", [])
        plain = self.native_raised or self.last_plain or group[0]
        if not (message_lines or self.frames or self.native_frame or group[0]) and self.plain:
            plain = joined(self.plain)  # no traceback: its lines are the message
        raised = self.raised_first or self.raised
        first = message_lines[0].strip() if message_lines else (raised or plain)
        typed = EXCEPTION_RE.match(first) if first else None
        if typed and (typed.group("message") is not None or first == typed.group("type")):
            exception = typed.group("type")
        if self.raised or self.said:  # each failed example's, in order
            message = clip(joined([*self.examples_said, self._example_said()]), MAX_FIELD)
        if not message and self.native_raised and plain == self.native_raised:
            message = joined([plain, *self.native_more])
        checks = not message_lines and self.checks.failed()
        if checks:  # pytest-check's: no exception of the test's, each failed check's message
            message = clip(self.checks.message(), MAX_FIELD)
        if not message and plain:
            message = plain
        # a doctest's frame says UnexpectedException: the exception it names is the kind
        kind = short_type(exception if raised else self.kind_from_frame or exception)
        if not kind:
            if first.startswith("assert ") or first == "assert":
                kind = "AssertionError"
            elif first.startswith("fixture '") and first.endswith("' not found"):
                kind = "FixtureLookupError"
        name = self.name
        crashed = XDIST_CRASH_RE.match(message) if message.startswith("worker '") else None
        if crashed:  # pytest-xdist heads the block with the file: the test is in the message
            name = ".".join(nodeid_parts(crashed["nodeid"])[1:]) or name
            kind = kind or "WorkerCrash"
        details: dict[str, str] = {"outcome": self.outcome}
        if exception and exception != kind:
            details["exception"] = exception
        if self.phase:
            details["phase"] = self.phase
        if self.source or self.frame_source:
            details["source"] = joined(self.source or self.frame_source)
        if group[1]:  # what the group holds: the exceptions the test's callers raised
            details["sub-exceptions"] = "\n".join(group[1])
        for what, lines in self.captured.items():
            details[what.lower()] = clip("\n".join(lines).strip("\n"), MAX_FIELD)
        if self.text:
            details["text"] = clip("\n".join(self.text).strip("\n"), MAX_FIELD)
        location = ""
        if self.phase == "collection":
            location = self.name  # the module that could not be collected, not importlib's frame
        elif self.frames:
            # a chained exception's: the last one's first frame, the test's line (not its cause's)
            at = self.chain_at if self.chain_at < len(self.frames) else 0
            frame = FRAME_RE.match(_own_frame(self.frames, at, self.decorated))
            if frame:
                location = f"{frame.group('file')}:{frame.group('line')}"
        elif self.native_frames:
            location = self._native_location()
        elif checks:
            location = self.checks.location()
            details["checks"] = self.checks.counted
        return Failure(
            source="pytest",
            name=name,
            group=self._group(location, name),
            location=location or self._feature_line(kind, message),
            kind=kind,
            message=message,
            details=details,
            # (a native traceback's last frames, where it was raised, when it has more)
            stacktrace=tuple(
                self.frames[:200] or self.native_frames[-200:] or self.checks.frames[:200]
            ),
            input_file=self.parser.name,
            line_start=self.start,
            line_end=self.end,
        )

    def _native_location(self) -> str:
        """Under --tb=native: the test function's own frame in the last exception of a chain
        (`tests/t.py:12`, relative to the run's rootdir), or "" when no frame is the test's."""
        func = _PARAMS_RE.split(self.name, 1)[0].rsplit(".", 1)[-1]
        start = self.native_chain_at if self.native_chain_at < len(self.native_frames) else 0
        frames = self.native_frames[start:]
        for index, (frame, called) in enumerate(
            zip(frames, self.native_funcs[start:], strict=True)
        ):
            later = any(f == func for f in self.native_funcs[start + index + 1 :])
            if called == func and not (start + index in self.native_decorated and later):
                where = frame.rsplit(": ", 1)[0]
                root = self.parser.rootdir.rstrip("/") + "/" if self.parser.rootdir else ""
                return where.removeprefix(root) if root else where
        return ""

    def _feature_line(self, kind: str, message: str) -> str:
        """Where a pytest-bdd step with no definition is (`features/pool.feature:14`, relative
        to the run's rootdir as pytest's paths are); "" for any other failure."""
        found = _FEATURE_LINE_RE.search(message) if kind == "StepDefinitionNotFoundError" else None
        if found is None:
            return ""
        root = self.parser.rootdir.rstrip("/") + "/" if self.parser.rootdir else ""
        file = found["file"].removeprefix(root) if root else found["file"]
        return f"{file}:{found['line']}"

    def _group(self, location: str, name: str) -> str:
        if self.phase == "collection":
            return ""  # the name is the module's path: no class, no test
        path = location.rsplit(":", 1)[0] if location else ""
        # `Class.test[params]`, `Class.test (x=0.5)` (a subtest's): the dots of the parameters
        # are no class's
        test = _PARAMS_RE.split(name, 1)[0]
        if "." in test:
            cls = test.rsplit(".", 1)[0].replace(".", "::")
            return f"{path}::{cls}" if path else cls
        return path


class ExceptionGroupLines:
    """The lines of an exception group: its own exception line, and each sub-exception's, the
    one raised after its last `File` line (a chained cause above it, or Hypothesis'
    `Explanation:` below, is not it), or its only one when it was never raised."""

    def __init__(self) -> None:
        self.group_line = ""
        self.subs: list[str] = []
        self.depth = 0  # sections begun (`+---- N ----`): 0 while in the group's own lines
        self.first = ""
        self.raised = ""
        self.frame = False

    def feed(self, line: str) -> bool:
        """Take `line` if it is one of the group's (False: the group ended before it)."""
        body = line.lstrip(" ")
        if body.startswith("+"):  # a sub-exception begins, or the last one ends
            self._flush()
            self.depth += 1
            return True
        if not body.startswith("|"):
            self._flush()
            return False
        text = body[2:] if body.startswith("| ") else body[1:]
        if text.startswith('  File "'):
            self.frame, self.raised = True, ""
        elif text[:1].strip() and EXCEPTION_RE.match(text.rstrip()):
            self.first = self.first or text.rstrip()
            if self.frame and not self.raised:
                self.raised = text.rstrip()
        return True

    def _flush(self) -> None:
        said = self.raised or self.first
        if said and not self.depth:
            self.group_line = self.group_line or said
        elif said and said not in self.subs and len(self.subs) < MAX_SUB_EXCEPTIONS:
            self.subs.append(said)
        self.first, self.raised, self.frame = "", "", False

    def said(self) -> tuple[str, list[str]]:
        """The group's exception line and its sub-exceptions' (distinct, in order)."""
        self._flush()
        return self.group_line, self.subs


# pytest-bdd's step with no definition (no traceback shown): the feature file's line it names
# (`Line 14 in scenario "A worker answers ping" in the feature "/tmp/s/features/pool.feature"`)
_FEATURE_LINE_RE = re.compile(
    r'\. Line (?P<line>\d+) in scenario ".*" in the feature "(?P<file>[^"]+)"'
)


def _own_frame(frames: list[str], at: int, decorated: set[int]) -> str:
    """The frame a failure is placed at: the first from `at` on, but past an installed package's
    (pytest-bdd runs each step through pytest's own fixtures.py, whose frame comes first; the
    step's, in the test's file, after it), when one is not; and past a decorator's line when a
    frame of the same file follows it (Hypothesis' `@given(…)`: the test's body is next)."""
    for index, frame in enumerate(frames[at:], at):
        if _INSTALLED_RE.search(frame):
            continue
        file = frame.split(":", 1)[0]
        if index in decorated and any(f.split(":", 1)[0] == file for f in frames[index + 1 :]):
            continue
        return frame
    return frames[at]


def dedent(lines: list[str]) -> list[str]:
    """`E` lines without the indentation pytest aligns them with."""
    widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(widths) if widths else 0
    return [line[cut:].rstrip() for line in lines]


def _framed_source(after: str, block: PytestBlock, line: str) -> bool:
    """`line` (indented, right after a frame) is that frame's source: any under --tb=short,
    which shows the test's code alone; under --tb=native, not pytest's or pluggy's own."""
    if len(block.frame_source) >= 20 or not line.strip() or set(line.strip()) <= set("^~"):
        return False
    if after == "native":
        return not any(part in block.native_frames[-1] for part in ("/_pytest/", "/pluggy/"))
    return True
