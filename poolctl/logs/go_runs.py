"""The go test packages a text parser reads beside its own (`poolctl.logs.other_blocks`): their
plain and `-v` output (`poolctl.logs.go_block`), their `-json` events
(`poolctl.logs.go_json`), and a package the input ended in before its verdict."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from poolctl.logs import go_block, go_json
from poolctl.logs.records import Lines
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.scan import Consumer, TextParser

Keep = Callable[[Failure, Lines], None]

# each parser's go test package, read up to its verdict
_GO: weakref.WeakKeyDictionary[TextParser, go_block.GoRun] = weakref.WeakKeyDictionary()
# ... under -json, each package's (their events interleave)
_GO_JSON: weakref.WeakKeyDictionary[TextParser, dict[str, go_json.Package]] = (
    weakref.WeakKeyDictionary()
)


def block_at(parser: TextParser, number: int, line: str) -> Consumer | None:
    """`go_block.start`, in the package `parser` reads."""
    return go_block.start(_GO.setdefault(parser, go_block.GoRun()), number, line, parser.name)


def json_stream(parser: TextParser, number: int, line: str) -> Consumer:
    """The `-json` events `line` begins, in the packages `parser` reads."""
    return go_json.JsonStream(number, line, _GO_JSON.setdefault(parser, {}), parser.name)


def kept(parser: TextParser, package: str, keep: Keep) -> int:
    """`go_block.kept`, for the package `parser` read last (its `FAIL` line): how many."""
    if (run := _GO.get(parser)) is None:
        return 0
    before = len(run.parents)
    return go_block.kept(run, package, keep) + len(run.parents) - before


def json_ended(parser: TextParser, name: str, keep: Keep) -> None:
    """`go_json.ended`, for the `-json` package `name` (its verdict's event)."""
    go_json.ended(_GO_JSON.get(parser, {}), name, keep, parser.name)


def parents(parser: TextParser, first: int) -> list[int]:
    """The lines of the parents failed by their subtests that the go packages `parser` read
    from line `first` on left out (`go_block.GoRun.parents`), taken."""
    if (run := _GO.get(parser)) is None:
        return []
    taken = [n for n in run.parents if n >= first]
    run.parents.clear()
    return taken


def discard(parser: TextParser, names: set[str] | None = None) -> None:
    """The failures read from the go package's lines `parser` read last, not kept yet (those of
    the tests `names`, else all): another runner's summary of the same run lists them
    (gotestsum's)."""
    if (run := _GO.get(parser)) is None:
        return
    if names is None:
        _GO[parser] = go_block.GoRun()
    else:
        run.failures[:] = [(f, lines) for f, lines in run.failures if f.name not in names]


def discard_silent(parser: TextParser) -> None:
    """The failures of the go package `parser` read last that logged nothing, not kept yet: a
    test that ran a Ginkgo suite fails by its specs, read in its place."""
    if (run := _GO.get(parser)) is not None:
        run.failures[:] = [(f, lines) for f, lines in run.failures if f.message]


def stopped(parser: TextParser, keep: Keep) -> None:
    """A go package whose output the input ended in, before its verdict (killed, a CI job's
    time limit): its failures read are kept, and a note says no verdict counted them."""
    before = len(parser.out.failures)
    count = 0
    if (run := _GO.get(parser)) is not None:
        go_block.stopped_in(run, parser.name)
        count += go_block.kept(run, "", keep)
    packages = _GO_JSON.get(parser, {})
    for name in list(packages):
        if (block := packages[name].block) is not None:
            block.close()  # (its output read so far)
            packages[name].block = None
        go_block.stopped_in(packages[name].run, parser.name)
        count += go_json.ended(packages, name, keep)
    if count and len(parser.out.failures) > before:
        first = parser.out.failures[before].line_start
        running = [f.name for f in parser.out.failures[before:] if f.kind == "stopped"]
        # (`go_block.stopped_in`: the test whose `=== RUN` line no result followed)
        read = f"the test it was running, {', '.join(running)}, read as a failure"
        if count > len(running):
            read = f"{count - len(running)} failed test(s) read from their blocks" + (
                f", and {read}" if running else ""
            )
        parser.out.skipped.append(
            f"{parser.name}:{first}: a go test package's output ended before its verdict "
            f"(killed, a time limit): {read}; no `FAIL` line counting them"
        )
