"""An ExUnit failure block: its header (`  N) test NAME (Module)`, and the forms a formatter or
an older ExUnit prints) and the lines indented under it, read into a `Failure`: the test's
`file:line`, the error (`** (Kind) message` or an assertion's message), `code:`, `left:`,
`right:`, a `FunctionClauseError`'s arguments, `stacktrace:`; several failures of one test
(`Failure #N` sub-blocks) are one failure. `poolctl/logs/exunit.py` finds the blocks in a run."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from poolctl.logs.exunit_assertions import assertion_kind
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, clip, joined
from poolctl.model import ContextLine, Failure

if TYPE_CHECKING:
    from poolctl.logs.exunit import ExUnitParser

MODULE = r"(?:[A-Z][\w]*(?:\.[A-Z][\w]*)*|:[a-z_][\w]*)"
TEST_TYPES = r"(?:test|doctest|property|scenario|feature|describe|story)"
HEADER_RE = re.compile(
    r"(?<!\d)(?P<counter>\d{1,7})\) (?:"
    r"(?P<name>" + TEST_TYPES + r" .*?|test_\w+) \((?P<module>" + MODULE + r")\)"
    r"|(?P<callback_module>" + MODULE + r"): failure on (?P<callback>\w+) callback.*?"
    r")[ \t]*$"
)
# Some formatters number failures as `Failure #N` on the header's line.
FAILURE_N_HEADER_RE = re.compile(
    r"^[ \t]*Failure #(?P<counter>\d+):?[ \t]+(?P<name>(?:test|doctest|property) .*?) "
    r"\((?P<module>" + MODULE + r")\)[ \t]*$"
)
# The start of a header (a terminal may have wrapped the rest onto the next lines).
HEADER_START_RE = re.compile(
    r"^[ \t]*(?P<counter>\d{1,7})\) (?:" + TEST_TYPES + r" |test_\w|" + MODULE + r": failure on )"
)
# A test of a type a library registered (`ExUnit.Case.register_test`: `1) contract …`), as
# ExUnit's formatter prints a header: two spaces first (no other numbered line is taken)
CUSTOM_HEADER_RE = re.compile(
    r"^  (?P<counter>\d{1,7})\) (?P<name>[a-z][a-z_]* .*?) \((?P<module>" + MODULE + r")\)[ \t]*$"
)
LOCATION_RE = re.compile(r"^\S+:\d+$")
# a parameterized test's parameters (Elixir 1.18), on the line after its header: one test of
# its module's tests per parameter map, under the same name
PARAMETERS = "Parameters: "
MAX_PARAMETERS = 300  # characters of them kept in the test's name
ERROR_RE = re.compile(r"^\*\* \((?P<kind>[^()]*(?:\([^()]*\)[^()]*)*?)\)(?: (?P<message>.*))?$")
KEY_RE = re.compile(
    r"^(?P<key>code|left|right|value|pattern|mailbox|arguments|expected|actual|reason|"
    r"message|doctest|stacktrace|stack trace|term|lhs|rhs):(?:\s+(?P<value>.*))?$"
)
STACK_ENTRY_RE = re.compile(r"^(?:\([\w ./-]+\) )?\S+:\d+: |^\S+\.(?:ex|exs|erl):\d+|^:\w+\.")


class _SubFailure:
    """One error of a block (ExUnit prints `Failure #N` when a test has several)."""

    def __init__(self) -> None:
        self.kind = ""
        self.message: list[str] = []
        self.details: dict[str, list[str]] = {}
        self.stacktrace: list[str] = []


class ExUnitBlock:
    """The lines of one failure block, parsed as they come."""

    def __init__(
        self,
        parser: ExUnitParser,
        number: int,
        match: re.Match[str],
        line: str,
    ) -> None:
        self.parser = parser
        self.start = number
        self.end = number
        self.counter = int(match.group("counter"))
        self.callback = match.groupdict().get("callback") or ""
        if self.callback:
            self.name = f"failure on {self.callback} callback"
            self.group = match.group("callback_module")
        else:
            self.name = match.group("name")
            self.group = match.group("module")
        self.location = ""
        self.parameters = ""
        self.context: list[ContextLine] = []
        glued = line[: match.start()].rstrip()
        if glued.strip(" \t") and not glued.lstrip().startswith("Failure #"):
            self.context.append(ContextLine(number, clip(glued.strip()), "same line as the header"))
        self.failures = [_SubFailure()]
        self.section = ""  # key whose value continues on the next lines
        self.section_col = 0
        self.pending: list[tuple[int, str]] = []  # unindented lines that may be interleaved
        self.count = 0

    # -- consumer ---------------------------------------------------------------------------
    def feed(self, number: int, line: str) -> bool:
        stripped = line.strip()
        if not stripped:
            if self.pending:
                self.pending.append((number, line))
            return True
        indent = len(line) - len(line.lstrip(" \t"))
        header = indent < 5 and ") " in line and HEADER_RE.search(line)  # (its one literal)
        if indent < 3 or header:
            if header or FAILURE_N_HEADER_RE.match(line):
                return self._end(number)
            if CUSTOM_HEADER_RE.match(line) or HEADER_START_RE.match(line):  # (or wrapped)
                return self._end(number)
            # An unindented line: the block ended, unless indented body lines follow it.
            if len([p for p in self.pending if p[1].strip()]) >= 4:
                return self._end(number)
            self.pending.append((number, line))
            return True
        if self.pending:
            if not self._continues(stripped) or self._in_a_report():
                return self._end(number)
            for pending_number, pending_line in self.pending:
                if pending_line.strip():
                    self.context.append(
                        ContextLine(pending_number, clip(pending_line.strip()), "inside the block")
                    )
            self.pending = []
        self.end = number
        self.count += 1
        if self.count <= MAX_BLOCK_LINES:
            self._body(line, stripped, indent)
        return True

    def _continues(self, stripped: str) -> bool:
        """Whether an indented line after unindented ones still belongs to this block."""
        if KEY_RE.match(stripped) or stripped.startswith(("** (", "Failure #", "The following")):
            return True
        return self.section == "stacktrace" and bool(STACK_ENTRY_RE.match(stripped))

    def _in_a_report(self) -> bool:
        """The last line held back is a crash report's reason at column 0 (`** (stop) …`, as a
        Logger error prints it after a failure block): the indented lines after it are that
        report's, not this block's."""
        last = next((line for _, line in reversed(self.pending) if line.strip()), "")
        return last.startswith("** (")

    def _end(self, number: int) -> bool:
        return False

    def close(self) -> list[tuple[int, str]]:
        self.parser.block_done(self)
        # Lines held back as maybe-interleaved were outside the block after all.
        pending, self.pending = self.pending, []
        return pending

    # -- the body ---------------------------------------------------------------------------
    def _body(self, line: str, stripped: str, indent: int) -> None:
        failure = self.failures[-1]
        fresh = not (self.location or failure.kind or failure.message or self.section)
        if fresh and LOCATION_RE.match(stripped):
            self.location = stripped
            return
        if fresh and not self.parameters and stripped.startswith(PARAMETERS):
            self.parameters = stripped[len(PARAMETERS) :]
            return
        if not self.location and stripped.startswith("at ") and LOCATION_RE.match(stripped[3:]):
            self.location = stripped[3:]  # before 1.0: `at test/x_test.exs:84`, after the error
            return
        if stripped.startswith("Failure #") and stripped[9:].strip(":").isdigit():
            if failure.kind or failure.message or failure.details:
                self.failures.append(_SubFailure())
            self.section = ""
            return
        error = ERROR_RE.match(stripped)
        if error and (not failure.kind or self.section == "message"):
            if not failure.kind:
                failure.kind = error.group("kind")
                failure.message.append(error.group("message") or "")
            else:
                failure.message.append(stripped)  # a nested `** (EXIT) reason`
            self._open("message", indent)
            return
        key = KEY_RE.match(stripped)
        if key and (key["key"] == "stacktrace" or (indent <= 7 and self.section != "stacktrace")):
            name = key.group("key")
            if name in ("stacktrace", "stack trace"):
                self._open("stacktrace", indent)
                return
            value = key.group("value") or ""
            failure.details.setdefault(name, []).append(value)
            self._open(name, indent + len(name) + 1 + (len(stripped) - len(name) - 1 - len(value)))
            return
        if stripped.startswith("The following arguments were given to "):
            failure.details["function"] = [stripped[38:].rstrip(":")]
            failure.details.setdefault("arguments", [])
            self._open("arguments", indent)
            return
        if stripped.startswith("Attempted function clauses"):
            failure.details.setdefault("clauses", [])
            self._open("clauses", indent)
            return
        if stripped.startswith("The following output was logged:"):
            failure.details.setdefault("logged", [])
            self._open("logged", indent)
            return
        section = self.section
        if section == "stacktrace":
            failure.stacktrace.append(stripped)
        elif section == "message" or (not section and not failure.kind):
            if not section:
                self._open("message", indent)
            failure.message.append(stripped if section != "message" else line[indent:])
        elif section in ("arguments", "clauses", "logged"):
            failure.details[section].append(line[min(indent, self.section_col + 4) :])
        elif section:
            col = self.section_col
            text = line[col:] if line[:col].isspace() else stripped
            failure.details[section].append(text)
        else:
            failure.details.setdefault("output", []).append(stripped)

    def _open(self, section: str, col: int) -> None:
        self.section = section
        self.section_col = col

    # -- the record -------------------------------------------------------------------------
    def failure(self) -> Failure:
        first = self.failures[0]
        details: dict[str, str] = {}
        for name, lines in first.details.items():
            details[name] = joined(lines)
        code = details.get("code", "")
        message = joined(first.message)
        kind = first.kind
        if kind.startswith("EXIT from "):
            details["exit_from"] = kind[len("EXIT from ") :]
            kind = "EXIT from"
        elif not kind:
            kind = assertion_kind(message, code)
        if self.callback:
            details["callback"] = self.callback
        if self.parser.app:
            details["app"] = self.parser.app
        if len(self.failures) > 1:
            details["failures"] = str(len(self.failures))
            for index, extra in enumerate(self.failures[1:], start=2):
                details[f"failure #{index}"] = clip(
                    f"** ({extra.kind}) {joined(extra.message)}"
                    if extra.kind
                    else joined(extra.message),
                    MAX_FIELD,
                )
        details["counter"] = str(self.counter)
        return Failure(
            source="exunit",
            name=parameterized(self.name, self.parameters),
            group=self.group,
            location=self.location,
            kind=kind,
            message=message,
            details=details,
            stacktrace=tuple(clip(s, 1_000) for s in first.stacktrace[:200]),
            context=tuple(self.context),
            input_file=self.parser.name,
            line_start=self.start,
            line_end=self.end,
        )


def parameterized(name: str, parameters: str) -> str:
    """A test's name with its parameters, as pytest names a parametrized test (`test a [%{pool:
    :x}]`): each parameter map's run is a test of its own, here and in the run history."""
    return f"{name} [{clip(parameters, MAX_PARAMETERS)}]" if parameters else name
