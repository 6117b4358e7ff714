"""behave's console output (its pretty formatter, the default, `--format plain` and `progress`),
read into `Failure`s so that they classify as any runner's failure does (its verdict, `2
scenarios passed, 2 failed, 7 error, 1 skipped`, counts them: `poolctl.logs.other_verdicts`).

Every formatter closes with the scenarios that failed and errored, each once, its place and
name; those lists are the failures:

    Failing scenarios:
      features/misc.feature:3  The pool counts its workers

    Errored scenarios:
      features/pool.feature:3  A second caller checks out within 200 ms

What each failed of is read from the scenario's own block above them, where the formatter
prints one (pretty and plain do, progress does not): the failed step's `ASSERT FAILED: …` (of
kind AssertionError), the exception that ended a traceback, or the step nobody wrote.

      Scenario: A second caller checks out within 200 ms  # features/pool.feature:3
        When a second caller checks out                   # features/steps/pool_steps.py:25
          Traceback (most recent call last):
            …
          pool.CheckoutTimeout: checkout timed out after 0.2s: …
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import EntriesSection, RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure, Source

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

RUNNER = "behave"
SOURCE: Source = "behave"
SCENARIO_RE = re.compile(
    r"^  Scenario(?: Outline)?: (?P<name>.*?)\s*(?:# (?P<place>\S+\.feature:\d+))?$"
)
LIST_RE = re.compile(r"^(?P<what>Failing|Errored) scenarios:$")
SIGN = "USING RUNNER: behave."  # behave 1.3's first line, whatever its formatter
TRIGGERS = (
    r"^  Scenario(?: Outline)?: ",
    r"^(?:Failing|Errored) scenarios:\s*$",
    r"^USING RUNNER: behave\.",
    r"^HOOK-ERROR in \w+: ",
)
# a hook that raised: `before_scenario`'s fails the scenario after it (pretty prints it above
# the scenario's heading, plain below it), `after_scenario`'s the one before
HOOK_RE = re.compile(r"^HOOK-ERROR in (?P<hook>\w+): (?P<said>.*)$")
_ENTRY_RE = re.compile(r"^  (?P<place>\S+\.feature:\d+)  (?P<name>.*)$")
_STEP = r"^    (?P<step>(?:Given|When|Then|And|But|\*) .*?)"
_STEP_RE = re.compile(_STEP)
_PRETTY_STEP_RE = re.compile(_STEP + r"\s+# (?P<source>\S+)$")  # (`# None`: not run)
_PY_STEP_RE = re.compile(_STEP + r"\s+# \S+\.py:\d+$", re.MULTILINE)  # pretty's, behave's
_PLAIN_STEP_RE = re.compile(_STEP + r" \.\.\. (?P<status>\w+)(?: in [\d.]+s)?$")
_FAILED_STEP = ("failed", "error", "undefined", "hook_error")
_ASSERT = "ASSERT FAILED: "
_TRACEBACK = "Traceback (most recent call last):"
_CHAINED = (
    _TRACEBACK,
    "The above exception was the direct cause of the following exception:",
    "During handling of the above exception, another exception occurred:",
)
_RAISED_RE = re.compile(r"^(?P<kind>[A-Za-z_][\w.]*)(?::|$)")
_FRAME_RE = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in ')
_ENDS = ("Feature: ", "  Background:", "  @")
# the run's counts, if no list came (and cucumber-js's, whose pretty scenarios look alike)
_COUNTS_RE = re.compile(r"^\d+ (?:features? passed, |scenarios? \()")
EXPECTATION = "AssertionError"


@dataclass
class Scenario:
    """What a scenario's block above the lists said it failed of."""

    name: str
    place: str
    lines: Lines
    kind: str
    message: str
    frames: list[str]


# each parser's failed scenarios read from their blocks, not yet listed
_READ: weakref.WeakKeyDictionary[TextParser, list[Scenario]] = weakref.WeakKeyDictionary()
# each parser that read behave's first line: its scenarios' blocks follow
_SIGNED: weakref.WeakKeyDictionary[TextParser, bool] = weakref.WeakKeyDictionary()
# each parser's error of a `before_` hook above the next scenario's heading
_BEFORE: weakref.WeakKeyDictionary[TextParser, tuple[int, str]] = weakref.WeakKeyDictionary()
# each parser's last scenario block, while no list nor count has followed it (`stopped`)
_LAST: weakref.WeakKeyDictionary[TextParser, ScenarioBlock] = weakref.WeakKeyDictionary()


def block_at(
    parser: TextParser, number: int, line: str, done: Callable[[Failure, Lines], object]
) -> ScenarioBlock | ScenarioList | None:
    """A scenario's block, or a list of failed scenarios, if `line` begins one: a scenario's
    of behave's pretty formatter (its place after it), or of a run whose first line was
    behave's (plain's place none); behave's first line is noted."""
    text = line.rstrip()
    if text.startswith(SIGN):
        _SIGNED[parser] = True
        return None
    if (hook := HOOK_RE.match(text)) and hook["hook"].startswith("before_"):
        _BEFORE[parser] = (number, text)  # (outside a scenario's block: the first's of a feature)
        return None
    heading = SCENARIO_RE.match(text) if text.startswith("  Scenario") else None
    if heading and (heading["place"] or parser in _SIGNED):  # (pretty's, or behave's run)
        block = ScenarioBlock(number, line, parser.name, SOURCE, done)
        block.found = _READ.setdefault(parser, []).append
        block.before = _BEFORE.pop(parser, None)
        block.hand_on = partial(_BEFORE.__setitem__, parser)
        _LAST[parser] = block
        return block
    if text.endswith(" scenarios:") and LIST_RE.match(text):
        _LAST.pop(parser, None)  # (the run ended: its closing lists)
        section = ScenarioList(number, line, parser.name, SOURCE, done)
        section.read = _READ.setdefault(parser, [])
        return section
    return None


class ScenarioBlock(RunnerBlock):
    """A scenario's steps and what its failed step printed, up to the next scenario."""

    found: Callable[[Scenario], object]
    before: tuple[int, str] | None = None  # the error of a `before_` hook above its heading
    hand_on: Callable[[tuple[int, str]], object]  # ... one below its steps, the next's
    run_ended = False  # a list or the run's counts came after it
    read: Scenario | None = None  # what it failed of, if its block said

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if _COUNTS_RE.match(text) or LIST_RE.match(text):
            self.run_ended = True
            return False
        if text.startswith(_ENDS):
            return False
        if text.startswith("  Scenario") and SCENARIO_RE.match(text):
            return False
        if len(self.lines) < MAX_BLOCK_LINES:
            self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        heading = SCENARIO_RE.match(self.lines[0][1])
        assert heading is not None
        body, hooks = self.lines[1:], []
        for i, (number, text) in enumerate(body):
            if (hook := HOOK_RE.match(text)) is None:
                continue
            stepped = any(_STEP_RE.match(t) for _, t in body[:i])
            if hook["hook"].startswith("before_") and stepped:
                self.hand_on((number, text))  # (pretty's, above the next scenario's heading)
            else:
                hooks.append((number, text))  # (plain's below its heading, or an `after_`'s)
        before = [self.before] if self.before else []
        read = _hook_failed(before) or _failed_step(body) or _hook_failed(hooks)
        if read is not None:
            lines, kind, message, frames = read
            scenario = Scenario(
                heading["name"], heading["place"] or "", lines, kind, message, frames
            )
            self.read = scenario
            self.found(scenario)
        return []


def _hook_failed(hooks: Lines) -> tuple[Lines, str, str, list[str]] | None:
    """The failure a hook's error (`HOOK-ERROR in before_scenario: KeyError: 'x'`) is."""
    if not hooks:
        return None
    hook = HOOK_RE.match(hooks[0][1])
    assert hook is not None
    raised = _RAISED_RE.match(hook["said"])
    kind = raised["kind"].rsplit(".", 1)[-1] if raised and ": " in hook["said"] else ""
    return hooks[:1], kind, hook["said"], []


def _failed_step(body: Lines) -> tuple[Lines, str, str, list[str]] | None:
    """The failed step's lines, kind, message and frames: the step whose status (plain) says
    so, or the one a message is printed under (pretty); else the first not run (`# None`)
    with none before it, the step nobody wrote."""
    for i, (_, text) in enumerate(body):
        plain = _PLAIN_STEP_RE.match(text)
        if plain and plain["status"] in _FAILED_STEP:
            said = _said(body[i + 1 :], plain["status"])
            if plain["status"] == "undefined":
                return [body[i]], "", f"undefined step: {plain['step']}", []
            if not said:
                return None
            kind, message, frames = _message(said)
            return [body[i], *said], kind, message, frames
        pretty = _PRETTY_STEP_RE.match(text)
        if pretty is None:
            continue
        said = _said(body[i + 1 :], "")
        if said:
            kind, message, frames = _message(said)
            return [body[i], *said], kind, message, frames
        if pretty["source"] == "None":
            return [body[i]], "", f"undefined step: {pretty['step']}", []
    return None


def _said(after: Lines, status: str) -> Lines:
    """The lines a failed step printed below it: pretty's indented under it, plain's flush
    left, up to the next step, a blank line after them (not one between chained exceptions'
    tracebacks), or its captured output."""
    said: Lines = []
    for i, (number, text) in enumerate(after):
        if _PRETTY_STEP_RE.match(text) or _PLAIN_STEP_RE.match(text) or text.startswith("----"):
            break
        if not text.strip():
            if said and not _chained(after[i + 1 :]):
                break
            continue
        if status or text.startswith("      "):  # (plain's are flush left; pretty's indented)
            said.append((number, text))
    return said


def _chained(after: Lines) -> bool:
    """Whether the next line that is not blank goes on with a chain of tracebacks."""
    text = next((t.strip() for _, t in after if t.strip()), "")
    return text.startswith(_CHAINED)


def _message(said: Lines) -> tuple[str, str, list[str]]:
    """The kind, message and frames of what a failed step printed."""
    texts = [t for _, t in said]
    indent = len(texts[0]) - len(texts[0].lstrip())
    first = texts[0][indent:]
    if first.startswith(_ASSERT):  # (flush left, a line alone: what follows may be stderr's)
        rest = [t[indent:] for t in texts[1:] if indent and t.startswith(" " * indent)]
        return EXPECTATION, "\n".join([first[len(_ASSERT) :], *rest]), []
    frames = [t.strip() for t in texts if _FRAME_RE.match(t)]
    if not first.startswith(_TRACEBACK):
        return "", "\n".join(t.strip() for t in texts), frames
    # the last exception of a chain, its lines at the traceback's indent after its frames
    last = max(i for i, t in enumerate(texts) if t[indent:] == _TRACEBACK)
    own = [i for i, t in enumerate(texts) if i > last and len(t) - len(t.lstrip()) == indent]
    raised = [texts[i][indent:] for i in own]
    kind = _RAISED_RE.match(raised[0]) if raised else None
    message = "\n".join(raised)
    return (kind["kind"].rsplit(".", 1)[-1] if kind else ""), message, frames


class ScenarioList(EntriesSection):
    """`Failing scenarios:` or `Errored scenarios:`: each entry a failure, what it failed of
    taken from its scenario's block read above, if one was."""

    read: list[Scenario]

    def ends(self, text: str) -> bool:
        return not text or not text.startswith("  ")

    def starts_entry(self, text: str) -> bool:
        return bool(_ENTRY_RE.match(text))

    def read_entry(self, entry: Lines) -> None:
        listed = _ENTRY_RE.match(entry[0][1])
        assert listed is not None
        name, place = listed["name"].strip(), listed["place"]
        scenario = next((s for s in self.read if s.name == name and s.place in ("", place)), None)
        lines, kind, message, frames = entry, "", "", []
        if scenario is not None:
            self.read.remove(scenario)
            lines, kind, message, frames = (
                scenario.lines,
                scenario.kind,
                scenario.message,
                scenario.frames,
            )
        self.done(_failure(self.input_file, name, place, lines, kind, message, frames), lines)


def _failure(
    file: str,
    name: str,
    place: str,
    lines: Lines,
    kind: str,
    message: str,
    frames: list[str],
    **note: str,
) -> Failure:
    """A failed scenario's `Failure`, grouped by its feature file."""
    text = clip("\n".join(t for _, t in lines), MAX_FIELD)
    return block_failure(
        SOURCE,
        file,
        lines,
        name=name,
        group=place.rpartition(":")[0],
        location=place,
        kind=kind,
        message=message,
        details={"runner": RUNNER, "text": text, **note},
        frames=frames,
    )


def stopped_in_text(text: str) -> bool:
    """Whether `text`, a whole log, is a behave run cut short in its scenarios: behave's first
    line (or pretty's step placed in a steps file), a scenario's heading, and neither the
    closing lists nor the run's counts."""
    if SIGN not in text and not _PY_STEP_RE.search(text):
        return False
    if not re.search(r"(?m)^  Scenario(?: Outline)?: ", text):
        return False
    return not re.search(r"(?m)^(?:(?:Failing|Errored) scenarios:|\d+ scenarios? passed, )", text)


def stopped(parser: TextParser, done: Callable[[Failure, Lines], object]) -> None:
    """The input ended in a behave run's scenarios, no list nor count after them (the job was
    killed, or hit its time limit): each scenario whose block said it failed is a failure, and
    so is the one the input ended in, if its block said nothing, its kind `stopped`."""
    last = _LAST.pop(parser, None)
    if last is None or last.run_ended or not last.lines:
        return
    if parser not in _SIGNED and not any(_PY_STEP_RE.match(t) for _, t in last.lines):
        return  # (cucumber-js's pretty scenarios look alike: behave's steps are in .py files)
    for scenario in _READ.pop(parser, []):
        failure = _failure(
            parser.name,
            scenario.name,
            scenario.place,
            scenario.lines,
            scenario.kind,
            scenario.message,
            scenario.frames,
        )
        done(failure, scenario.lines)
    if last.read is None:
        done(*_stopped_in(parser.name, last.lines))
    if any(s.file == parser.name for s in parser.out.summaries):  # (else: `note_failures_alone`)
        parser.out.skipped.append(
            f"{parser.name}: behave's run ended in its scenarios (line {last.lines[0][0]}), no "
            "'Failing scenarios:' list and no count after them (killed, a time limit): read for "
            "the failures it printed, so no count says how many more failed"
        )


def _stopped_in(file: str, lines: Lines) -> tuple[Failure, Lines]:
    """The failure of the scenario the input ended in, quoted from its heading and the last
    step printed under it."""
    heading = SCENARIO_RE.match(lines[0][1])
    assert heading is not None
    steps = [(n, t) for n, t in lines[1:] if _STEP_RE.match(t)]
    said = (
        "the run ended in this scenario: the log ends under it, with no result for it, no "
        "'Failing scenarios:' list and no count of the run (killed, or a time limit)"
    )
    if steps and (plain := _PLAIN_STEP_RE.match(steps[-1][1])):
        said += (
            f"; the last step printed {plain['status']} ({plain['step']}): the plain formatter "
            "prints a step once it ends, so the step that was running is not shown"
        )
    elif steps and (pretty := _PRETTY_STEP_RE.match(steps[-1][1])):
        said += f"; the last step printed under it: {pretty['step']}"
    quoted = [lines[0], *steps[-1:]]
    place = heading["place"] or ""
    return _failure(file, heading["name"], place, quoted, "stopped", said, [], note=said), quoted
