"""Which lines near an ExUnit failure are tied to it. ExUnit runs `async: true` tests at once
and prints a failure's block after its test ended, so a Logger line just before a block may be
another test's: a line is tied to a failure when it names the failure's pool or a process the
failure names (`#PID<0.170.0>`), or, under `mix test --trace` (one test at a time), was printed
between its test's start and end lines. A fact read from the nearest line is read only from
tied lines, or not stated, the evidence saying that no line giving it is tied
(`poolctl.triage.facts`); pattern 1's os_pid signal is that fact (`fact: os_pid`)."""

from __future__ import annotations

import functools
import re
from typing import Any

from poolctl.model import Evidence, Failure
from poolctl.patterns.loader import Fact
from poolctl.triage.fields import FailureView, Text, line_at
from poolctl.triage.pools import normalize

_TOKEN = re.compile(r"[:'\"]?[A-Za-z_][\w.]*")


@functools.lru_cache(maxsize=8192)
def names_in(text: str) -> frozenset[str]:
    """The names a line mentions, normalised (`normalize`, for the tokens `_TOKEN` finds);
    once per distinct line (the lines around failures repeat)."""
    return frozenset(t.strip("'\"").lstrip(":") for t in _TOKEN.findall(text))


# what names a process in an ExUnit failure's text and in a Logger line (`#PID<0.170.0>`)
_PID_TERM = re.compile(r"#PID<\d+\.\d+\.\d+>")


def tied_lines(
    fact: Fact, view: FailureView, texts: list[Text], facts: dict[str, Any]
) -> tuple[list[Text], Evidence | None]:
    """Of an ExUnit failure's context lines `texts` (nearest first), those a `nearest` fact may
    be read from: the tied ones; none when lines give it but none is tied, with the evidence
    saying why (one line or several, none known to be this one's); all when none gives it."""
    assert fact.regex is not None
    pool = normalize(str(facts.get("pool", "")))
    pids = set(_PID_TERM.findall(f"{view.failure.message}\n{view.failure.details.get('code', '')}"))
    matched = [(t, m) for t in texts for m in fact.regex.finditer(t.value)][:50]
    traced = _traced(view.failure)
    tied = [
        t
        for t, _ in matched
        if (pool and pool in names_in(t.value))
        or any(pid in t.value for pid in pids)
        or (t.line is not None and traced[0] < t.line < traced[1])
    ]
    if tied:
        return tied, None
    if not matched:
        return texts, None
    values = {m.group(fact.group): (t, m) for t, m in matched}
    text, m = matched[0]
    quote = line_at(text.value, m.start())
    said = ", ".join(
        f"{value} ({view.origin(t, line_at(t.value, n.start()))})"
        for value, (t, n) in values.items()
    )
    if len(values) > 1:
        note = (
            f"{fact.name} not stated: lines nearby give {said}, printed by tests that ran at the "
            "same time; none names this failure's pool or process, so none is tied to it"
        )
    else:  # one line, or lines that agree: still maybe another test's, printed just before
        note = (
            f"{fact.name} not stated: the nearby line that gives {said} names neither this "
            "failure's pool nor its process, and ExUnit prints a failure after its test ended, "
            "another test's lines maybe before it: not tied to it"
        )
    return [], Evidence(quote, view.origin(text, quote), note)


def _traced(failure: Failure) -> tuple[int, int]:
    """Under `mix test --trace` (one test at a time), the lines of the failure's test's start
    (`  * test NAME [L#5]`) and end (`  * test NAME (308.6ms) [L#5]`) among its context: the
    lines between them are its own. (0, 0) when they are not both there."""
    start = end = 0
    for line in failure.context:
        text = line.text.rsplit("\r", 1)[-1].strip()
        if not text.startswith(f"* {failure.name} "):
            continue
        rest = text[len(failure.name) + 3 :]
        if rest.startswith("[L#"):
            start = line.line
        elif rest.startswith("(") and start:
            end = line.line
    return (start, end) if start and end > start else (0, 0)
