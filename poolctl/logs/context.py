"""Attaching to each failure the lines elsewhere in its log that name the same identifiers.

Run once the whole input is read, since a pool or pid may be named long after the failure: the
lines the identifier index holds (an input's first megabyte), and past it the lines around the
failure (`ParsedLog.near`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from poolctl.logs.identifiers import identifiers_in, names, needle
from poolctl.logs.records import ParsedLog
from poolctl.logs.scan import clip
from poolctl.model import BLOCK_SOURCES, ContextLine, Failure

MAX_NAMING_LINES = 24  # context lines per failure found through identifiers
# a pytest short-summary line (`FAILED path::test - message`), maybe after a CI's line prefix
_SUMMARY_NODEID = re.compile(r"(?:^|\s)(?:FAILED|ERROR) (\S+::\S+)(?: - |\s*$)")
MAX_IDENTIFIERS = 24  # identifiers of one failure looked up


def failure_identifiers(failure: Failure) -> list[str]:
    """The identifier keys a failure names in its own text (message, details, glued lines)."""
    parts = [failure.message, *failure.details.values()]
    parts.extend(c.text for c in failure.context if c.why != "before the header")
    return list(identifiers_in("\n".join(parts)))[:MAX_IDENTIFIERS]


def _pytest_blocks(parsed: ParsedLog) -> dict[str, tuple[list[int], list[int]]]:
    """The starts and ends of each input's failure blocks printed whole (pytest's, TAP's,
    Vitest's, node's), in order."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for f in parsed.failures:
        if f.source in BLOCK_SOURCES:
            spans.setdefault(f.input_file, []).append((f.line_start, max(f.line_end, f.line_start)))
    return {k: ([s for s, _ in sorted(v)], [e for _, e in sorted(v)]) for k, v in spans.items()}


def _in_block(blocks: tuple[list[int], list[int]] | None, line: int) -> bool:
    """Whether `line` is inside one of `blocks`."""
    if blocks is None:
        return False
    starts, ends = blocks
    i = bisect.bisect_right(starts, line) - 1
    return i >= 0 and line <= ends[i]


def _another_test(text: str, failure: Failure) -> bool:
    """Whether `text` is pytest's short-summary line of a test other than `failure`: it names
    the same pool, but says how that test failed."""
    m = _SUMMARY_NODEID.search(text)
    if m is None:
        return False
    nodeid, own = m.group(1), failure.details.get("nodeid")
    return nodeid != own if own else not nodeid.endswith(f"::{failure.name}")


def _own_summary_line(failure: Failure) -> int:
    """The line of a pytest failure's own short-summary line (`FAILED path::test - message`),
    0 when it has none."""
    line = failure.details.get("summary_line", "") if failure.source == "pytest" else ""
    return int(line) if line.isdigit() else 0


def attach_context(parsed: ParsedLog) -> None:
    """Add `names <identifier>` context lines to every failure in `parsed`, in place."""
    # pytest prints each test's block whole, its captured output in it: a line inside another
    # test's block is that test's, even when it names the same pool. (ExUnit's async modules
    # interleave Logger lines with blocks, so there a line in another block may be this one's.)
    pytest_blocks = _pytest_blocks(parsed)
    for position, failure in enumerate(parsed.failures):
        seen = {c.line for c in failure.context}
        others = pytest_blocks.get(failure.input_file) if failure.source in BLOCK_SOURCES else None
        # its own short-summary line restates it (whole under -vv or a wide terminal, cut on
        # a narrow one): no line of its context, or its diagnosis would hang on the width
        own_summary = _own_summary_line(failure)
        found: list[ContextLine] = []
        near = parsed.near(failure)
        for key in failure_identifiers(failure):
            lines = [
                (ln.line, ln.text)
                for ln in parsed.identifiers.naming(key)
                if ln.file == failure.input_file
            ]
            if near:
                wanted = needle(key)
                lines += [
                    (n, clip(text)) for n, text in near if wanted in text and names(text, key)
                ]
            for line, text in lines:
                if line in seen or line == own_summary:
                    continue
                if failure.line_start <= line <= failure.line_end:
                    continue
                if _in_block(others, line) or (others is not None and _another_test(text, failure)):
                    continue
                seen.add(line)
                found.append(ContextLine(line, text, f"names {key}"))
        if not found:
            continue
        found.sort(key=lambda c: c.line)
        if len(found) > MAX_NAMING_LINES:
            # Keep the lines closest to the failure.
            found.sort(key=lambda c: abs(c.line - failure.line_start))
            found = sorted(found[:MAX_NAMING_LINES], key=lambda c: c.line)
        parsed.failures[position] = replace(failure, context=failure.context + tuple(found))
