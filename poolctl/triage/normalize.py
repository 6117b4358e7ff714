"""A failure's text with what changes from run to run taken out: the key of identical failures.

Two levels, each a pure function of the failure's own fields (kind, message, and the details
the `any` field reads: never its name, location, code line, stack trace or captured output):

- `signature(failure)`: pids, ports, references, function ids, hex addresses, UUIDs, times and
  numbers stripped. Failures with the same signature say the same thing about the same names,
  keys and fields, so the knowledge base's regex signals on `any` treat them alike: it is the
  key under which identical failures are grouped, and the key for classifying each distinct
  failure once. (Signals on `context` and `block`, and facts, still read each failure.)
- `cluster_text(failure)`: the signature with quoted values, paths and URLs stripped too: the
  shape of a message, under which unclassified failures are clustered.

`short_hash` turns either into a short id that is the same in every run and on every machine.
"""

from __future__ import annotations

import functools
import hashlib
import re

from poolctl.model import Failure
from poolctl.triage.fields import says

MAX_TEXT = 4_000  # characters of a failure's own text that count (a huge map adds nothing)
MAX_LINES = 12  # lines of the message that count
# distinct texts whose stripped form is remembered: thousands of failures say the same thing
# (both functions are pure, so a remembered text gives the very string computing it would)
REMEMBERED = 1024

# Order matters: the larger shapes first, so that their digits are not stripped one by one.
# Each comes with what every one of its matches contains (literals, or a run of twelve hex
# digits): a text without it is not searched at all, for the same result (most failures have
# no pid, no UUID, no address and no hex).
_HEX_RUN = re.compile(r"[0-9a-f]{12}")
_VOLATILE: tuple[tuple[re.Pattern[str], str, tuple[str, ...] | re.Pattern[str]], ...] = (
    (re.compile(r"#(PID|Port|Reference|Function)<[^>\n]*>"), r"#\1<>", ("#", "<")),
    (
        re.compile(
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
        ),
        "<uuid>",
        ("-",),
    ),
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "<addr>", ("0x",)),
    (re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b"), "<hex>", _HEX_RUN),
    (
        re.compile(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?\b"),
        "<time>",
        ("-", ":"),
    ),
    (re.compile(r"\b\d\d:\d\d:\d\d(?:\.\d+)?\b"), "<time>", (":",)),
    (re.compile(r"\d+"), "#", ()),
)
_SHAPE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>)\]}]+"), "<url>"),
    (re.compile(r"(?<![\w'])'[^'\n]{0,300}'(?!\w)"), "'…'"),
    (re.compile(r'(?<![\w"])"[^"\n]{0,300}"(?!\w)'), '"…"'),
    (re.compile(r"(?:[A-Za-z]:)?(?:[\w.~-]*[/\\])+[\w.-]+"), "<path>"),
)
_SPACE = re.compile(r"[ \t]+")


def own_text(failure: Failure) -> str:
    """What the failure itself says: its kind, message and the details the `any` field reads."""
    message = "\n".join(failure.message.strip().split("\n")[:MAX_LINES])
    parts = [failure.kind, message]
    # `summary` repeats the message, cut where the terminal's width happened to fall
    parts += [f"{k}: {v}" for k, v in failure.details.items() if v and says(k) and k != "summary"]
    return "\n".join(p for p in parts if p)[:MAX_TEXT]


@functools.lru_cache(maxsize=REMEMBERED)
def strip_volatile(text: str) -> str:
    """`text` without pids, references, hex, UUIDs, times and numbers (each becomes a mark)."""
    for pattern, mark, needed in _VOLATILE:
        if isinstance(needed, tuple):
            if not all(literal in text for literal in needed):
                continue
        elif not needed.search(text):
            continue
        text = pattern.sub(mark, text)
    if "\t" in text or "  " in text:  # else only single spaces: nothing to squeeze
        text = _SPACE.sub(" ", text)
    return text.strip()


@functools.lru_cache(maxsize=REMEMBERED)
def strip_shape(text: str) -> str:
    """`text` without URLs, quoted values and paths (after `strip_volatile`)."""
    for pattern, mark in _SHAPE:
        text = pattern.sub(mark, text)
    return text


def signature(failure: Failure) -> str:
    """The failure's own text with what varies between runs stripped: identical failures'."""
    return strip_volatile(own_text(failure))


def cluster_text(failure: Failure, signed: str | None = None) -> str:
    """The shape of the failure's message: its signature (`signed`, when already computed)
    without quoted values and paths."""
    return strip_shape(signed if signed is not None else signature(failure))


def any_key(failure: Failure, signed: str | None = None) -> str:
    """The key under which a failure's rules on `any` run once: its signature (`signed`, when
    already computed), and the parts of the `any` text the signature leaves out (a message past
    its first lines, a long detail, pytest's summary line), volatile parts stripped too."""
    signed = signed if signed is not None else signature(failure)
    message = failure.message.strip()
    says_more = [
        f"{k}: {v}" for k, v in failure.details.items() if v and says(k) and k != "summary"
    ]
    full = len(failure.kind) + len(message) + sum(len(d) + 1 for d in says_more) + 2
    extra = []
    if full > MAX_TEXT or message.count("\n") >= MAX_LINES:
        extra.append(strip_volatile("\n".join([failure.kind, message, *says_more])))
    summary = failure.details.get("summary")
    if summary:
        extra.append(strip_volatile(summary))
    return "\n\x00".join([signed, *extra]) if extra else signed


def short_hash(text: str, size: int = 8) -> str:
    """A short, stable id of `text` (hex digits of its SHA-256)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:size]
