"""JSON another program wrote, read so that nesting too deep to read is JSON poolctl cannot
read (a `json.JSONDecodeError`, a ValueError, as every other), not a RecursionError: the
standard library's reader recurses once a level and stops near the interpreter's recursion
limit (about 1,000 levels, fewer the deeper the caller's stack), orjson at `MAX_DEPTH`, saying
where."""

from __future__ import annotations

import json
from typing import Any

import orjson

MAX_DEPTH = 1024  # orjson's
TOO_DEEP = "depth limit exceeded"  # orjson's message for it
# Levels of a message kept as values: every writer and walker of a report recurses (orjson
# writes at most 255 levels, the redactor two frames a level), so what lies deeper is kept as
# a note; its bytes are in the worker's stdout transcript.
KEPT_DEPTH = 100
ORJSON_WRITES = 254  # the levels orjson writes (tests/test_hostile_nesting.py checks it)
CUT = f"(nested deeper than {KEPT_DEPTH} levels: not kept here)"


def loads(data: bytes | str) -> Any:
    """`json.loads(data)`, with what it cannot nest deep enough for read by orjson (up to
    `MAX_DEPTH` levels; past them a JSONDecodeError at the first level too deep)."""
    try:
        return json.loads(data)
    except RecursionError:
        return orjson.loads(data)


def too_deep(exc: json.JSONDecodeError) -> bool:
    """Whether `exc` refused JSON for its nesting alone."""
    return exc.msg == TOO_DEEP


def value_end(text: str) -> int:
    """Where the JSON value `text` starts with ends (what follows it is not read); a
    ValueError when it starts with none, or one nested too deep to read."""
    try:
        return json.JSONDecoder().raw_decode(text)[1]
    except RecursionError:
        raise json.JSONDecodeError(TOO_DEEP, text, 0) from None


def clipped(value: Any, data: bytes) -> Any:
    """`value`, read from `data`, with every array or object past `KEPT_DEPTH` levels replaced
    by `CUT`; `value` itself when it does not nest so deep, as most do not: told by orjson's
    writer, in C (a walk in Python of every value took 7 times as long as reading them)."""
    if len(data) <= 65536 and data.count(b"[") + data.count(b"{") <= KEPT_DEPTH:
        return value  # too few brackets to nest so deep (counted where counting is quicker)
    wrapped = value
    for _ in range(ORJSON_WRITES - KEPT_DEPTH):
        wrapped = [wrapped]
    try:  # orjson refuses to write it whole when it nests past KEPT_DEPTH levels
        orjson.dumps(wrapped)
    except orjson.JSONEncodeError:  # (or holds what orjson does not write: an integer past 64 bits)
        return _clip(value, 0)
    return value


def _clip(value: Any, depth: int) -> Any:
    if not isinstance(value, dict | list):
        return value
    if depth >= KEPT_DEPTH:
        return CUT
    if isinstance(value, dict):
        return {k: _clip(v, depth + 1) for k, v in value.items()}
    return [_clip(v, depth + 1) for v in value]
