"""The text of each `Failure` field a signal or fact can read, and where each line came from.

`any` is what the failure itself says (kind, message, the parsed details), not the test's name,
its source code, its stack trace or captured output: those mislead (a test named "graceful
shutdown", a library's `raise PoolShutdownError(...)` line in a traceback). A doctest's message
begins with its example (`>>> checkout_timeout(5): Expected: 5000 Got: 500`): that is its source
code, most often a call of the function the doctest is named after, so `any` reads what doctest
said of it alone (what it expected and got, or the exception it raised). Captured output is
read as `context`, with the related log lines; `block` is the failure as printed.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from poolctl.model import Failure
from poolctl.patterns.regex import KbRegex
from poolctl.triage.locate import BlockLines

MAX_FIELD = 64 * 1024  # a user regex never runs over more than this per field

# details that are code, raw text, captured output or bookkeeping: not in `any`
NOT_IN_ANY = frozenset(
    {
        *("source", "code", "text", "system-out", "system-err", "time", "file", "line"),
        *("nodeid", "summary_line", "outcome", "counter", "phase", "app", "runner"),
    }
)


# what doctest said after the example, in a doctest's message (`poolctl.logs.pytest_block`)
_DOCTEST_EXPECTED = ": Expected: "
_EXCEPTION_AFTER = re.compile(r"(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?::|$)")
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def doctest_said(message: str) -> str:
    """What doctest said of each failed example, from a doctest's message, a line `>>> EXAMPLE:
    SAID` for each (SAID: `Expected: … Got: …`, or the exception the example raised);
    `message` itself when it is no doctest's."""
    if not message.startswith(">>> "):
        return message
    return "\n".join(_said(line) for line in message.split("\n"))


def _said(message: str) -> str:
    """SAID of one example's `>>> EXAMPLE: SAID` (the example's own `: `, `f({'a': 1})`, is
    inside its brackets)."""
    if not message.startswith(">>> "):
        return message
    at = message.find(_DOCTEST_EXPECTED)
    if at >= 0:
        return message[at + 2 :]
    depth: list[str] = []
    for position, char in enumerate(message):
        if char in "([{":
            depth.append(char)
        elif char in _CLOSERS and depth and depth[-1] == _CLOSERS[char]:
            depth.pop()
        elif (
            char == ":"
            and not depth
            and message.startswith(": ", position)
            and _EXCEPTION_AFTER.match(message, position + 2)
        ):
            return message[position + 2 :]
    return message


class Text:
    """One searchable text: a field's value, or one context line with its input line number."""

    __slots__ = ("field", "line", "value")

    def __init__(self, field: str, value: str, line: int | None = None) -> None:
        self.field = field
        self.value = value
        self.line = line  # known for context lines; found by `BlockLines.locate` for the others


def _captured(key: str) -> bool:
    # ExUnit's `The following output was logged:` (capture_log) is the test's captured Logger
    # output, as pytest's `Captured log call`
    return key.startswith("captured") or key in ("system-out", "system-err", "logged")


def says(key: str) -> bool:
    """Whether detail `key` is part of what the failure itself says (the `any` field)."""
    return key not in NOT_IN_ANY and not _captured(key)


class FailureView:
    """Lazily built field texts of one failure, shared by every pattern scored on it."""

    def __init__(self, failure: Failure, blocks: BlockLines | None = None) -> None:
        self.failure = failure
        self.blocks = blocks or BlockLines()
        self._joined: dict[str, list[Any]] = {}  # by field: its texts joined, casefolded
        self.related: dict[str, list[Text]] = {}  # by pool: the lines facts read about it
        self.answers: dict[str, dict[Any, Any]] = {}  # by field: what each regex did (`HitMemo`)
        # by pattern (its id()): its facts and their evidence, extracted once for this failure
        self.facts: dict[int, tuple[dict[str, Any], list[Any]]] = {}

    def may_match(self, regex: Any, field: str) -> bool:
        """False when `regex` cannot match any text of `field`: none of the literals each of its
        matches holds is in them (`KbRegex.may_match`; any other regex object may match)."""
        if not isinstance(regex, KbRegex) or not regex.literals:
            return True
        joined = self._joined.get(field)
        if joined is None:
            if field == "block":
                values = self.block_values()
            else:
                texts = self.everything() if field == "everything" else self.texts(field)
                values = [t.value for t in texts]
            joined = self._joined[field] = ["\n".join(values), None]
        if not regex.folded:
            return regex.may_match(joined[0])
        if joined[1] is None:
            joined[1] = joined[0].casefold()
        return regex.may_match(joined[0], joined[1])

    @cached_property
    def _details(self) -> list[Text]:
        return [Text(f"details.{k}", v[:MAX_FIELD]) for k, v in self.failure.details.items() if v]

    @cached_property
    def _own(self) -> list[Text]:
        f = self.failure
        message = doctest_said(f.message)
        out = [Text("kind", f.kind), Text("message", message[:MAX_FIELD])]
        if f.kind and message and f.kind != message:
            # "EXIT from: shutdown": the kind and the message's first line, read together
            out.append(Text("headline", f"{f.kind}: {message.partition(chr(10))[0]}"[:4096]))
        for t in self._details:
            if says(t.field.removeprefix("details.")):
                out.append(t)
        return [t for t in out if t.value]

    @cached_property
    def _context(self) -> list[Text]:
        out = [Text("context", c.text[:MAX_FIELD], c.line) for c in self.failure.context]
        for k, v in self.failure.details.items():
            if _captured(k):
                out += [Text("context", ln[:4096]) for ln in v.splitlines() if ln.strip()]
        return out

    @cached_property
    def _block_lines(self) -> list[tuple[int | None, str]]:
        """The texts of `block` and their line numbers, when known."""
        text = self.failure.details.get("text")
        if text:
            return [(None, text[:MAX_FIELD])]
        # a JUnit failure with no text (`<failure message="Failed" />`): its lines are XML,
        # other test cases' names and texts on them (pytest writes its XML on one line)
        raw = self.blocks.lines(self.failure) if self.failure.source != "junit" else []
        if raw:
            return raw  # type: ignore[return-value]
        # not readable again (standard input), or XML: the parsed fields, as the runner
        # printed them
        f = self.failure
        parts = [f.message, *(f"{k}: {v}" for k, v in f.details.items()), *f.stacktrace]
        return [(None, "\n".join(p for p in parts if p)[:MAX_FIELD])]

    @cached_property
    def _block(self) -> list[Text]:
        return [Text("block", ln, n) for n, ln in self._block_lines]

    def block_values(self) -> list[str]:
        """The values of `texts("block")`, without a `Text` built for each line (their rules'
        hits are remembered line by line: `poolctl.triage.block_hits`)."""
        return [ln for _, ln in self._block_lines]

    def texts(self, field: str) -> list[Text]:
        """The texts a signal on `field` searches, in a stable order."""
        match field:
            case "any":
                return self._own
            case "context":
                return self._context
            case "block":
                return self._block
            case "details":
                return self._details
            case "stacktrace":
                st = "\n".join(self.failure.stacktrace)[:MAX_FIELD]
                return [Text("stacktrace", st)] if st else []
        if field.startswith("details."):
            return [t for t in self._details if t.field == field]
        value = str(getattr(self.failure, field, "") or "")
        return [Text(field, value[:MAX_FIELD])] if value else []

    def everything(self) -> list[Text]:
        """The failure's own fields and its context lines (what a cause's evidence may cite)."""
        return self._own + self._context

    def origin(self, text: Text, quote: str) -> str:
        """`file:line` of a quoted line, or the failure's block range when it cannot be found."""
        line = text.line
        if line is None and text.field == "message":
            line = self.blocks.said_at(self.failure, quote)
        if line is None:
            line = self.blocks.locate(self.failure, quote)
        if line is not None and self.failure.input_file:
            return f"{self.failure.input_file}:{line}"
        return self.failure.origin or "(no position)"

    def cite(self, text: Text, quote: str, match: str = "") -> tuple[str, str]:
        """The quote to show and its origin. A quote no line of the log holds whole (a headline
        `kind: message`, a message the parser joined from several lines, a frame it rewrote,
        a word of its own) is shown as the log's line that printed it, when that line can be
        found; `match` is the text a rule matched in it."""
        file = self.failure.input_file
        if text.line is None and file:
            headline = text.field == "headline" and self.blocks.locate(self.failure, quote) is None
            if headline:
                said = self.failure.message.partition("\n")[0]
                line = self.blocks.said_at(self.failure) or self.blocks.locate(self.failure, said)
                held = dict(self.blocks.lines(self.failure)).get(line) if line else None
                if held is not None and held.strip():
                    return held.strip(), f"{file}:{line}"
            printed = self.blocks.printed(self.failure, quote, match)
            if printed is not None:
                return printed[1], f"{file}:{printed[0]}"
        return quote, self.origin(text, quote)


def line_at(text: str, pos: int) -> str:
    """The whole line of `text` that holds position `pos`, stripped."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end != -1 else len(text)].strip()
