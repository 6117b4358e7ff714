"""Cucumber.js's `Failures:` section (its progress and summary formatters'), read into
`Failure`s so that they classify as any runner's failure does; its count, `7 scenarios (5
failed, 1 undefined, 1 passed)`, counts them (`poolctl.logs.verdict_lines`):

    Failures:

    1) Scenario: a worker answers a ping # features/pool.feature:8
       ✔ Given a silent worker # features/step_definitions/pool_steps.js:80
       ✖ When I ping it within 300 ms # features/step_definitions/pool_steps.js:92
           Error: worker pid 28953 sent no response within 300 ms
               at Timeout._onTimeout (features/step_definitions/pool_steps.js:12:20)
       - Then it answers pong # features/step_definitions/pool_steps.js:96

Jasmine heads its failures `Failures:` too, its entries `1) full name` with no feature's place
(`poolctl.logs.rspec_block.heading` tells them apart). Each entry is a scenario: named by its
name, grouped by its feature file, placed at its line there; what the first step that did not
pass printed (`✖` failed or ambiguous, `?` undefined or pending; a hook's, `✖ After`, too) is its
message, its error's class its kind (`AssertionError [ERR_ASSERTION]: …` AssertionError), its
frames its stack; that step is `details.step`. Its `Warnings:` section, of pending scenarios,
is read alike (`WarningsSection`): the log does not say whether the run was strict.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import EntriesSection
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "Cucumber.js"
# its pending scenarios (a step that returned 'pending') are listed apart, under `Warnings:`,
# strict or not: they fail a strict run (its default), and not one under --no-strict
WARNINGS = "Warnings:"
TRIGGERS = (r"^Warnings:\s*$",)
SOURCE: Source = "cucumber_js"
ENTRY_RE = re.compile(
    r"^(?P<number>\d+)\) (?P<keyword>[^:]+): (?P<name>.*?) # (?P<file>\S+\.feature):(?P<line>\d+)$"
)
# its scenarios' count: failed, ambiguous, undefined and pending scenarios fail the run
# (strict, the default), in this order
VERDICT_RE = re.compile(
    r"^\d+ scenarios? \((?:(?P<failed>\d+) failed)?(?:(?:, )?(?P<ambiguous_errors>\d+) ambiguous)?"
    r"(?:(?:, )?(?P<undefined_errors>\d+) undefined)?(?:(?:, )?(?P<pending_errors>\d+) pending)?"
    r"(?:(?:, )?\d+ skipped)?(?:(?:, )?\d+ passed)?\)$"
)
VERDICT_TRIGGER = r"^\d+ scenarios? \([1-9]\d* (?:failed|ambiguous|undefined|pending)"
CLEAN_RE = re.compile(r"^\d+ scenarios? \((?:\d+ skipped, )?\d+ passed\)$")
_STEP_RE = re.compile(r"^   (?P<mark>[✔✖?-]) (?P<step>.*?)(?: # (?P<where>\S+:\d+))?$")
_NOT_PASSED = "✖?"
_KIND_RE = re.compile(r"^(?P<kind>\w*(?:Error|Exception))(?: \[\w+\])?: ?(?P<message>.*)$")


class CucumberSection(EntriesSection):
    """The `Failures:` section (a consumer of a text parser's scan): each scenario's entry goes
    to `done` as a failure when it ends."""

    def ends(self, text: str) -> bool:
        return bool(text) and not text.startswith(" ") and not ENTRY_RE.match(text)

    def starts_entry(self, text: str) -> bool:
        return ENTRY_RE.match(text) is not None

    def read_entry(self, entry: Lines) -> None:
        named = ENTRY_RE.match(entry[0][1])
        assert named is not None
        step, said = _first_not_passed([t for _, t in entry[1:]])
        frames = [t.strip().removeprefix("at ") for t in said if t.strip().startswith("at ")]
        message = [t for t in said if not t.strip().startswith("at ")]
        kind = ""
        if message and (thrown := _KIND_RE.match(message[0])):
            kind, message[0] = thrown["kind"], thrown["message"]
        details = {"runner": RUNNER, "text": clip("\n".join(t for _, t in entry), MAX_FIELD)}
        if step:
            details["step"] = step
        failure = block_failure(
            self.source,
            self.input_file,
            entry,
            name=named["name"],
            group=named["file"],
            location=f"{named['file']}:{named['line']}",
            kind=kind,
            message="\n".join(message).strip(),
            details=details,
            frames=frames,
        )
        self.done(failure, entry)


def _first_not_passed(lines: list[str]) -> tuple[str, list[str]]:
    """The first step (or hook) of an entry's `lines` that did not pass, and what it printed
    under it (its indent dropped); ("", []) when none is marked so."""
    step, said = "", []
    for text in lines:
        marked = _STEP_RE.match(text)
        if marked is not None:
            if step:
                break
            if marked["mark"] in _NOT_PASSED:
                step = marked["step"]
        elif step:
            said.append(text.removeprefix("       "))
    while said and not said[-1].strip():
        said.pop()
    return step, said


class WarningsSection(CucumberSection):
    """The `Warnings:` section of pending scenarios, read as the `Failures:` section is once its
    first entry shows it is Cucumber.js's (any other `Warnings:` heading ends at its first line,
    left to the scan); `note` is told once, as a strict run and one under --no-strict print it
    alike."""

    started = False
    note: Callable[[str], object] | None = None

    def ends(self, text: str) -> bool:
        if not self.started:
            return bool(text) and not ENTRY_RE.match(text)
        return super().ends(text)

    def starts_entry(self, text: str) -> bool:
        self.started = self.started or super().starts_entry(text)
        return super().starts_entry(text)

    def read_entry(self, entry: Lines) -> None:
        if self.note is not None:
            self.note(
                f"{self.input_file}:{self.lines[0][0]}: Cucumber.js's pending scenarios (its "
                "`Warnings:`) are read as failures: they fail its run under --strict, its "
                "default, not under --no-strict, and the log does not say which it ran under"
            )
            self.note = None
        super().read_entry(entry)
