"""pytest's short test summary and closing lines: the counts a closing line gives, the `FAILED
path::test - message` lines a run's failures are matched with, and the outcome kinds a summary
message names."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from poolctl.logs.passes import nodeid_parts
from poolctl.logs.scan import clip
from poolctl.model import ContextLine, Failure

SECTION_RE = re.compile(r"^=+ (?P<title>.*?) =+$")
COUNT_RE = re.compile(
    r"(\d+) (failed|passed|errors?|skipped|xfailed|xpassed|deselected|warnings?|rerun)"
)
# `1 failed, 11 passed, 1110 subtests passed in 1.07s`: pytest 9 counts passed subtests apart
# (a failed one is among `failed`)
CLOSING_RE = re.compile(
    r"^(?:=+ )?(?P<body>(?:\d+ (?:subtests? )?\w+(?:, )?)+(?: in [\d.]+s(?: \([^)]*\))?)?"
    r"|no tests ran.*?"
    # `pytest --co`: `14 tests collected, 1 error in 0.92s`, `9/14 tests collected (5
    # deselected) in 0.7s`, `no tests collected in 0.01s`
    r"|(?:no tests|\d+(?:/\d+)? tests?) collected(?: \(\d+ deselected\))?(?:, \d+ errors?)?"
    r" in [\d.]+s(?: \([^)]*\))?)(?: =+)?$"
)
# what pytest prints right before a `-q` run's closing line: its progress (letters, maybe glued
# to what a test printed under `-s`, or `[ NN%]`), its short summary, the warnings' `-- Docs:`
# ... and the counts no other program's summary says
PYTEST_WORDS = frozenset(("deselected", "xfailed", "xpassed", "rerun"))
AFTER_PYTEST_RE = re.compile(
    r"(?:[.FEX][.sxXFE]*|\[ *\d+%\]|\[ *\d+/\d+\])$"
    r"|^(?:-- Docs: |(?:FAILED|ERROR|XFAIL|XPASS|SKIPPED|PASSED) |=+ )"
)
# an exception's line: its class, capitalised (`poolkit.WorkerError: …`), or one of the
# standard library's modules' own lower-case errors, named with their module (`struct.error`,
# `re.error`, `socket.gaierror`, `socket.timeout`)
EXCEPTION_RE = re.compile(
    r"^(?P<type>(?:[A-Za-z_]\w*\.)*[A-Z]\w*"
    r"|(?:struct|re|socket|select|zlib|curses|termios|resource|dbm)"
    r"\.(?:error|herror|gaierror|timeout))"
    r"(?::(?: (?P<message>.*))?)?$"
)
_MODULE_ERROR = ("error", "herror", "gaierror", "timeout")


def short_type(name: str) -> str:
    """`poolkit.WorkerError` -> `WorkerError`; a module's lower-case error keeps its module,
    which alone tells it apart (`struct.error`, `socket.timeout`)."""
    module, _, last = name.rpartition(".")
    return f"{module}.{last}" if last in _MODULE_ERROR and module else last


def closing_counts(body: str) -> dict[str, int] | None:
    """The counts of a closing line's body (`3 failed, 5 passed in 1.2s`); None if it is not
    one."""
    match = CLOSING_RE.match(body)
    if not match or (" in " not in body and not body.startswith("no tests ran")):
        return None
    counts: dict[str, int] = {}
    for value, word in COUNT_RE.findall(match.group("body")):
        word = {"error": "errors", "warning": "warnings"}.get(word, word)
        counts[word] = counts.get(word, 0) + int(value)
    if not counts and not body.startswith("no tests ran") and " collected" not in body:
        return None
    return counts


def pytests_closing(text: str, lines_before: Callable[[], list[ContextLine]]) -> bool:
    """Whether `text`, a closing line outside any run, is pytest's: in words only pytest uses
    (`8 deselected in`, `30 tests collected in`), or in anyone's (`2 failed, 3 passed in
    0.01s`) right after pytest's own lines (the last of `lines_before`, read only then): a
    progress line, the short summary, the warnings' `-- Docs:`. After another program's lines
    it is that program's own summary (a shell script run after pytest in the same CI step)."""
    counts = closing_counts(text)
    if counts is None:
        return False
    if not counts or " collected" in text or PYTEST_WORDS & counts.keys():
        return True
    before = lines_before()
    return bool(before) and AFTER_PYTEST_RE.search(before[-1].text.rstrip()) is not None


def session_edge(line: str) -> int:
    """1 for a session's opening line, -1 for its closing line, 0 for any other line."""
    section = SECTION_RE.match(line)
    if section is None:
        return 0
    title = section.group("title")
    if title == "test session starts":
        return 1
    return -1 if closing_counts(title) is not None else 0


Summary = tuple[int, str, str, str]  # line, outcome (FAILED or ERROR), nodeid, message


class Summaries:
    """A run's summary lines, each taken at most once: by the test name it names (its nodeid,
    or the nodeid without its file), or the next FAILED one in order."""

    def __init__(self, entries: list[Summary]) -> None:
        self.entries = entries
        self.taken = [False] * len(entries)
        self.by_name: dict[str, list[int]] = {}
        for i, entry in enumerate(entries):
            nodeid = entry[2]
            for key in dict.fromkeys((".".join(nodeid_parts(nodeid)[1:]), nodeid)):
                self.by_name.setdefault(key, []).append(i)
        self._next_failed = 0

    def take(self, name: str, outcome: str = "") -> Summary | None:
        """The first line not taken naming `name`; of its `outcome` (`failed`, `error`) when
        there is one: a test that failed and then erred in its teardown has a line of each."""
        untaken = [i for i in self.by_name.get(name, ()) if not self.taken[i]]
        same = [i for i in untaken if self.entries[i][1] == outcome.upper()]
        for i in same or untaken:
            self.taken[i] = True
            return self.entries[i]
        return None

    def take_failed(self, message: str = "") -> Summary | None:
        """The next FAILED line in order when its message (pytest cuts it short with `...`, or
        drops it past a long node id) agrees with `message`; else the first FAILED line not
        taken whose message begins `message`; else the next one in order. (A cut message may
        begin another's: `jlpool.Pool...` of a PoolTimeout begins `jlpool.PoolClosed: …`.)"""
        first = next(
            (
                i
                for i in range(self._next_failed, len(self.entries))
                if not self.taken[i] and self.entries[i][1] == "FAILED"
            ),
            None,
        )
        if first is not None and message.startswith(
            self.entries[first][3].removesuffix("...").rstrip()
        ):
            self.taken[first], self._next_failed = True, first + 1
            return self.entries[first]
        for i in range(self._next_failed, len(self.entries)) if message else ():
            _, outcome, _, said = self.entries[i]
            said = said.removesuffix("...").rstrip()
            if not self.taken[i] and outcome == "FAILED" and said and message.startswith(said):
                self.taken[i] = True
                return self.entries[i]
        while self._next_failed < len(self.entries):
            i = self._next_failed
            self._next_failed += 1
            if not self.taken[i] and self.entries[i][1] == "FAILED":
                self.taken[i] = True
                return self.entries[i]
        return None

    def take_cut(self, failure: Failure, last: int) -> Summary | None:
        """The input's `last` line when it is a summary line not taken whose node id, cut short
        with the input (a log size limit cuts mid-line), begins `failure`'s (a block's): in its
        test's name, or in its file's."""
        for i, (number, _, nodeid, _) in enumerate(self.entries):
            if number != last or self.taken[i]:
                continue
            short = ".".join(nodeid_parts(nodeid)[1:])
            whole = failure.name if short else failure.group or failure.location
            if whole.startswith(short or nodeid) and whole != (short or nodeid):
                self.taken[i] = True
                return self.entries[i]
        return None

    def take_said(self, message: str) -> Summary | None:
        """The first FAILED line not taken whose message (cut with `...`) begins `message`;
        None when none says it (no line taken by its order alone), or when the first line that
        says it is an ERROR line (left to name its error alone, as ERROR)."""
        for i, (_, outcome, _, said) in enumerate(self.entries):
            said = said.removesuffix("...").rstrip()
            if not self.taken[i] and said and message.startswith(said):
                if outcome != "FAILED":
                    return None
                self.taken[i] = True
                return self.entries[i]
        return None

    def left(self) -> list[Summary]:
        return [e for e, taken in zip(self.entries, self.taken, strict=True) if not taken]


def with_summary(failure: Failure, number: int, outcome: str, nodeid: str, message: str) -> Failure:
    named = with_nodeid(failure, nodeid)
    details = dict(named.details)
    details["summary_line"] = str(number)
    if message:
        details["summary"] = message
    context = failure.context
    if not failure.message and message:
        context = (*context, ContextLine(number, clip(message), "short test summary"))
    return replace(
        named,
        kind=failure.kind or kind_of_summary(message),
        message=failure.message or message,
        details=details,
        context=context,
    )


def with_cut_summary(failure: Failure, number: int) -> Failure:
    """`failure` with its summary line `number`, cut short in its node id: the block's own
    name and group are kept, and no node id taken from the cut one."""
    return replace(failure, details={**failure.details, "summary_line": str(number)})


def with_nodeid(failure: Failure, nodeid: str) -> Failure:
    """`failure`, its test's file and group taken from its node id (`t.py::Class::test`)."""
    parts = nodeid_parts(nodeid)
    group = "::".join(parts[:-1]) if len(parts) > 1 else failure.group
    details = {**failure.details, "nodeid": nodeid}
    location = failure.location or parts[0]
    path, _, line = location.rpartition(":")
    if path.endswith("/" + parts[0]) and line.isdigit():  # --tb=native's absolute path
        location = f"{parts[0]}:{line}"
    return replace(failure, group=group, location=location, details=details)


def kind_of_summary(message: str) -> str:
    typed = EXCEPTION_RE.match(message.split(" ", 1)[0].rstrip(":") + ":") if message else None
    if typed and message.split(" ", 1)[0].endswith(":"):
        return short_type(typed.group("type"))
    if message.startswith("assert "):
        return "AssertionError"
    if EXCEPTION_RE.fullmatch(message) and " " not in message:
        return short_type(message)  # a bare exception (`httpx.PoolTimeout`)
    return ""


def summary_failure(source: str, number: int, outcome: str, nodeid: str, message: str) -> Failure:
    """A failure named by one line only (a summary line, a `-v` progress line) in `source`."""
    parts = nodeid_parts(nodeid)
    return Failure(
        source="pytest",
        name=".".join(parts[1:]) or nodeid,
        group="::".join(parts[:-1]) if len(parts) > 1 else "",
        location=parts[0],
        kind=kind_of_summary(message),
        message=message,
        details={"outcome": outcome.lower(), "nodeid": nodeid, "summary": message},
        input_file=source,
        line_start=number,
        line_end=number,
    )
