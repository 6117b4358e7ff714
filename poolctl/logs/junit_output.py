"""A worker's Python traceback in a JUnit report's captured output (`<system-out>`,
`<system-err>`), and the lines of it that tell that a test's worker died.

A test whose worker crashed fails on the missing answer; what killed the worker is on the
worker's stderr, which the report holds in the test's own output (vitest, JUnit 5) or in its
suite's, once for all its tests (Ant). The test's own output is its; a suite's output is a
test's only when the traceback's lines are tagged with the pid the test's failure names
(`[worker 4242] Traceback …` and `worker pid 4242 sent no response`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from poolctl.logs.junit_stack import without_prefix
from poolctl.logs.prefixes import strip_prefixes
from poolctl.logs.records import ParsedLog, WorkerTraceback
from poolctl.logs.scan import clip
from poolctl.model import ContextLine

PYTHON_TRACEBACK = "Traceback (most recent call last):"
MAX_BLOCK_LINES = 120
_TAG_PID_RE = re.compile(r"\b(\d{2,9})\b")


@dataclass(frozen=True)
class CapturedTraceback:
    """The first traceback in one captured text: as the report keeps it, and its first and
    exception lines as printed (tag included), with their lines in the file."""

    block: str  # without the tag
    exception: str
    tag: str  # what the pool wrote before each of its lines (`[worker 4242] `), or ""
    lines: tuple[tuple[int, str], ...]  # (line in the file, line as printed)

    def pid(self) -> str:
        """The pid the tag names (`[worker 4242] `), or ""."""
        found = _TAG_PID_RE.search(self.tag)
        return found.group(1) if found else ""

    def context(self, why: str) -> tuple[ContextLine, ...]:
        return tuple(ContextLine(n, clip(text), why) for n, text in self.lines)


def find_traceback(text: str, first_line: int) -> CapturedTraceback | None:
    """The first Python traceback in `text`, a captured output whose first character is on
    line `first_line` of the file (0: not known, then no lines are given)."""
    at = text.find(PYTHON_TRACEBACK)
    if at < 0:
        return None
    start = text.rfind("\n", 0, at) + 1
    # what the pool wrote before the line, not a CI service's time stamp (whose digits are no pid)
    tag = strip_prefixes(text[start:at])
    lines = without_prefix(text, at)
    block = [lines[0]]
    exception = ""
    last = 0  # index in `lines` of the exception line
    for i, line in enumerate(lines[1:], 1):
        if line.startswith((" ", "\t")):
            block.append(line)
            continue
        if line.strip():
            block.append(line)
            exception = line.strip()
            last = i
        break
    shown: tuple[tuple[int, str], ...] = ()
    if first_line > 0:
        head = first_line + text.count("\n", 0, at)
        shown = ((head, (tag + lines[0]).strip()),)
        if exception:
            shown += ((head + last, (tag + lines[last]).strip()),)
    return CapturedTraceback(
        "\n".join(block[:MAX_BLOCK_LINES]), clip(exception), tag if tag.strip() else "", shown
    )


def record(out: ParsedLog, name: str, found: CapturedTraceback, start: int, end: int) -> None:
    """Keep `found` among the log's worker tracebacks (read from line `start` to `end`)."""
    out.tracebacks.append(WorkerTraceback(name, start, end, found.block, found.exception))


def own_crash_context(found: CapturedTraceback, stream: str) -> tuple[ContextLine, ...]:
    """The lines of a traceback in a test's own captured output that show its worker died."""
    return found.context(f"a worker's traceback in the test's <{stream}>")


def link_suite_traceback(out: ParsedLog, found: CapturedTraceback, first: int, stream: str) -> None:
    """Add the lines of a traceback in a suite's own output to the failures read in it (from
    index `first` of `out.failures`) whose text names the pid its lines are tagged with."""
    pid = found.pid()
    if not pid or not found.lines:
        return
    named = re.compile(rf"\bpid[:= ]\s*{pid}\b|\b(?:worker|process) {pid}\b")
    why = f"a traceback of worker {pid} in the suite's <{stream}>"
    for i in range(first, len(out.failures)):
        failure = out.failures[i]
        said = "\n".join((failure.message, failure.details.get("text", "")))
        if named.search(said) is None:
            continue
        known = {c.line for c in failure.context}
        added = tuple(c for c in found.context(why) if c.line not in known)
        if added:
            out.failures[i] = replace(failure, context=failure.context + added)


def crash_context_of(captured: dict[str, str], lines: dict[str, int]) -> tuple[ContextLine, ...]:
    """The crash lines of the first traceback in a test's own `<system-err>` or `<system-out>`
    (`captured` by stream, each starting on `lines[stream]`)."""
    for stream in ("system-err", "system-out"):
        found = find_traceback(captured.get(stream, ""), lines.get(stream, 0))
        if found is not None and found.lines:
            return own_crash_context(found, stream)
    return ()
