"""RSpec's `Failures:` section (its progress and documentation formatters'), read into
`Failure`s so that they classify as any runner's failure does (its verdict, `8 examples, 7
failures`, counts them: `poolctl.logs.other_verdicts`):

    Failures:

      1) Pool lets a second caller check out within 200ms
         Failure/Error: @pool.checkout(0.2)

         CheckoutTimeout:
           checkout timed out after 0.2s: pool pool_a has 0 idle workers, 1 waiting
         # ./lib/pool.rb:54:in `checkout'
         # ./spec/pool_spec.rb:15:in `block (2 levels) in <top (required)>'

Each entry is the example's number and full description (its groups' and its own), then
`Failure/Error:` and the code that failed (on the lines after it when it spans several), then
the error's class and message, or a matcher's failed expectation (`expected: 3` …, which names
no class: of kind AssertionError, as Jasmine's are), then the backtrace, each frame behind `# `;
up to the next entry, or the section's end (`Finished in`). Jasmine heads its failures
`Failures:` too, its entries not indented (`poolctl.logs.jasmine_block`), and so do hspec, each
entry under its place (`poolctl.logs.hspec_block`), and Cucumber.js, each entry a scenario and
its feature's place (`poolctl.logs.cucumber_js_block`): the first entry says whose the section
is (`heading`).

An error outside any example (a spec file that did not load, a `before(:suite)` or
`after(:context)` hook that raised) is a block of its own, not indented, counted apart by the
verdict (`0 examples, 0 failures, 1 error occurred outside of examples`):

    An error occurred while loading ./spec/broken_spec.rb.
    Failure/Error: Pool.configure!

    NoMethodError:
      undefined method `configure!' for Pool:Class
    # ./spec/broken_spec.rb:7:in `<top (required)>'
"""

from __future__ import annotations

import re
from collections.abc import Callable

from poolctl.logs import cucumber_js_block, hspec_block, jasmine_block
from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

RUNNER = "RSpec"
SOURCE: Source = "rspec"
_ENTRY_RE = re.compile(r"^  (?P<number>\d+)\) (?P<name>\S.*)$")
_FAILED_AT = "Failure/Error:"
OUTSIDE = "An error occurred "
_OUTSIDE_RE = re.compile(
    r"^An error occurred (?:while loading (?P<file>\S+)|in an? `[^`]+` hook)\.$"
)
TRIGGERS = (r"^An error occurred (?:while loading \S+|in an? `[^`]+` hook)\.\s*$",)
# the error's class on a line of its own (`CheckoutTimeout:`, `RSpec::Mocks::MockExpectation
# Error:`), its message indented below it
_CLASS_RE = re.compile(r"^(?P<kind>[A-Z]\w*(?:::[A-Z]\w*)*):$")
_FRAME_RE = re.compile(r"^# (?P<file>\S+?):(?P<line>\d+)(?::in .*)?$")
# RSpec's test file: `spec/**/*_spec.rb`, the frame of the example's own code
_SPEC_FILE = "_spec.rb"
EXPECTATION = "AssertionError"
# an RSpec run alone, which triage reads for its verdict and this section: its closing time
# (ExUnit prints `Finished in` too, never with the time its files took to load)
IN_TEXT = r"^Finished in [\d.]+ (?:seconds?|minutes? [\d.]+ seconds?) \(files took "
IN_TEXT_RE = re.compile(IN_TEXT, re.M)


def heading(
    number: int, line: str, input_file: str, done: Callable[[Failure, Lines], object]
) -> _Heading:
    """The `Failures:` heading on line `number`: RSpec's section or Jasmine's, as its first
    entry says."""
    return _Heading(number, line, input_file, done)


class _Heading:
    """A `Failures:` heading and the blank lines after it, until an entry says whose it is."""

    def __init__(
        self, number: int, line: str, input_file: str, done: Callable[[Failure, Lines], object]
    ) -> None:
        self.first = (number, line)
        self.input_file = input_file
        self.done = done
        self.blank: Lines = []
        self.section: _Section | None = None

    def feed(self, number: int, line: str) -> bool:
        if self.section is None:
            if not line.strip():
                self.blank.append((number, line))
                return True
            self.section = self._whose(line)
            for blank in self.blank:
                self.section.feed(*blank)
        return self.section.feed(number, line)

    def close(self) -> Lines:
        if self.section is None:
            return []
        return self.section.close()

    def _whose(self, line: str) -> _Section:
        number, first = self.first
        if _ENTRY_RE.match(line.rstrip()):
            return RspecSection(number, first, self.input_file, SOURCE, self.done)
        if hspec_block.PLACE_RE.match(line.rstrip()):  # hspec's: where its first example is
            return hspec_block.HspecSection(
                number, first, self.input_file, hspec_block.SOURCE, self.done
            )
        if cucumber_js_block.ENTRY_RE.match(line.rstrip()):  # a scenario, its feature's place
            return cucumber_js_block.CucumberSection(
                number, first, self.input_file, cucumber_js_block.SOURCE, self.done
            )
        return jasmine_block.JasmineSection(
            number, first, self.input_file, jasmine_block.SOURCE, self.done
        )


class RspecSection(RunnerBlock):
    """The `Failures:` section (a consumer of a text parser's scan): each entry goes to `done` as
    a failure when it ends."""

    def begin(self, line: str) -> None:
        self.entry: Lines = []

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if _ENTRY_RE.match(text):
            self._end_entry()
            self.entry = [(number, text)]
        elif self.entry and (text.startswith("     ") or not text):
            if len(self.entry) < MAX_BLOCK_LINES:
                self.entry.append((number, text))  # (a blank line: in it, or after it)
        elif text:  # the section's end (`Finished in`), or no entry of RSpec's
            return False
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        self._end_entry()
        return []

    def _end_entry(self) -> None:
        entry, self.entry = self.entry, []
        while entry and not entry[-1][1]:
            entry.pop()  # the blank lines between it and the next
        if not entry:
            return
        named = _ENTRY_RE.match(entry[0][1])
        assert named is not None
        body = [text[5:] for _, text in entry[1:]]
        self.done(_failure(self.source, self.input_file, entry, named["name"], body), entry)


class OutsideBlock(RunnerBlock):
    """An error outside any example (a consumer of a text parser's scan), up to the run's
    `Finished in` or a blank line after its backtrace."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        framed = self.lines[-1][1].startswith("# ")
        if text.startswith(("Finished in ", OUTSIDE)) or (framed and not text.startswith("# ")):
            return False
        if len(self.lines) < MAX_BLOCK_LINES:
            self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        while len(self.lines) > 1 and not self.lines[-1][1]:
            self.lines.pop()
        said = _OUTSIDE_RE.match(self.lines[0][1])
        if said is None:
            return []
        name = self.lines[0][1].removesuffix(".")
        body = [t for _, t in self.lines[1:]]
        self.done(_failure(self.source, self.input_file, self.lines, name, body), self.lines)
        return []


def _failure(source: Source, input_file: str, lines: Lines, name: str, body: list[str]) -> Failure:
    """The failure of an entry or an error outside the examples, `body` its lines after the
    first, less their indent: placed at the example's own frame (in a spec file), else the
    backtrace's last."""
    frames = [m for t in body if (m := _FRAME_RE.match(t))]
    kind, message = _said(body)
    place = next((m for m in frames if m["file"].endswith(_SPEC_FILE)), None)
    place = place or (frames[-1] if frames else None)
    location = f"{place['file'].removeprefix('./')}:{place['line']}" if place else ""
    return block_failure(
        source,
        input_file,
        lines,
        name=name,
        group=location.rpartition(":")[0],
        location=location,
        kind=kind,
        message=message,
        details={"runner": RUNNER, "text": clip("\n".join(t for _, t in lines), MAX_FIELD)},
        frames=[t[2:] for t in body if t.startswith("# ")],
    )


def _said(body: list[str]) -> tuple[str, str]:
    """The kind and message of an entry's body (its lines less the entry's indent): the error's
    class and the lines below it (`CheckoutTimeout: checkout timed out …`), or a matcher's
    expectation (`expected: 3` `got: 2`), the lines after the failed code up to the
    backtrace."""
    said: list[str] = []
    kind = ""
    code_ends = False  # the failed code, after `Failure/Error:`, ends at a blank line
    for text in body:
        if text.startswith("# "):
            break  # the backtrace (or a `# --- Caused by: ---` part of it)
        if not code_ends:
            code_ends = not text.strip() or (
                text.startswith(_FAILED_AT) and bool(text[len(_FAILED_AT) :].strip())
            )
            continue
        if not said and not kind and (named := _CLASS_RE.match(text)):
            kind = named["kind"].rsplit("::", 1)[-1]
            continue
        if kind and said and not text.strip():
            break  # the error's message ends (Ruby's error_highlight may show its code after)
        if text.strip():
            said.append(text.strip())
    message = "\n".join(said)
    if kind:
        return kind, f"{kind}: {message}" if message else kind
    return (EXPECTATION if said else ""), message


_Section = (
    RspecSection
    | jasmine_block.JasmineSection
    | hspec_block.HspecSection
    | cucumber_js_block.CucumberSection
)
