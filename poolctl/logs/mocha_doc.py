"""Mocha's doc reporter alone (`mocha --reporter doc`): HTML, a `<section class="suite">` and its
`<h1>` title for each suite, and for each failed test (a hook's too):

    <dt class="error">request is answered</dt>
    <dt class="error">test/pool.test.js</dt>
    <dd class="error"><pre><code>async function () { … }</code></pre></dd>
    <dd class="error">Error: No response received from worker pid 18568 within 300ms</dd>

its title, its file, its code and its error as `String(err)` prints it (its class and message,
an assertion's diff: no stack), each escaped. A passed test's elements have no class. Each
failed test is read as an entry of the spec reporter's list: named by its suites' titles and
its own (Mocha's full title), grouped by its outermost suite, placed at its file (the reporter
prints no line), its error's first line its kind. The reporter prints no count: the failures
read count the run, and a log of passed tests alone is a clean run. Its markdown reporter
prints the passed tests alone: `refusal` says so, as nothing of a failure is there to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from poolctl.logs.mocha_block import RUNNER, SOURCE
from poolctl.logs.node_spec_block import read_error
from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure

FORMAT = "Mocha doc"  # what a log of it alone is said to be
# its first element: a suite's section, or a test's title at the top level
_START_RE = re.compile(
    r'^ *(?:<section class="suite">\r?\n *<h1>|<dt(?: class="error")?>[^<\n]*</dt>\r?\n *<dt)', re.M
)
# the markdown reporter's table of contents, its first line, and a suite's anchor after it
_MARKDOWN_RE = re.compile(r'^# TOC\n(?: *- \[[^\]\n]*\]\(#[^)\n]*\)\n)*<a name="[^"\n]*"></a>\n')


@dataclass
class _Test:
    """A failed test's elements, as read: its title, file, code and error, and its lines."""

    suites: list[str]
    first: int
    said: list[str] = field(default_factory=list)  # each element's text, in order
    last: int = 0


class _DocParser(HTMLParser):
    """The doc reporter's elements: its suites' titles and each failed test's elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.suites: list[str] = []
        self.failed: list[_Test] = []
        self._text: list[str] | None = None  # an element's text, being read
        self._error = False  # the element read is a failed test's (`class="error"`)
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.suites.append("")
        elif tag == "h1":
            self._in_title, self._text = True, []
        elif tag in ("dt", "dd"):
            self._error = ("class", "error") in attrs
            self._text = []
            line = self.getpos()[0]
            test = self.failed[-1] if self.failed else None
            if self._error and tag == "dt" and (test is None or len(test.said) >= 4):
                self.failed.append(_Test(list(filter(None, self.suites)), line))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.suites:
            self.suites.pop()
        elif tag == "h1" and self._in_title and self.suites:
            self.suites[-1] = "".join(self._text or []).strip()
            self._in_title, self._text = False, None
        elif tag in ("dt", "dd") and self._text is not None:
            if self._error and self.failed and len(self.failed[-1].said) < 4:
                self.failed[-1].said.append("".join(self._text))
                self.failed[-1].last = self.getpos()[0]
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole log, if it is Mocha's doc reporter's alone: its failures and its run
    into `out`. False when it is not."""
    if not _START_RE.search(text):
        return False
    doc = _DocParser()
    doc.feed(text.replace("\r\n", "\n"))  # (CRLF line ends: the error's text without CRs)
    doc.close()
    tests = [t for t in doc.failed if len(t.said) == 4]
    failures = [_failure(t, file) for t in tests]
    out.failures.extend(failures)
    last = max((t.last for t in tests), default=text.count("\n") + 1)
    said = f'<dt class="error"> ×{len(failures)}' if failures else "<dt> ×0 failed"
    out.summaries.append(
        RunSummary(file, last, said, None, len(failures), read=len(failures), source=RUNNER)
    )
    out.read_whole(file, text, FORMAT, "Mocha's doc reporter (--reporter doc)")
    out.skipped[-1] += ": it holds no count, so each failure read is the run's"
    return True


def _failure(test: _Test, file: str) -> Failure:
    """A failed test's failure, named and grouped as the spec reporter's list entry is."""
    title, path, code, error = test.said
    kind, code_of_node, message, frames = read_error(error.strip("\n").splitlines())
    details = {"runner": RUNNER, "text": clip(error.strip("\n"), MAX_FIELD)}
    details["source"] = clip(code, MAX_FIELD)  # the test's code
    if code_of_node:
        details["code"] = code_of_node
    return block_failure(
        SOURCE,
        file,
        [(test.first, ""), (test.last, "")],
        name=" ".join([*test.suites, title]),
        group=test.suites[0] if test.suites else "",
        location=path.strip(),
        kind=kind,
        message=message,
        details=details,
        frames=frames,
    )


def refusal(name: str, text: str) -> str | None:
    """The line refusing `text`, a whole log of no format found, if it is Mocha's markdown
    reporter's: it prints the tests that passed, and nothing of those that failed."""
    if not _MARKDOWN_RE.match(text.lstrip("\n")):
        return None
    return (
        f"{name}:1: Mocha's markdown reporter (--reporter markdown), which prints the tests that"
        " passed and nothing of those that failed: nothing to triage; run Mocha with --reporter"
        " spec or json"
    )
