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

from poolctl.logs import behave_json_lines
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
FEATURE_RE = re.compile(r"^Feature: (?P<name>.*?)\s*(?:# (?P<place>\S+\.feature:\d+))?$")
LIST_RE = re.compile(r"^(?P<what>Failing|Errored) scenarios:$")
SIGN = "USING RUNNER: behave."  # behave 1.3's first line, whatever its formatter
TRIGGERS = (
    r"^  Scenario(?: Outline)?: ",
    r"^(?:Failing|Errored) scenarios:\s*$",
    r"^USING RUNNER: behave\.",
    r"^HOOK-ERROR in \w+: ",
    r"^Feature: ",
    r"^\d+ features? passed, ",
    behave_json_lines.TRIGGER,
)
# a hook that raised: `before_scenario`'s fails the scenario after it (pretty prints it above
# the scenario's heading, plain below it), `after_scenario`'s the one before
HOOK_RE = re.compile(r"^HOOK-ERROR in (?P<hook>\w+): (?P<said>.*)$")
_ENTRY_RE = re.compile(r"^  (?P<place>\S+\.feature:\d+)  (?P<name>.*)$")
_STEP = r"^    (?P<step>(?:Given|When|Then|And|But|\*) .*?)"
STEP_RE = re.compile(_STEP)
PRETTY_STEP_RE = re.compile(_STEP + r"\s+# (?P<source>\S+)$")  # (`# None`: not run)
PY_STEP_RE = re.compile(_STEP + r"\s+# \S+\.py:\d+$", re.MULTILINE)  # pretty's, behave's
PLAIN_STEP_RE = re.compile(_STEP + r" \.\.\. (?P<status>\w+)(?: in [\d.]+s)?$")
# plain's step that ran, its time after it: behave's own shape, with no first line (1.2.6)
TIMED_STEP_RE = re.compile(_STEP + r" \.\.\. \w+ in [\d.]+s$", re.MULTILINE)
_FAILED_STEP = ("failed", "error", "undefined", "hook_error")
_ASSERTS = ("ASSERT FAILED: ", "Assertion Failed: ")  # behave 1.3's, 1.2.6's
_TRACEBACK = "Traceback (most recent call last):"
_CHAINED = (
    _TRACEBACK,
    "The above exception was the direct cause of the following exception:",
    "During handling of the above exception, another exception occurred:",
)
_RAISED_RE = re.compile(r"^(?P<kind>[A-Za-z_][\w.]*)(?::|$)")
_FRAME_RE = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in ')
_ENDS = ("Feature: ", "  Background:", "  @")
_OWN = ("----", "HOOK-ERROR ")  # behave's lines after a step's: its captured output, a hook's
_BEHAVES = (
    "----",
    "CAPTURED ",
    "HOOK-ERROR ",
    "Traceback ",
    "ASSERT FAILED: ",
    "Assertion Failed: ",
)
# the run's counts, if no list came (and cucumber-js's, whose pretty scenarios look alike)
_COUNTS_RE = re.compile(r"^\d+ (?:features? passed, |scenarios? \()")
_DIGITS_RE = re.compile(r"\d+")
UNTESTED = (
    "before_feature's error: the feature's scenarios did not run (behave counts them "
    "untested, in no list of failed scenarios)"
)
_LOGGED_RE = re.compile(r"^(?:LOG_[A-Z]+:|SKIP (?:Scenario|Feature) )")  # behave's own stderr
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
    tail: tuple[str, ...] = ()  # plain's lines below an assert's, flush left: its or stderr's

    def said(self, strays: set[str]) -> str:
        """Its message, the lines of its tail that begin as the run's stray output does
        (`_strays`) left out: other processes' stderr, or behave's log, printed after it."""
        own = [t for t in self.tail if _shape(t) not in strays and not _LOGGED_RE.match(t)]
        return "\n".join([self.message, *own]).rstrip()


@dataclass
class Feature:
    """A feature's heading, and whether a scenario's came below it."""

    name: str
    place: str
    line: tuple[int, str]
    scenarios: int = 0


# each parser's failed scenarios read from their blocks, not yet listed
READ: weakref.WeakKeyDictionary[TextParser, list[Scenario]] = weakref.WeakKeyDictionary()
# each parser that read behave's first line: its scenarios' blocks follow
SIGNED: weakref.WeakKeyDictionary[TextParser, bool] = weakref.WeakKeyDictionary()
# each parser's error of a `before_` hook above the next scenario's heading
BEFORE: weakref.WeakKeyDictionary[TextParser, tuple[int, str]] = weakref.WeakKeyDictionary()
# each parser's last scenario block, while no list nor count has followed it (`stopped`)
LAST: weakref.WeakKeyDictionary[TextParser, ScenarioBlock] = weakref.WeakKeyDictionary()
# each parser's last feature heading, and the error of a `before_feature` hook not yet placed
FEATURE: weakref.WeakKeyDictionary[TextParser, Feature] = weakref.WeakKeyDictionary()
FEATURE_HOOKS: weakref.WeakKeyDictionary[TextParser, list[FeatureHook]] = (
    weakref.WeakKeyDictionary()
)
# each parser's shapes (digits left out) of lines other processes printed among its steps
STRAYS: weakref.WeakKeyDictionary[TextParser, set[str]] = weakref.WeakKeyDictionary()


@dataclass
class FeatureHook:
    """A `before_feature` hook's error: its feature is the heading above it when no scenario
    came below that heading (behave 1.3 prints the heading first), else the next (1.2.6)."""

    line: tuple[int, str]
    feature: Feature | None


def block_at(
    parser: TextParser, number: int, line: str, done: Callable[[Failure, Lines], object]
) -> ScenarioBlock | ScenarioList | None:
    """A scenario's block, or a list of failed scenarios, if `line` begins one: a scenario's
    of behave's pretty formatter (its place after it), or of a run whose first line was
    behave's (plain's place none); behave's first line is noted."""
    text = line.rstrip()
    if text.startswith(SIGN):
        SIGNED[parser] = True
        return None
    if text.startswith(behave_json_lines.START):  # (-f json to stdout: a feature's report)
        for name, place, kind, message, frames in behave_json_lines.failed_scenarios(text):
            found = Scenario(name, place, [(number, text)], kind, message, frames)
            READ.setdefault(parser, []).append(found)
        return None
    if text.startswith("Feature: ") and (feature := FEATURE_RE.match(text)):
        _feature(parser, Feature(feature["name"], feature["place"] or "", (number, text)))
        return None
    if (hook := HOOK_RE.match(text)) and hook["hook"].startswith("before_"):
        _hand_on(parser, (number, text))  # (outside a scenario's block: the first's of a feature)
        return None
    heading = SCENARIO_RE.match(text) if text.startswith("  Scenario") else None
    if heading:  # (pretty's, placed; plain's once its first step shows it behave's)
        block = ScenarioBlock(number, line, parser.name, SOURCE, done)
        block.parser = parser
        block.unsigned = not heading["place"] and parser not in SIGNED
        block.found = READ.setdefault(parser, []).append
        block.before = BEFORE.pop(parser, None)
        block.hand_on = partial(_hand_on, parser)
        if feature_read := FEATURE.get(parser):
            feature_read.scenarios += 1
        LAST[parser] = block
        return block
    if (text.endswith(" scenarios:") and LIST_RE.match(text)) or _COUNTS_RE.match(text):
        _ended(parser, done if _COUNTS_RE.match(text) else None)  # (its lists, or its counts)
    if text.endswith(" scenarios:") and LIST_RE.match(text):
        section = ScenarioList(number, line, parser.name, SOURCE, done)
        section.read = READ.setdefault(parser, [])
        section.strays = STRAYS.setdefault(parser, set())
        return section
    return None


def _feature(parser: TextParser, feature: Feature) -> None:
    """A feature's heading: a `before_feature` hook's error above it with no feature is its."""
    FEATURE[parser] = feature
    for hook in FEATURE_HOOKS.get(parser, []):
        hook.feature = hook.feature or feature


def _hand_on(parser: TextParser, line: tuple[int, str]) -> None:
    """A `before_` hook's error seen where no scenario's heading owns it: a `before_feature`'s
    is its feature's; another's (`before_scenario`, `before_tag`) the next scenario's."""
    hook = HOOK_RE.match(line[1])
    assert hook is not None
    if hook["hook"] != "before_feature":
        BEFORE[parser] = line
        return
    feature = FEATURE.get(parser)
    hook_of = feature if feature and not feature.scenarios else None
    FEATURE_HOOKS.setdefault(parser, []).append(FeatureHook(line, hook_of))


def _ended(parser: TextParser, done: Callable[[Failure, Lines], object] | None) -> None:
    """The run's lists or counts came: nothing read is pending at the input's end. At its
    counts (`done`), a `before_feature` hook's error is a failure of its feature: behave lists
    none of its scenarios, which did not run (it counts them `untested`)."""
    LAST.pop(parser, None)
    BEFORE.pop(parser, None)
    if done is None:
        return
    for hook in FEATURE_HOOKS.pop(parser, []):
        done(*feature_hook_failure(parser.name, hook, UNTESTED))


def feature_hook_failure(file: str, hook: FeatureHook, note: str) -> tuple[Failure, Lines]:
    """The failure of a `before_feature` hook's error (`HOOK-ERROR in before_feature: …`),
    named by its feature, with `note`."""
    said = HOOK_RE.match(hook.line[1])
    assert said is not None
    raised = _RAISED_RE.match(said["said"])
    kind = raised["kind"].rsplit(".", 1)[-1] if raised and ": " in said["said"] else ""
    feature = hook.feature
    name, place = (feature.name, feature.place) if feature else ("(a feature)", "")
    quoted = [feature.line, hook.line] if feature else [hook.line]
    failure = failure_of(file, name, place, quoted, kind, said["said"], [], note=note)
    return failure, quoted


def _shape(text: str) -> str:
    """How a line begins: its first two words, their digits left out (a pid, a time)."""
    return " ".join(_DIGITS_RE.sub("#", text).split()[:2])


class ScenarioBlock(RunnerBlock):
    """A scenario's steps and what its failed step printed, up to the next scenario."""

    found: Callable[[Scenario], object]
    parser: TextParser
    unsigned = False  # a heading with no place, in a run with no first line of behave's yet
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
        if self.unsigned and text.startswith("    "):  # (its first step says whose it is)
            if not PLAIN_STEP_RE.match(text):
                return False
            self.unsigned = False
            SIGNED[self.parser] = True  # (behave 1.2.6's plain: no first line of its own)
        if len(self.lines) < MAX_BLOCK_LINES:
            self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        if self.unsigned:  # (no step of behave's below it: another tool's, its lines given back)
            if LAST.get(self.parser) is self:
                del LAST[self.parser]
            return self.lines[1:]
        heading = SCENARIO_RE.match(self.lines[0][1])
        assert heading is not None
        body, hooks = self.lines[1:], []
        STRAYS.setdefault(self.parser, set()).update(_strays(body))
        for i, (number, text) in enumerate(body):
            if (hook := HOOK_RE.match(text)) is None:
                continue
            stepped = any(STEP_RE.match(t) for _, t in body[:i])
            if hook["hook"].startswith("before_") and stepped:
                self.hand_on((number, text))  # (pretty's, above the next scenario's heading)
            else:
                hooks.append((number, text))  # (plain's below its heading, or an `after_`'s)
        before = [self.before] if self.before else []
        read = _hook_failed(before) or _failed_step(body) or _hook_failed(hooks)
        if read is not None:
            lines, kind, message, frames = read
            plain_assert = len(lines) > 1 and lines[1][1].startswith(_ASSERTS)  # (flush left)
            message, *tail = message.split("\n") if plain_assert else [message]
            scenario = Scenario(
                heading["name"], heading["place"] or "", lines, kind, message, frames, tuple(tail)
            )
            self.read = scenario
            self.found(scenario)
        return []


def _strays(body: Lines) -> set[str]:
    """The shapes of lines other processes printed among a scenario's steps (a worker's
    stderr): flush left, not below a step that failed (plain), or anywhere (pretty, whose own
    lines are indented); behave's own lines (a hook's, its captured output's) aside."""
    shapes, said = set(), False
    for _, text in body:
        if plain := PLAIN_STEP_RE.match(text):
            said = plain["status"] != "passed"
        elif not said and text[:1].strip() and not text.startswith(_BEHAVES):
            shapes.add(_shape(text))
    return shapes


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
        plain = PLAIN_STEP_RE.match(text)
        if plain and plain["status"] in _FAILED_STEP:
            said = _said(body[i + 1 :], plain["status"])
            if plain["status"] == "undefined":
                return [body[i]], "", f"undefined step: {plain['step']}", []
            if not said:
                return None
            kind, message, frames = message_of(said)
            return [body[i], *said], kind, message, frames
        pretty = PRETTY_STEP_RE.match(text)
        if pretty is None:
            continue
        said = _said(body[i + 1 :], "")
        if said:
            kind, message, frames = message_of(said)
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
        if PRETTY_STEP_RE.match(text) or PLAIN_STEP_RE.match(text) or text.startswith(_OWN):
            break
        if not text.strip():
            if said and _asserted(said, after[i + 1 :]):
                said.append((number, ""))  # (a blank line of an assert's message: a diff's)
                continue
            if said and not _chained(after[i + 1 :]):
                break
            continue
        if status or text.startswith("      "):  # (plain's are flush left; pretty's indented)
            said.append((number, text))
    return said


def _asserted(said: Lines, after: Lines) -> bool:
    """Whether the next line that is not blank goes on with an assert's message: at its indent
    (pretty's), or flush left (plain's, where a worker's stderr may be too: `Scenario.said`)."""
    first = said[0][1]
    indent = len(first) - len(first.lstrip())
    if not first[indent:].startswith(_ASSERTS):
        return False
    text = next((t for _, t in after if t.strip()), "")
    if PRETTY_STEP_RE.match(text) or PLAIN_STEP_RE.match(text) or text.startswith(_OWN):
        return False
    return text.startswith(" " * indent) if indent else not text[:1].isspace()


def _chained(after: Lines) -> bool:
    """Whether the next line that is not blank goes on with a chain of tracebacks."""
    text = next((t.strip() for _, t in after if t.strip()), "")
    return text.startswith(_CHAINED)


def message_of(said: Lines) -> tuple[str, str, list[str]]:
    """The kind, message and frames of what a failed step printed."""
    texts = [t for _, t in said]
    indent = len(texts[0]) - len(texts[0].lstrip())
    first = texts[0][indent:]
    if first.startswith(_ASSERTS):  # (pretty's lines at its indent, plain's all: `Scenario`)
        asserted = first.partition(": ")[2]
        rest = [t[indent:] for t in texts[1:] if t.startswith(" " * indent) or not t]
        return EXPECTATION, "\n".join([asserted, *rest]).rstrip(), []
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
    strays: set[str]

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
                scenario.said(self.strays),
                scenario.frames,
            )
        self.done(failure_of(self.input_file, name, place, lines, kind, message, frames), lines)


def failure_of(
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
