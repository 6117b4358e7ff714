"""`go test -json`'s failures: each event's `Output` is a line of the package's `-v` output,
read as `poolctl.logs.go_block` reads it.

    {"Time":"…","Action":"output","Package":"example.com/pool","Test":"TestX",
     "Output":"    pool_test.go:71: No response received …\\n"}
    {"Time":"…","Action":"output","Package":"example.com/pool","Test":"TestX",
     "Output":"--- FAIL: TestX (0.31s)\\n"}
    {"Time":"…","Action":"fail","Package":"example.com/pool","Elapsed":0.517}

(each event on one line; the test's `=== RUN` event before them).
Packages run side by side, their events interleaved: each package's lines are read apart, and
its failures kept at its own `fail` event (no `Test` key: its verdict, `other_verdicts`). A
package that failed with no test failing (its TestMain exited, or panicked) printed its reason in
output events of its own, no `Test` key, as plain `go test` prints it above its `FAIL` line: read
as that reading reads it (`poolctl.logs.go_package`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from poolctl.logs import go_block, go_package
from poolctl.logs.records import Lines
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.scan import Consumer

EVENT_RE = re.compile(
    r'^\{"Time":"[^"]*","Action":"(?P<action>\w+)","Package":"(?P<package>[^"]*)"'
)
# a test's output event: any may go on a block begun before another package's verdict
TRIGGER = r'^\{"Time":"[^"]*","Action":"output","Package":"[^"]*","Test":"'
# ... and a package's own output event (a TestMain's, its `FAIL` line)
PACKAGE_TRIGGER = r'^\{"Time":"[^"]*","Action":"output","Package":"[^"]*","Output":"'
TRIGGER_RE = re.compile(f"{TRIGGER}|{PACKAGE_TRIGGER}")
_MAX_PRINTED = 2 * go_package.MAX_LINES


@dataclass
class Package:
    """A package's output read so far: its failures, and the block being read."""

    run: go_block.GoRun = field(default_factory=go_block.GoRun)
    block: Consumer | None = None
    printed: Lines = field(default_factory=list)  # its own output events' last lines


class JsonStream:
    """The events of `go test -json` from a trigger on, up to a package's verdict or a line
    that is no event; each output event's line given to its package's reader. The packages'
    state lives in `packages` (the parser's), so that a stream ended by one package's verdict
    leaves the others' blocks open."""

    def __init__(
        self, number: int, line: str, packages: dict[str, Package], input_file: str
    ) -> None:
        self.packages = packages
        self.input_file = input_file
        self.feed(number, line)

    def feed(self, number: int, line: str) -> bool:
        found = EVENT_RE.match(line)
        if found is None:
            return False
        if found["action"] != "output":
            return '"Test":"' in line  # (a package's own `fail` or `pass`: its verdict)
        try:
            event = json.loads(line)
        except ValueError:
            return True  # (an event cut short)
        said = event.get("Output") if isinstance(event, dict) else None
        if not isinstance(said, str):
            return True
        package = self.packages.setdefault(found["package"], Package())
        text = said.rstrip("\n")
        if "Test" not in event:
            package.printed[: max(0, len(package.printed) - _MAX_PRINTED + 1)] = []
            package.printed.append((number, text))
        if package.block is not None and package.block.feed(number, text):
            return True
        if package.block is not None:
            package.block.close()
        package.block = go_block.start(package.run, number, text, self.input_file)
        return True

    def close(self) -> Lines:
        return []  # (each package's block ends with its package: `ended`)


def ended(
    packages: dict[str, Package],
    name: str,
    done: Callable[[Failure, Lines], object],
    input_file: str = "",
) -> int:
    """Package `name`'s verdict (a `fail` event with no test): its failures are kept (how
    many, returned); with none, what it printed above its `FAIL` line is one, named by the
    package (given the `input_file` it is read from)."""
    package = packages.pop(name, None)
    if package is None:
        return 0
    if package.block is not None:
        package.block.close()
    failed = bool(package.run.failures)
    count = go_block.kept(package.run, name, done)
    verdicts = [i for i, (_, t) in enumerate(package.printed) if t.startswith("FAIL\t")]
    if failed or not input_file or not verdicts:
        return count
    verdict = package.printed[verdicts[-1]]
    printed = go_package.printed_before(package.printed[: verdicts[-1]])
    if not printed:
        return count
    lines = [*printed, verdict]
    done(go_package.package_failure(name, printed, lines, input_file, go_block.RUNNER), lines)
    return count + 1


def verdict_package(line: str) -> str:
    """The package a `go test -json` package event names, else ''."""
    found = EVENT_RE.match(line)
    return found["package"] if found is not None and '"Test":"' not in line else ""
