"""`cargo test`'s lines as a text parser meets them (`poolctl.logs.other_blocks` dispatches
them): each failed test's block, a panic printed inline, the `failures:` list, and the lines
that tell which target runs; the target a parser reads, and its end when the input stops."""

from __future__ import annotations

import json
import re
import weakref
from typing import TYPE_CHECKING

from poolctl.logs import cargo_block
from poolctl.logs.runner_block import NO_BLOCK

if TYPE_CHECKING:
    from poolctl.logs.go_runs import Keep
    from poolctl.logs.scan import Consumer, TextParser

# libtest's JSON event of a test (`--format json`), `{ "type": "test", "name": "…", … }`
_JSON_FAILED = '{ "type": "test", "name": "'
JSON_TRIGGER = r'^\{ "type": "test", "name": "[^"]*", "event": "failed"'
# ... and of its suite's end: the target's verdict, or a clean run
JSON_VERDICT_RE = re.compile(
    r'^\{ "type": "suite", "event": "failed", "passed": \d+, "failed": (?P<failed>\d+),'
)
JSON_VERDICT_TRIGGER = r'^\{ "type": "suite", "event": "failed", '
JSON_CLEAN_RE = re.compile(r'^\{ "type": "suite", "event": "ok", "passed": \d+, "failed": 0,')
# each parser's current `cargo test` target: its path, the tests read, the panics printed inline
_CARGO: weakref.WeakKeyDictionary[TextParser, cargo_block.CargoRun] = weakref.WeakKeyDictionary()


def cargo_line(parser: TextParser, number: int, line: str, keep: Keep) -> Consumer | None:
    """`cargo test`'s block (`---- NAME stdout ----`), a panic printed inline, its `failures:`
    list, or a line that tells which target runs (`NO_BLOCK`); None when `line` is none of them."""
    text = line.rstrip()
    run = _CARGO.setdefault(parser, cargo_block.CargoRun())
    if text.startswith("---- ") and cargo_block.BLOCK_RE.match(text):
        return cargo_block.CargoBlock(number, line, parser.name, run, keep)
    if text.startswith("thread '") and cargo_block.PANIC_RE.match(text):
        return cargo_block.InlinePanic(number, line, parser.name, run)
    if text.startswith(_JSON_FAILED) and '"event": "failed"' in text:
        return _json_failure(parser.name, number, text, run, keep)
    if text == cargo_block.LIST:
        return cargo_block.FailureList(number, parser.name, run, keep)
    if text.startswith("running ") and cargo_block.RUNNING_RE.match(text):
        stopped(parser, keep)  # (the target before, if it was killed: a later one began)
        _CARGO[parser] = cargo_block.CargoRun(run.target, number)  # a target's tests begin
        return NO_BLOCK
    if text.startswith("test ") and cargo_block.RESULT_RE.match(text):
        run.failed.append((number, text))
        return NO_BLOCK
    if text.startswith("test ") and (slow := cargo_block.SLOW_RE.match(text)):
        run.slow = (number, slow["name"])
        return NO_BLOCK
    if text.startswith("error: test failed, ") and cargo_block.RERUN_RE.match(text):
        cargo_block.package_named(run, text, parser.out, parser.name)
        return NO_BLOCK
    if line.startswith(" ") and (path := cargo_block.target(line)):
        run.target = path
        return NO_BLOCK
    return None


def _json_failure(
    file: str, number: int, text: str, run: cargo_block.CargoRun, keep: Keep
) -> Consumer:
    """libtest's JSON event of a failed test (`cargo test -- -Z unstable-options --format json`):
    read as its `---- NAME stdout ----` block is, from what it printed (`stdout`) and libtest's
    word on it (`message`: a should_panic test's)."""
    try:
        event = json.loads(text)
    except ValueError:
        return NO_BLOCK  # a line cut short
    name = str(event.get("name", ""))
    body = str(event.get("stdout") or "").splitlines()
    if event.get("message"):
        body.append(f"note: {event['message']}")
    lines = [(number, text)]
    run.read.add(name)
    keep(cargo_block.panic_failure(name, body, file, lines, run), lines)
    return NO_BLOCK


def stopped(parser: TextParser, keep: Keep) -> None:
    """`cargo_block.stopped`, for the target `parser` read last."""
    if (run := _CARGO.get(parser)) is not None:
        cargo_block.stopped(run, parser.name, parser.out, keep)
