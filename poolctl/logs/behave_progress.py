"""behave's progress formatter (`behave --format progress`): a line for each feature, its file
and then a letter for each scenario, printed as the next one begins (or as the feature ends):
`.` passed, `F` failed (an assert), `E` error (another exception), `H` a hook's error, `U`
undefined, `S` skipped, `_` untested, `P` pending. Other processes' lines (a worker's stderr)
glue onto the letters:

    USING RUNNER: behave.runner:Runner
    features/cut.feature  worker 17392 ready (mode ok)
    Eworker 17396 ready (mode ok)
    .worker 17398 ready (mode ok)
    Fworker 17407 ready (mode silent)

A run that closed is read from its lists of failed scenarios (`poolctl.logs.behave_block`). One
cut short (killed, a CI job's time limit: no list, no count) is read from its letters: each
scenario that failed a failure named by its feature and its number among those run there
(progress prints no name, no message), and the scenario whose start printed the last letter
one of kind `stopped`.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from poolctl.logs.behave_block import RUNNER, SIGN, SIGNED, SOURCE
from poolctl.logs.records import Lines
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.scan import TextParser

FEATURE_RE = re.compile(r"^(?P<file>\S+\.feature)  (?P<rest>.*)$")
# ... behave 1.2.6's, which prints no first line of its own: a file under a `features/` folder,
# where behave looks for them
UNSIGNED_RE = re.compile(r"^(?P<file>(?:\S+/)?features/\S+\.feature)  (?P<rest>.*)$")
TRIGGER = r"^\S+\.feature  "
_LETTERS_RE = re.compile(r"^[.FEHUS_P]+")
FAILED = {
    "F": ("failed", "a step's assert failed"),
    "E": ("error", "a step raised an exception other than an assert's"),
    "H": ("hook_error", "a hook raised an exception"),
    "U": ("undefined", "a step has no definition"),
}
# `F` with no first line of behave's: 1.2.6 has no `error` status, any exception fails a step
_OLD_FAILED = (
    "a step failed (behave before 1.3, which printed no first line here, prints `F` for an "
    "assert and for any other exception alike)"
)
# what ends a feature's letters: the run's lists or counts, behave's own closing lines
_ENDS_RE = re.compile(r"^(?:(?:Failing|Errored) scenarios:$|\d+ (?:features?|scenarios?) passed, )")
_BEHAVES_LOG_RE = re.compile(r"^(?:LOG_[A-Z]+:|SKIP (?:Scenario|Feature) )")
_CUT = "no 'Failing scenarios:' list and no count of the run (killed, or a time limit)"
_UNNAMED = (
    "the progress formatter prints a letter for each scenario it runs, no name nor message "
    "(--format plain, or --junit, prints them): numbered in the order the feature's scenarios "
    "ran, those a --name or --tags filter left out printing none"
)


def stopped_in_text(text: str) -> bool:
    """Whether `text`, a whole log, is a behave run under the progress formatter cut short:
    behave's first line, a feature's progress line, neither the closing lists nor the counts."""
    if SIGN in text:
        if not re.search(r"(?m)^\S+\.feature  ", text):
            return False
    elif not re.search(r"(?m)^(?:\S+/)?features/\S+\.feature  ", text):
        return False  # (behave 1.2.6: no first line of its own)
    return not re.search(r"(?m)^(?:(?:Failing|Errored) scenarios:|\d+ scenarios? passed, )", text)


@dataclass
class Progress:
    """A feature's progress line and the lines after it, up to the next feature or the run's
    lists; `ended` once these came."""

    file: str
    signed: bool = True  # behave's first line came before it (1.3); none is 1.2.6's
    lines: Lines = field(default_factory=list)
    last_newline: bool = True  # whether the last line read ends with one (the input may not)
    ended: bool = False


# each parser's features read under the progress formatter, the last one still open
FEATURES: weakref.WeakKeyDictionary[TextParser, list[Progress]] = weakref.WeakKeyDictionary()


class ProgressFeature:
    """A consumer: a feature's progress line, and every line after it up to the next feature's,
    the run's lists or its counts."""

    def __init__(self, number: int, line: str, parser: TextParser) -> None:
        found = FEATURE_RE.match(line.rstrip("\n"))
        self.progress = Progress(found["file"] if found else "", signed=parser in SIGNED)
        FEATURES.setdefault(parser, []).append(self.progress)
        self.feed(number, line, first=True)

    def feed(self, number: int, line: str, first: bool = False) -> bool:
        text = line.rstrip()
        if not first and (FEATURE_RE.match(text) or _ENDS_RE.match(text)):
            self.progress.ended = _ENDS_RE.match(text) is not None
            return False
        if len(self.progress.lines) >= MAX_BLOCK_LINES:
            return False
        self.progress.lines.append((number, text))
        self.progress.last_newline = line.endswith("\n")
        return True

    def close(self) -> Lines:
        return []


def block_at(parser: TextParser, number: int, line: str) -> ProgressFeature | None:
    """A feature's progress line of a run whose first line was behave's begins its block, and,
    with no such line (behave 1.2.6), one of a file in a `features/` folder."""
    text = line.rstrip()
    if not FEATURE_RE.match(text) or (parser not in SIGNED and not UNSIGNED_RE.match(text)):
        return None
    return ProgressFeature(number, line, parser)


def stopped(parser: TextParser, done: Callable[[Failure, Lines], object]) -> None:
    """The input ended: if the run's lists and counts never came after its features' progress
    lines (the run was cut short), each scenario their letters say failed is a failure, and so
    is the one the run was in when cut, if the letters show it began."""
    features = FEATURES.pop(parser, [])
    if not features or any(f.ended for f in features):
        return
    for progress in features:
        letters = _letters(progress.lines)
        for number, (line, letter) in enumerate(letters, 1):
            if letter in FAILED:
                done(*_failure(parser.name, progress, number, line, letter))
    last = features[-1]
    letters = _letters(last.lines)
    began = _began(last, letters)
    if began is not None:
        done(*_stopped(parser.name, last.file, began, last.lines))
    if any(s.file == parser.name for s in parser.out.summaries):
        parser.out.skipped.append(
            f"{parser.name}: behave's run ended in its features (line {last.lines[0][0]}), "
            f"{_CUT}: read from its progress letters, so no count says how many more failed"
        )


def _letters(lines: Lines) -> list[tuple[tuple[int, str], str]]:
    """Each scenario's letter in a feature's lines, with its line. A line may begin with
    letters glued to another process's line: they are letters when what follows them begins as
    a line of the feature no letter begins (its first word), as behave's own log, or is
    nothing."""
    heads = [FEATURE_RE.sub(r"\g<rest>", lines[0][1]), *(t for _, t in lines[1:])]
    firsts = {t.split()[0] for t in heads if t.strip() and not _LETTERS_RE.match(t)}
    letters: list[tuple[tuple[int, str], str]] = []
    for (number, text), head in zip(lines, heads, strict=True):
        found = _LETTERS_RE.match(head)
        if found is None:
            continue
        for end in range(found.end(), 0, -1):  # (the most letters that leave a known line)
            rest = head[end:]
            if not rest.strip() or rest.split()[0] in firsts or _BEHAVES_LOG_RE.match(rest):
                letters += [((number, text), letter) for letter in head[:end]]
                break
    return letters


def _began(last: Progress, letters: list[tuple[tuple[int, str], str]]) -> tuple[int, str] | None:
    """The line showing the last feature's next scenario began, the last letter's: behave
    prints a scenario's letter as the next one begins, or as the feature ends, then a newline.
    A letter followed on its line by another process's, or ending the input with no newline,
    began one; a line of letters alone ended the feature. With no letter, the feature's line."""
    if not letters:
        return last.lines[0]
    line = letters[-1][0]
    head = FEATURE_RE.sub(r"\g<rest>", line[1]) if line == last.lines[0] else line[1]
    found = _LETTERS_RE.match(head)
    alone = found is not None and found.end() == len(head)
    if alone and (line != last.lines[-1] or last.last_newline):
        return None
    return line


def _failure(
    file: str, progress: Progress, number: int, line: tuple[int, str], letter: str
) -> tuple[Failure, Lines]:
    kind, said = FAILED[letter]
    if letter == "F" and not progress.signed:
        said = _OLD_FAILED
    message = f"behave's progress formatter printed '{letter}' for this scenario: {said}"
    return _unnamed(file, progress.file, number, [line], kind, message)


def _stopped(file: str, feature: str, line: tuple[int, str], lines: Lines) -> tuple[Failure, Lines]:
    number = len(_letters(lines)) + 1
    message = (
        "the run ended in this scenario: the log ends after the letter behave printed as it "
        f"began, with none for it, {_CUT}"
    )
    if line == lines[0] and not _letters(lines):
        message = (
            "the run ended in this feature's first scenario (or its before_feature hook): the "
            f"log ends after its progress line, with no letter, {_CUT}"
        )
    return _unnamed(file, feature, number, [line], "stopped", message)


def _unnamed(
    file: str, feature: str, number: int, lines: Lines, kind: str, message: str
) -> tuple[Failure, Lines]:
    """A scenario known by its feature and its number among those run of it alone."""
    failure = block_failure(
        SOURCE,
        file,
        lines,
        name=f"(scenario {number} run in {feature})",
        group=feature,
        location=feature,
        kind=kind,
        message=message,
        details={
            "runner": RUNNER,
            "text": clip("\n".join(t for _, t in lines), MAX_FIELD),
            "note": _UNNAMED,
        },
        frames=[],
    )
    return failure, lines
