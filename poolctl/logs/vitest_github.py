"""Vitest's `github-actions` reporter alone (`vitest run --reporter=github-actions`): for each
error of a failed test, a suite that did not load or an unhandled error, a GitHub Actions
workflow command on a line of its own, a blank line before it:

    ::error file=test/pool.test.js,title=test/pool.test.js > pool > checkout times out,line=5,
      column=11::Error: timed out waiting for a worker after 200ms …%0A ❯ test/pool.test.js:5:11

Its message is the block Vitest's console prints under ` FAIL  title` (`%0A` a line's end,
`%0D` a carriage return, `%25` a percent sign; in a property `%2C` a comma, `%3A` a colon), so
each is read as that block is (`poolctl.logs.vitest_block`): its title the console's header (a
file alone a suite that did not load, `Unhandled error` an error outside the tests, `[project]`
a workspace project's), a test's errors one failure, at the line of its first. The reporter
prints no count: the failures read count the run.
"""

from __future__ import annotations

import re

from poolctl.logs import vitest_block
from poolctl.logs.records import Lines, ParsedLog, RunSummary
from poolctl.model import Failure

FORMAT = "Vitest github-actions"  # what a log of it alone is said to be
# (Vitest writes the properties in this order, each escaped: no comma nor colon in one)
COMMAND_RE = re.compile(
    r"^::error file=(?P<file>[^,\n]*),title=(?P<title>[^,\n]*),line=\d+,column=\d+::(?P<data>.*)$"
)
_UNESCAPES = {"%0A": "\n", "%0D": "\r", "%25": "%", "%2C": ",", "%3A": ":"}
_ESCAPED_RE = re.compile("|".join(_UNESCAPES))
_UNHANDLED = "Unhandled error"
_PROJECT_RE = re.compile(r"^\[(?P<project>[^\]]+)\] ")


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole log, if it is Vitest's github-actions reporter's alone: its failures
    and its run into `out`. False when no line of it is one of its commands."""
    failures: list[Failure] = []
    seen: set[str] = set()
    last = 0
    for number, line in enumerate(text.splitlines(), 1):
        command = COMMAND_RE.match(line.rstrip("\r"))
        if command is None:
            continue
        last = number
        title = _unescaped(command["title"])
        if title in seen and title != _UNHANDLED:
            continue  # (another error of the same test, a try again's: its first is read)
        seen.add(title)
        failures.append(_failure(number, title, _unescaped(command["data"]), file))
    if not failures:
        return False
    out.failures.extend(failures)
    out.summaries.append(
        RunSummary(
            file,
            last,
            f"::error title=… ×{len(failures)}",
            None,
            len(failures),
            read=len(failures),
            source=vitest_block.RUNNER,
        )
    )
    out.read_whole(
        file, text, FORMAT, "Vitest's github-actions reporter (--reporter=github-actions)"
    )
    out.skipped[-1] += ": it holds no count, so each failure read is the run's"
    return True


def _unescaped(value: str) -> str:
    return _ESCAPED_RE.sub(lambda m: _UNESCAPES[m.group()], value)


def _failure(number: int, title: str, message: str, file: str) -> Failure:
    """The failure of one command, read as the console's block of the same header."""
    title = _PROJECT_RE.sub(r"|\g<project>| ", title)  # (the console's `|project| `)
    if title == _UNHANDLED:
        header = "⎯⎯⎯⎯⎯⎯ Unhandled Error ⎯⎯⎯⎯⎯⎯"
    elif " > " in title:
        header = f" FAIL  {title}"
    else:  # (a suite that did not load: its file alone)
        bare = title.rpartition("| ")[2]
        header = f" FAIL  {title} [ {bare} ]"
    found: list[Failure] = []

    def done(failure: Failure, lines: Lines) -> None:
        found.append(failure)

    block = vitest_block.VitestBlock(number, header, file, vitest_block.SOURCE, done)
    block.begin(header)
    for text in message.splitlines():
        if not block.feed(number, text):
            break
    block.close()
    return found[0]
